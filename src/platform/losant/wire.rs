//! Losant's documents as Portico reads them, written from the vendor's
//! published JSON schemas. Every field the console can live without is
//! optional, so a sparse or newer document still decodes: an absent
//! `Option` is `None` by serde's own rule, an absent list is empty by
//! `#[serde(default)]`.

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
    #[allow(
        clippy::struct_field_names,
        reason = "the field mirrors the vendor's JSON key"
    )]
    pub per_page: Option<usize>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub endpoint_slug: Option<String>,
    pub organization_name: Option<String>,
    pub creation_date: Option<String>,
    pub last_updated: Option<String>,
}

/// `certificateInfo` of a certificate, one entry of a CA's `caInfo`.
/// The server derives it from the PEM.
#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct CertificateInfo {
    pub serial_number: Option<String>,
    pub fingerprint: Option<String>,
    pub common_name: Option<String>,
    pub issuer_name: Option<String>,
    pub not_valid_before: Option<String>,
    pub not_valid_after: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Certificate {
    pub id: String,
    pub status: Option<String>,
    pub description: Option<String>,
    #[allow(
        clippy::struct_field_names,
        reason = "the field mirrors the vendor's JSON key"
    )]
    pub certificate_info: Option<CertificateInfo>,
    pub filter_type: Option<String>,
    #[serde(default)]
    pub pub_topics: Vec<String>,
    #[serde(default)]
    pub sub_topics: Vec<String>,
    pub creation_date: Option<String>,
    pub last_updated: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authority {
    pub id: String,
    pub name: Option<String>,
    pub status: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub ca_info: Vec<CertificateInfo>,
    pub creation_date: Option<String>,
    pub last_updated: Option<String>,
}

/// An MQTT access key. Its `secret`, only ever in the answer to its POST,
/// is taken out before this decodes (see `SecretBody`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKey {
    pub id: String,
    pub key: String,
    pub name: Option<String>,
    pub status: Option<String>,
    pub description: Option<String>,
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
    pub address_filter_type: Option<String>,
    #[serde(default)]
    pub addresses: Vec<String>,
    pub created_by_type: Option<String>,
    pub creation_date: Option<String>,
    pub last_updated: Option<String>,
}

/// An application API token (apiToken.json). Its `token`, only in the
/// answer to its POST, is taken out before this decodes.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    #[serde(default)]
    pub scope: Vec<String>,
    pub expiration_date: Option<String>,
    pub creator_type: Option<String>,
    pub creation_date: Option<String>,
    pub last_updated: Option<String>,
}

/// One device of `GET /applications/{id}/devices`, as a device login needs it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub id: String,
    #[serde(default)]
    pub tags: Vec<serde_json::Value>,
}

/// `POST /auth/device` → authedDevice.json.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthedDevice {
    pub device_id: String,
    pub token: String,
}

crate::platform::pages::identified_by_id!(
    Application,
    Certificate,
    Authority,
    AccessKey,
    ApiToken,
    Device
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::pages::Identified;
    use serde_json::json;

    #[test]
    fn sparse_documents_decode_and_required_fields_stay_required() {
        let key: AccessKey =
            serde_json::from_value(json!({"id": "k1", "key": "uuid"})).expect("sparse key");
        assert_eq!((key.id(), key.name.as_deref()), ("k1", None));
        assert!(key.pub_topics.is_empty() && key.device_tags.is_empty());
        let cert: Certificate = serde_json::from_value(json!({"id": "c1"})).expect("sparse cert");
        assert!(cert.certificate_info.is_none() && cert.sub_topics.is_empty());
        let ca: Authority = serde_json::from_value(json!({"id": "a1"})).expect("sparse ca");
        assert!(ca.ca_info.is_empty() && ca.last_updated.is_none());
        let info: CertificateInfo = serde_json::from_value(json!({})).expect("empty info");
        assert!(info.not_valid_after.is_none());
        assert!(serde_json::from_value::<AccessKey>(json!({"id": "k1"})).is_err());
        assert!(serde_json::from_value::<Application>(json!({"id": "a1"})).is_err());
        assert!(serde_json::from_value::<Certificate>(json!({"status": "active"})).is_err());
    }
}
