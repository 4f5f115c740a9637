//! Losant's documents as Portico reads them, written from the vendor's
//! published JSON schemas. Every field the console can live without is
//! optional, so a sparse or newer document still decodes.

use serde::Deserialize;

/// `POST /auth/user` → authedUser.json.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthedUser {
    pub token: String,
}

/// The list envelope every collection route answers with.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total_count: usize,
    /// What the server really used, which may be less than was asked for.
    #[serde(default)]
    pub per_page: Option<usize>,
}

/// Items of one list, deduplicated by id across pages.
pub trait Identified {
    fn id(&self) -> &str;
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub endpoint_slug: Option<String>,
    #[serde(default)]
    pub organization_name: Option<String>,
    #[serde(default)]
    pub creation_date: Option<String>,
    #[serde(default)]
    pub last_updated: Option<String>,
}

/// `certificateInfo` of a certificate, one entry of a CA's `caInfo`.
/// The server derives it from the PEM.
#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct CertificateInfo {
    #[serde(default)]
    pub serial_number: Option<String>,
    #[serde(default)]
    pub fingerprint: Option<String>,
    #[serde(default)]
    pub common_name: Option<String>,
    #[serde(default)]
    pub issuer_name: Option<String>,
    #[serde(default)]
    pub not_valid_before: Option<String>,
    #[serde(default)]
    pub not_valid_after: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Certificate {
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub certificate_info: Option<CertificateInfo>,
    #[serde(default)]
    pub filter_type: Option<String>,
    #[serde(default)]
    pub pub_topics: Vec<String>,
    #[serde(default)]
    pub sub_topics: Vec<String>,
    #[serde(default)]
    pub creation_date: Option<String>,
    #[serde(default)]
    pub last_updated: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authority {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub ca_info: Vec<CertificateInfo>,
    #[serde(default)]
    pub creation_date: Option<String>,
    #[serde(default)]
    pub last_updated: Option<String>,
}

/// An MQTT access key; `secret` is only ever in the answer to its POST.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKey {
    pub id: String,
    pub key: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub filter_type: Option<String>,
    #[serde(default)]
    pub pub_topics: Vec<String>,
    #[serde(default)]
    pub sub_topics: Vec<String>,
    /// Device restrictions, copied as they are when a key is rotated.
    #[serde(default)]
    pub device_ids: Vec<String>,
    #[serde(default)]
    pub device_tags: Vec<serde_json::Value>,
    #[serde(default)]
    pub address_filter_type: Option<String>,
    #[serde(default)]
    pub addresses: Vec<String>,
    #[serde(default)]
    pub created_by_type: Option<String>,
    #[serde(default)]
    pub creation_date: Option<String>,
    #[serde(default)]
    pub last_updated: Option<String>,
    #[serde(default)]
    pub secret: Option<String>,
}

impl Identified for Application {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Identified for Certificate {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Identified for Authority {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Identified for AccessKey {
    fn id(&self) -> &str {
        &self.id
    }
}
