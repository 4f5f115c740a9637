//! The in-memory database of one simulated Zou, and the token bookkeeping
//! that goes with it.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime, Time};

use super::clock;
use super::jwt::{Claims, Signer};
use super::schema::{self, ENTITY_TYPE, PERSON, Record, new_id, text};
use crate::sim::ordered::Ordered;

/// flask-jwt-extended's lifetimes as Zou configures them.
pub const ACCESS_LIFETIME: Duration = Duration::days(7);
pub const REFRESH_LIFETIME: Duration = Duration::days(15);

/// Entity types that are not asset types (Zou's temporal types).
pub const TEMPORAL_TYPES: &[&str] = &[
    "Episode",
    "Sequence",
    "Shot",
    "Scene",
    "Edit",
    "Concept",
    "ConceptFolder",
];

#[derive(Default)]
pub struct Store {
    pub organisation: Record,
    /// Persons and bots, their list orders remembered until the next write.
    pub persons: Ordered<Record>,
    /// Person id → password. Kept out of the person records so no view can
    /// ever serialize it.
    pub passwords: HashMap<String, String>,
    pub project_statuses: Vec<Record>,
    pub projects: Vec<Record>,
    pub entity_types: Vec<Record>,
    pub task_types: Vec<Record>,
    pub departments: Vec<Record>,
    /// Assets and episodes.
    pub entities: Vec<Record>,
    pub entity_links: Vec<Record>,
    /// Person id → second factors (secrets, mailed codes, recovery codes),
    /// kept out of the records like the passwords.
    pub factors: HashMap<String, super::otp::Factors>,
    /// Revoked `jti`s of person tokens (Zou keeps them in Redis).
    pub revoked: HashSet<String>,
}

pub fn position(list: &[Record], id: &str) -> Option<usize> {
    list.iter().position(|r| text(r, "id") == id)
}

pub fn find<'a>(list: &'a [Record], id: &str) -> Option<&'a Record> {
    list.iter().find(|r| text(r, "id") == id)
}

impl Store {
    pub fn person(&self, id: &str) -> Option<&Record> {
        find(&self.persons, id)
    }

    pub fn person_mut(&mut self, id: &str) -> Option<&mut Record> {
        self.persons
            .write()
            .iter_mut()
            .find(|p| text(p, "id") == id)
    }

    pub fn status_named(&self, name: &str) -> Option<&Record> {
        self.project_statuses
            .iter()
            .find(|s| text(s, "name") == name)
    }

    pub fn open_status_id(&self) -> String {
        self.status_named("Open")
            .map(|s| text(s, "id").to_owned())
            .unwrap_or_default()
    }

    pub fn is_open(&self, project: &Record) -> bool {
        text(project, "project_status_id") == self.open_status_id()
    }

    #[allow(
        clippy::unused_self,
        reason = "a view of the store, called as one beside views that read it"
    )]
    pub fn is_asset_type(&self, entity_type: &Record) -> bool {
        !TEMPORAL_TYPES.contains(&text(entity_type, "name"))
    }

    pub fn entity_type_named(&self, name: &str) -> Option<&Record> {
        self.entity_types.iter().find(|t| text(t, "name") == name)
    }

    /// A person's view for admins (and managers reading one person): every
    /// column but the secrets, plus `full_name`; `departments` only with
    /// relations, as in the single-person, login and write answers.
    #[allow(
        clippy::unused_self,
        reason = "a view of the store, called as one beside views that read it"
    )]
    pub fn person_safe(&self, person: &Record, relations: bool) -> Map<String, Value> {
        let mut out = schema::serialize(&PERSON, person, relations);
        out.insert("full_name".into(), Value::String(full_name(person)));
        out
    }

    /// What other users see of a person.
    #[allow(
        clippy::unused_self,
        reason = "a view of the store, called as one beside views that read it"
    )]
    pub fn person_minimal(&self, person: &Record) -> Map<String, Value> {
        let mut out = Map::new();
        for key in [
            "id",
            "first_name",
            "last_name",
            "has_avatar",
            "active",
            "departments",
            "role",
            "desktop_login",
            "is_bot",
            "studio_id",
        ] {
            out.insert(key.into(), person.get(key).cloned().unwrap_or(Value::Null));
        }
        out.insert("full_name".into(), Value::String(full_name(person)));
        out.insert("type".into(), Value::String("Person".into()));
        out
    }

    #[allow(
        clippy::unused_self,
        reason = "a view of the store, called as one beside views that read it"
    )]
    pub fn asset_type_view(&self, entity_type: &Record, relations: bool) -> Map<String, Value> {
        let mut out = schema::serialize(&ENTITY_TYPE, entity_type, relations);
        out.insert("type".into(), Value::String("AssetType".into()));
        out
    }

    /// A person or bot token that is not in the blocklist: person tokens are
    /// revoked by jti, bot tokens are valid while their jti is the one
    /// stored on the bot (Zou's `is_jti_revoked`).
    pub fn is_revoked(&self, claims: &Claims) -> bool {
        let jti = claims.get("jti").and_then(Value::as_str).unwrap_or("");
        match claims.get("identity_type").and_then(Value::as_str) {
            Some("person") => self.revoked.contains(jti),
            Some("bot" | "person_api") => !self
                .persons
                .iter()
                .any(|p| p.get("jti").and_then(Value::as_str) == Some(jti)),
            _ => true,
        }
    }
}

pub fn full_name(person: &Record) -> String {
    format!(
        "{} {}",
        text(person, "first_name"),
        text(person, "last_name")
    )
    .trim()
    .to_owned()
}

fn base_claims(sub: &str, kind: &str, identity_type: &str, now: OffsetDateTime) -> Claims {
    let t = clock::unix(now);
    let mut claims = Claims::new();
    claims.insert("iat".into(), t.into());
    claims.insert("nbf".into(), t.into());
    claims.insert("jti".into(), Value::String(new_id()));
    claims.insert("type".into(), kind.into());
    claims.insert("sub".into(), sub.into());
    claims.insert("identity_type".into(), identity_type.into());
    claims
}

/// The pair `POST /auth/login` returns. The access token carries the
/// refresh token's jti so logging out can revoke both.
pub fn login_tokens(signer: &Signer, person_id: &str) -> (String, String) {
    let now = clock::now();
    let mut refresh = base_claims(person_id, "refresh", "person", now);
    refresh.insert("exp".into(), clock::unix(now + REFRESH_LIFETIME).into());
    let refresh_jti = refresh.get("jti").cloned().unwrap_or(Value::Null);
    let access = access_claims(person_id, "person", refresh_jti, now);
    (signer.encode(&access), signer.encode(&refresh))
}

pub fn access_claims(
    person_id: &str,
    identity_type: &str,
    refresh_jti: Value,
    now: OffsetDateTime,
) -> Claims {
    let mut claims = base_claims(person_id, "access", identity_type, now);
    claims.insert("fresh".into(), false.into());
    claims.insert("exp".into(), clock::unix(now + ACCESS_LIFETIME).into());
    claims.insert("refresh_jti".into(), refresh_jti);
    claims
}

/// Zou's `create_access_token_for_raw_person`: no expiry unless the person
/// has an expiration date, then the end of that day (UTC), which the real
/// server rounds to the next midnight. Storing the new jti on the person
/// revokes whatever token it had before.
pub fn api_token(signer: &Signer, person: &mut Record) -> String {
    let now = clock::now();
    let identity_type = if schema::flag(person, "is_bot") {
        "bot"
    } else {
        "person_api"
    };
    let id = text(person, "id").to_owned();
    let mut claims = base_claims(&id, "access", identity_type, now);
    claims.insert("fresh".into(), false.into());
    let expiry = person
        .get("expiration_date")
        .and_then(Value::as_str)
        .and_then(clock::parse_date);
    if let Some(date) = expiry {
        let end_of_day = date.with_time(Time::MIDNIGHT).assume_utc() + Duration::days(1);
        claims.insert("exp".into(), clock::unix(end_of_day).into());
    }
    if let Some(jti) = claims.get("jti").cloned() {
        person.insert("jti".into(), jti);
    }
    signer.encode(&claims)
}
