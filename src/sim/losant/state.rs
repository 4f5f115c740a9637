//! One simulated Losant tenant: its user, sessions and applications with
//! their certificates, certificate authorities and access keys.
//!
//! Settable properties are kept as the JSON the client sent (after the
//! vendor schema accepted it), so responses carry exactly the properties
//! Losant's schemas define and nothing the simulator invented.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::auth::Actor;
use super::certs::CertInfo;
use super::format::{iso, object_id};
use super::listing::Listed;

pub struct Tenant {
    inner: Mutex<TenantState>,
}

impl Tenant {
    pub const fn new(state: TenantState) -> Self {
        Self {
            inner: Mutex::new(state),
        }
    }

    /// A handler that panicked mid-update cannot leave half-written state
    /// behind (updates are applied after all checks), so a poisoned lock
    /// is safe to reuse.
    pub fn lock(&self) -> MutexGuard<'_, TenantState> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub struct User {
    pub id: String,
    pub email: String,
    pub password: String,
}

pub struct Session {
    pub user_id: String,
    pub expires: Option<OffsetDateTime>,
    /// The token's scopes: `all.User` for a user, `all.Device` for a device.
    pub scopes: Vec<String>,
    /// A device session is its application's, like an application token.
    pub application: Option<String>,
}

pub struct TenantState {
    pub user: User,
    /// Signs this tenant's user tokens.
    pub signing_key: String,
    pub sessions: HashMap<String, Session>,
    pub applications: Vec<Application>,
    /// Every request that reached the API, oldest first (`GET /_sim/requests`).
    pub log: Vec<Logged>,
}

/// One request as the simulator's log keeps it: never a body or a header.
pub struct Logged {
    pub method: String,
    pub path: String,
    pub status: u16,
}

impl TenantState {
    /// The usable application token whose SHA-256 is `digest`, with its application.
    pub fn api_token(&self, digest: &[u8; 32], now: OffsetDateTime) -> Option<&ApiToken> {
        self.applications
            .iter()
            .flat_map(|a| a.tokens.iter())
            .find(|t| &t.token_sha256 == digest && t.usable(now))
    }

    pub fn application(&self, id: &str) -> Option<&Application> {
        self.applications.iter().find(|a| a.meta.id == id)
    }

    pub fn application_mut(&mut self, id: &str) -> Option<&mut Application> {
        self.applications.iter_mut().find(|a| a.meta.id == id)
    }
}

/// The parts every resource shares.
pub struct Meta {
    pub id: String,
    pub created: OffsetDateTime,
    pub updated: OffsetDateTime,
}

impl Meta {
    /// A new resource's id is an `ObjectId` minted from its creation time.
    pub fn new(created: OffsetDateTime) -> Self {
        Self {
            id: object_id(created),
            created,
            updated: created,
        }
    }

    /// A resource's JSON: its settable `props` plus the properties the
    /// server owns, the id appearing both as `id` and as `id_key`.
    pub fn json(
        &self,
        props: &Map<String, Value>,
        id_key: &str,
        application_id: &str,
    ) -> Map<String, Value> {
        let mut out = props.clone();
        out.insert("id".into(), json!(self.id));
        out.insert(id_key.into(), json!(self.id));
        out.insert("applicationId".into(), json!(application_id));
        out.insert("creationDate".into(), json!(iso(self.created)));
        out.insert("lastUpdated".into(), json!(iso(self.updated)));
        out
    }

    /// A sort or filter field every resource has: its id, its dates, or one
    /// of its settable `props` (blank when unset).
    fn field(&self, props: &Map<String, Value>, name: &str) -> String {
        match name {
            "id" => self.id.clone(),
            "creationDate" => iso(self.created),
            "lastUpdated" => iso(self.updated),
            other => props
                .get(other)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        }
    }
}

/// Applies a PATCH body: each top-level property replaces the old value,
/// and `null` (allowed only where the schema allows it) removes it.
pub fn merge(props: &mut Map<String, Value>, patch: Map<String, Value>) {
    for (k, v) in patch {
        if v.is_null() {
            props.remove(&k);
        } else {
            props.insert(k, v);
        }
    }
}

pub struct Application {
    pub meta: Meta,
    pub owner_id: String,
    /// name, description, endpointSlug, globals, ... as in application.json.
    pub props: Map<String, Value>,
    pub certificates: Vec<Certificate>,
    pub authorities: Vec<Authority>,
    pub keys: Vec<AccessKey>,
    pub tokens: Vec<ApiToken>,
    /// Only what `POST /auth/device` needs to know of a device.
    pub devices: Vec<Device>,
}

pub struct Device {
    pub id: String,
    pub name: String,
    #[allow(
        clippy::struct_field_names,
        reason = "the field mirrors the vendor's JSON key"
    )]
    pub device_class: &'static str,
    /// `{key, value}` pairs, as deviceTags filters match them.
    pub tags: Vec<(String, String)>,
}

/// An application API token. The token itself is kept as a SHA-256 only.
pub struct ApiToken {
    pub meta: Meta,
    pub application_id: String,
    pub creator: Actor,
    pub token_sha256: [u8; 32],
    /// name, description, expirationDate, scope, status.
    pub props: Map<String, Value>,
}

impl ApiToken {
    pub fn scopes(&self) -> Vec<String> {
        self.props
            .get("scope")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Active and not past its expirationDate.
    pub fn usable(&self, now: OffsetDateTime) -> bool {
        let active = self.props.get("status").and_then(Value::as_str) != Some("inactive");
        let expired = self
            .props
            .get("expirationDate")
            .and_then(Value::as_str)
            .and_then(|d| {
                OffsetDateTime::parse(d, &time::format_description::well_known::Rfc3339).ok()
            })
            .is_some_and(|at| at <= now);
        active && !expired
    }
}

impl Listed for ApiToken {
    fn id(&self) -> &str {
        &self.meta.id
    }

    fn field(&self, name: &str) -> String {
        self.meta.field(&self.props, name)
    }
}

/// Which `summary` counts to return (`summaryInclude` / `summaryExclude`).
#[derive(Default)]
pub struct SummaryFilter {
    pub include: Option<Vec<String>>,
    pub exclude: Vec<String>,
}

impl SummaryFilter {
    pub fn from_query(query: &[(String, String)]) -> Self {
        let list = |name: &str| {
            query.iter().rev().find(|(k, _)| k == name).map(|(_, v)| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            })
        };
        Self {
            include: list("summaryInclude").filter(|l| !l.is_empty()),
            exclude: list("summaryExclude").unwrap_or_default(),
        }
    }

    fn keeps(&self, key: &str) -> bool {
        let included = self
            .include
            .as_ref()
            .is_none_or(|l| l.iter().any(|k| k == key));
        included && !self.exclude.iter().any(|k| k == key)
    }
}

impl Application {
    pub fn to_json(&self, summary: &SummaryFilter) -> Value {
        // An application is its own applicationId.
        let mut out = self.meta.json(&self.props, "applicationId", &self.meta.id);
        out.insert("ownerId".into(), json!(self.owner_id));
        out.insert("ownerType".into(), json!("user"));
        // Resources the simulator does not model count as zero.
        let counts = [
            ("apiTokenCount", self.tokens.len()),
            ("certificateCount", self.certificates.len()),
            ("certificateAuthorityCount", self.authorities.len()),
            ("dashCount", 0),
            ("dataTableCount", 0),
            ("deviceCount", self.devices.len()),
            ("deviceRecipeCount", 0),
            ("eventCount", 0),
            ("experienceEndpointCount", 0),
            ("experienceUserCount", 0),
            ("experienceViewCount", 0),
            ("fileCount", 0),
            ("flowCount", 0),
            ("integrationCount", 0),
            ("keyCount", self.keys.len()),
            ("notebookCount", 0),
            ("webhookCount", 0),
        ];
        let summary: Map<String, Value> = counts
            .into_iter()
            .filter(|(k, _)| summary.keeps(k))
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        out.insert("summary".into(), Value::Object(summary));
        Value::Object(out)
    }
}

impl Listed for Application {
    fn id(&self) -> &str {
        &self.meta.id
    }

    fn field(&self, name: &str) -> String {
        match name {
            "ownerId" => self.owner_id.clone(),
            other => self.meta.field(&self.props, other),
        }
    }
}

pub struct Certificate {
    pub meta: Meta,
    pub application_id: String,
    /// status, description, deviceIds, deviceTags, certificate, filterType,
    /// pubTopics, subTopics.
    pub props: Map<String, Value>,
    pub info: CertInfo,
}

impl Listed for Certificate {
    fn id(&self) -> &str {
        &self.meta.id
    }

    fn field(&self, name: &str) -> String {
        match name {
            "certificateInfo.commonName" => self.info.common_name.clone(),
            other => self.meta.field(&self.props, other),
        }
    }
}

pub struct Authority {
    pub meta: Meta,
    pub application_id: String,
    /// name, status, description, caBundle.
    pub props: Map<String, Value>,
    pub info: Vec<CertInfo>,
}

impl Listed for Authority {
    fn id(&self) -> &str {
        &self.meta.id
    }

    fn field(&self, name: &str) -> String {
        self.meta.field(&self.props, name)
    }
}

pub struct AccessKey {
    pub meta: Meta,
    pub application_id: String,
    pub key: String,
    /// SHA-256 of the secret: enough to verify it later, useless to leak.
    pub secret_sha256: [u8; 32],
    pub created_by: Actor,
    pub updated_by: Actor,
    /// status, name, description, deviceIds, deviceTags, filterType,
    /// pubTopics, subTopics, addressFilterType, addresses.
    pub props: Map<String, Value>,
}

impl AccessKey {
    /// Whether `secret` is this key's secret (`POST /auth/device`).
    pub fn verify(&self, secret: &str) -> bool {
        use sha2::{Digest, Sha256};
        let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        // Constant-time compare, as for any credential check.
        digest
            .iter()
            .zip(self.secret_sha256.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl AccessKey {
    /// Whether the key lets `device` connect: no deviceIds and no
    /// deviceTags means every device of the application.
    pub fn allows(&self, device: &Device) -> bool {
        let ids: Vec<&str> = self
            .props
            .get("deviceIds")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let tags: Vec<(&str, &str)> = self
            .props
            .get("deviceTags")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|t| Some((t.get("key")?.as_str()?, t.get("value")?.as_str()?)))
                    .collect()
            })
            .unwrap_or_default();
        if ids.is_empty() && tags.is_empty() {
            return true;
        }
        ids.iter().any(|id| id.eq_ignore_ascii_case(&device.id))
            || tags
                .iter()
                .any(|(k, v)| device.tags.iter().any(|(dk, dv)| dk == k && dv == v))
    }
}

impl Listed for AccessKey {
    fn id(&self) -> &str {
        &self.meta.id
    }

    fn field(&self, name: &str) -> String {
        match name {
            "key" => self.key.clone(),
            other => self.meta.field(&self.props, other),
        }
    }
}
