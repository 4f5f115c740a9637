//! Serde types for the Mashery V3 JSON this adapter reads. Written from
//! the vendor's field tables, not shared with the simulator.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct TokenGrant {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

/// `{"error": ..., "error_description": ...}` from the token endpoint.
#[derive(Debug, Deserialize)]
pub struct OAuthError {
    pub error: String,
}

/// `{"errorCode": ..., "errorMessage": ...}` from the REST layer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestError {
    pub error_message: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Problem {
    pub property: Option<String>,
    pub message: Option<String>,
}

/// `{"errors": [{property, message}]}`: a refused body.
#[derive(Debug, Deserialize)]
pub struct ValidationError {
    pub errors: Vec<Problem>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: String,
    pub username: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub area_status: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub updated: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub commercial: Option<bool>,
    #[serde(default)]
    pub ads: Option<bool>,
    #[serde(default)]
    pub ads_system: Option<String>,
    #[serde(default)]
    pub usage_model: Option<String>,
    #[serde(default)]
    pub tags: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub how_did_you_hear: Option<String>,
    #[serde(default)]
    pub preferred_protocol: Option<String>,
    #[serde(default)]
    pub preferred_output: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub uri: Option<String>,
    #[serde(default)]
    pub oauth_redirect_uri: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Named {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageKey {
    pub id: String,
    pub apikey: String,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub updated: Option<String>,
    #[serde(default)]
    pub qps_limit_ceiling: Option<i64>,
    #[serde(default)]
    pub rate_limit_ceiling: Option<i64>,
    #[serde(default)]
    pub qps_limit_exempt: Option<bool>,
    #[serde(default)]
    pub rate_limit_exempt: Option<bool>,
    #[serde(default)]
    pub expires: Option<String>,
    #[serde(default)]
    pub package: Option<Named>,
    #[serde(default)]
    pub plan: Option<Named>,
}

#[derive(Debug, Deserialize)]
pub struct Package {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub plans: Vec<Named>,
}

crate::platform::pages::identified_by_id!(Member, Application, PackageKey);
