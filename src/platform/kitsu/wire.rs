//! Zou's documents as the console reads them. Every field but the id is
//! optional: Zou versions add and drop keys, and a missing one must not
//! hide the whole list.

use serde::Deserialize;

#[derive(Deserialize)]
pub struct Project {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub production_type: Option<String>,
    #[serde(default)]
    pub production_style: Option<String>,
    #[serde(default)]
    pub start_date: Option<String>,
    #[serde(default)]
    pub end_date: Option<String>,
    #[serde(default)]
    #[allow(
        clippy::struct_field_names,
        reason = "the field mirrors the vendor's JSON key"
    )]
    pub project_status_id: Option<String>,
    #[serde(default)]
    pub fps: Option<String>,
    #[serde(default)]
    pub resolution: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

#[derive(Deserialize)]
pub struct ProjectStatus {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Deserialize)]
pub struct Person {
    pub id: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub is_bot: bool,
    #[serde(default)]
    pub expiration_date: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    /// Department ids; only answers with relations carry them, and null
    /// stands for none.
    #[serde(default, deserialize_with = "ids_or_null")]
    pub departments: Vec<String>,
}

/// Ids as plain strings or as `{"id"}` objects (both occur in Zou's answers).
fn ids_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let items: Option<Vec<serde_json::Value>> = Option::deserialize(d)?;
    Ok(items
        .unwrap_or_default()
        .iter()
        .filter_map(|v| {
            v.as_str()
                .or_else(|| v.get("id").and_then(serde_json::Value::as_str))
                .map(str::to_string)
        })
        .collect())
}

#[derive(Deserialize)]
pub struct Department {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// A bot's create or token regeneration answer carries its token here; it
/// is taken out before the rest decodes as a [`Person`].
pub struct BotToken;

impl crate::platform::http::SecretField for BotToken {
    const NAME: &'static str = "access_token";
}

#[derive(Deserialize)]
pub struct AssetType {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub short_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub archived: Option<bool>,
}

#[derive(Deserialize)]
pub struct EntityLink {
    pub id: String,
    #[serde(default)]
    pub entity_in_id: String,
    #[serde(default)]
    pub entity_out_id: String,
    /// Zou's spelling.
    #[serde(default)]
    pub nb_occurences: Option<i64>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

#[derive(Deserialize)]
pub struct Entity {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// The envelope a generic list answers with once `page` is given.
#[derive(Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub total: Option<usize>,
    #[serde(default)]
    pub nb_pages: Option<usize>,
}

/// The answer to `/auth/login`.
#[derive(Deserialize)]
pub struct LoginAnswer {
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub two_factor_authentication_required: bool,
}

/// The answer to `/auth/refresh-token`.
#[derive(Deserialize)]
pub struct RefreshAnswer {
    pub access_token: String,
}

crate::platform::pages::identified_by_id!(Person, EntityLink);
