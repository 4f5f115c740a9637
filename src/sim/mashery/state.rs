//! One simulated Mashery area: the V3 API keys allowed to call it, its
//! admin users, issued tokens, members, applications, packages with their
//! plans, and package keys.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::format::mashery_time;

/// Calls a second each V3 API key may make unless told otherwise.
pub const DEFAULT_QPS: u32 = 2;
/// Calls a day each V3 API key may make unless told otherwise.
pub const DEFAULT_DAILY_QUOTA: u64 = 100_000;
/// Lifetime of an access token, as Mashery documents it.
pub const TOKEN_LIFETIME: Duration = Duration::from_hours(1);

pub struct Area {
    inner: Mutex<AreaState>,
}

impl Area {
    pub const fn new(state: AreaState) -> Self {
        Self {
            inner: Mutex::new(state),
        }
    }

    /// Handlers check everything before they write, so a poisoned lock
    /// never holds half an update.
    pub fn lock(&self) -> MutexGuard<'_, AreaState> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Why the gateway refused a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    OverQps,
    OverRate,
}

/// A key for the V3 API itself (the `mapi`), with its own limits.
pub struct ApiKey {
    pub key: String,
    pub secret: String,
    pub qps: u32,
    pub daily_quota: u64,
    /// Calls refused as over the QPS, so a test can tell a client that
    /// kept to the limit from one that was made to wait.
    pub over_qps: u64,
    recent: VecDeque<Instant>,
    day: time::Date,
    used_today: u64,
}

impl ApiKey {
    pub fn new(key: &str, secret: &str, qps: u32, daily_quota: u64) -> Self {
        Self {
            key: key.into(),
            secret: secret.into(),
            qps,
            daily_quota,
            over_qps: 0,
            recent: VecDeque::new(),
            day: OffsetDateTime::now_utc().date(),
            used_today: 0,
        }
    }

    /// Counts a call, or says why it is refused. A refused call is not
    /// counted, so a client that waits gets through. The quota is checked
    /// first: waiting a second never helps an exhausted day.
    pub fn admit(&mut self, now: Instant, today: time::Date) -> Result<(), Throttle> {
        if today != self.day {
            self.day = today;
            self.used_today = 0;
        }
        if self.used_today >= self.daily_quota {
            return Err(Throttle::OverRate);
        }
        while self
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            self.recent.pop_front();
        }
        if self.recent.len() >= self.qps as usize {
            self.over_qps += 1;
            return Err(Throttle::OverQps);
        }
        self.recent.push_back(now);
        self.used_today += 1;
        Ok(())
    }
}

pub struct User {
    pub username: String,
    pub password: String,
}

pub struct Token {
    pub api_key: String,
    pub expires: Instant,
}

pub struct RefreshGrant {
    pub api_key: String,
    pub username: String,
}

pub struct Member {
    pub id: String,
    pub username: String,
    pub created: OffsetDateTime,
    pub updated: OffsetDateTime,
    /// email, displayName, firstName, lastName, company, uri, areaStatus.
    pub props: Map<String, Value>,
}

impl Member {
    pub const IMPLICIT: &'static [&'static str] = &[
        "id",
        "username",
        "created",
        "updated",
        "email",
        "displayName",
        "firstName",
        "lastName",
        "company",
        "uri",
        "areaStatus",
    ];

    pub fn doc(&self) -> Value {
        let mut out = self.props.clone();
        out.insert("id".into(), json!(self.id));
        out.insert("username".into(), json!(self.username));
        out.insert("created".into(), json!(mashery_time(self.created)));
        out.insert("updated".into(), json!(mashery_time(self.updated)));
        Value::Object(out)
    }
}

pub struct Application {
    pub id: String,
    pub created: OffsetDateTime,
    pub updated: OffsetDateTime,
    /// The settable fields of [`APP_FIELDS`], `username` included.
    pub props: Map<String, Value>,
    pub eav: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Str,
    Bool,
}

/// Application fields a client may set, with their JSON types.
pub const APP_FIELDS: &[(&str, Ty)] = &[
    ("name", Ty::Str),
    ("username", Ty::Str),
    ("description", Ty::Str),
    ("type", Ty::Str),
    ("commercial", Ty::Bool),
    ("ads", Ty::Bool),
    ("adsSystem", Ty::Str),
    ("usageModel", Ty::Str),
    ("tags", Ty::Str),
    ("notes", Ty::Str),
    ("howDidYouHear", Ty::Str),
    ("preferredProtocol", Ty::Str),
    ("preferredOutput", Ty::Str),
    ("externalId", Ty::Str),
    ("uri", Ty::Str),
    ("oauthRedirectUri", Ty::Str),
];

impl Application {
    /// Everything but the explicit-fetch `packageKeys` and `eav`.
    pub const IMPLICIT: &'static [&'static str] = &[
        "id",
        "created",
        "updated",
        "name",
        "username",
        "description",
        "type",
        "commercial",
        "ads",
        "adsSystem",
        "usageModel",
        "tags",
        "notes",
        "howDidYouHear",
        "preferredProtocol",
        "preferredOutput",
        "externalId",
        "uri",
        "oauthRedirectUri",
    ];

    pub fn username(&self) -> &str {
        self.props
            .get("username")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// The area's applications, their list orders remembered until the next
/// write.
pub type Applications = crate::sim::ordered::Ordered<Application>;

pub struct Plan {
    pub id: String,
    pub name: String,
    pub description: String,
    pub qps_limit_ceiling: i64,
    pub rate_limit_ceiling: i64,
    pub rate_limit_period: &'static str,
    pub created: OffsetDateTime,
}

impl Plan {
    pub fn doc(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "created": mashery_time(self.created),
            "updated": mashery_time(self.created),
            "qpsLimitCeiling": self.qps_limit_ceiling,
            "rateLimitCeiling": self.rate_limit_ceiling,
            "rateLimitPeriod": self.rate_limit_period,
        })
    }
}

pub struct Package {
    pub id: String,
    pub name: String,
    pub description: String,
    pub created: OffsetDateTime,
    pub shared_secret_length: usize,
    pub key_length: usize,
    pub plans: Vec<Plan>,
}

impl Package {
    pub const IMPLICIT: &'static [&'static str] = &[
        "id",
        "name",
        "description",
        "created",
        "updated",
        "sharedSecretLength",
        "keyLength",
    ];

    pub fn doc(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "created": mashery_time(self.created),
            "updated": mashery_time(self.created),
            "sharedSecretLength": self.shared_secret_length,
            "keyLength": self.key_length,
            "plans": self.plans.iter().map(Plan::doc).collect::<Vec<_>>(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    Active,
    Waiting,
    Disabled,
}

impl KeyStatus {
    pub const fn word(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Waiting => "waiting",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "waiting" => Some(Self::Waiting),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

pub struct PackageKey {
    pub id: String,
    pub apikey: String,
    pub secret: String,
    pub created: OffsetDateTime,
    pub updated: OffsetDateTime,
    pub application_id: String,
    pub package_id: String,
    pub plan_id: String,
    pub status: KeyStatus,
    pub rate_limit_ceiling: Option<i64>,
    pub rate_limit_exempt: bool,
    pub qps_limit_ceiling: Option<i64>,
    pub qps_limit_exempt: bool,
    pub expires: Option<String>,
}

impl PackageKey {
    /// Everything but the explicit-fetch `limits`, `package` and `plan`.
    pub const IMPLICIT: &'static [&'static str] = &[
        "id",
        "apikey",
        "secret",
        "created",
        "updated",
        "rateLimitCeiling",
        "rateLimitExempt",
        "qpsLimitCeiling",
        "qpsLimitExempt",
        "status",
        "expires",
    ];
}

pub struct AreaState {
    pub area_uuid: String,
    pub api_keys: Vec<ApiKey>,
    pub users: Vec<User>,
    pub tokens: HashMap<String, Token>,
    pub refresh: HashMap<String, RefreshGrant>,
    pub members: Vec<Member>,
    pub applications: Applications,
    pub packages: Vec<Package>,
    pub keys: Vec<PackageKey>,
}

impl AreaState {
    pub fn api_key_mut(&mut self, key: &str) -> Option<&mut ApiKey> {
        self.api_keys.iter_mut().find(|k| k.key == key)
    }

    /// Members are addressed by username, as the vendor clients do, or by id.
    pub fn member_index(&self, who: &str) -> Option<usize> {
        self.members
            .iter()
            .position(|m| m.username == who || m.id == who)
    }

    pub fn app_index(&self, id: &str) -> Option<usize> {
        self.applications.iter().position(|a| a.id == id)
    }

    pub fn key_index(&self, id: &str) -> Option<usize> {
        self.keys.iter().position(|k| k.id == id)
    }

    pub fn package(&self, id: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.id == id)
    }

    pub fn key_doc(&self, k: &PackageKey) -> Value {
        let package = self.package(&k.package_id);
        let plan = package.and_then(|p| p.plans.iter().find(|pl| pl.id == k.plan_id));
        let mut limits = Vec::new();
        if let Some(plan) = plan {
            limits.push(json!({
                "period": "second",
                "source": if k.qps_limit_ceiling.is_some() { "override" } else { "plan" },
                "ceiling": k.qps_limit_ceiling.unwrap_or(plan.qps_limit_ceiling),
            }));
            limits.push(json!({
                "period": plan.rate_limit_period,
                "source": if k.rate_limit_ceiling.is_some() { "override" } else { "plan" },
                "ceiling": k.rate_limit_ceiling.unwrap_or(plan.rate_limit_ceiling),
            }));
        }
        json!({
            "id": k.id,
            "apikey": k.apikey,
            "secret": k.secret,
            "created": mashery_time(k.created),
            "updated": mashery_time(k.updated),
            "rateLimitCeiling": k.rate_limit_ceiling,
            "rateLimitExempt": k.rate_limit_exempt,
            "qpsLimitCeiling": k.qps_limit_ceiling,
            "qpsLimitExempt": k.qps_limit_exempt,
            "status": k.status.word(),
            "expires": k.expires,
            "limits": limits,
            "package": package.map(|p| {
                let mut d = p.doc();
                if let Some(o) = d.as_object_mut() {
                    o.remove("plans");
                }
                d
            }),
            "plan": plan.map(Plan::doc),
        })
    }

    pub fn app_doc(&self, a: &Application) -> Value {
        let keys = self.keys.iter().filter(|k| k.application_id == a.id);
        self.app_doc_with(a, keys)
    }

    /// Every application's document, in order, with the package keys
    /// grouped once: a list of many applications would otherwise scan
    /// every key for each of them.
    pub fn app_docs<'a>(&'a self, apps: impl Iterator<Item = &'a Application>) -> Vec<Value> {
        let mut by_app: HashMap<&str, Vec<&PackageKey>> = HashMap::new();
        for k in &self.keys {
            by_app.entry(k.application_id.as_str()).or_default().push(k);
        }
        apps.map(|a| {
            let keys = by_app.get(a.id.as_str()).into_iter().flatten().copied();
            self.app_doc_with(a, keys)
        })
        .collect()
    }

    fn app_doc_with<'a>(
        &self,
        a: &Application,
        keys: impl Iterator<Item = &'a PackageKey>,
    ) -> Value {
        let mut out = a.props.clone();
        for name in ["id", "created", "updated", "eav"] {
            if let Some(v) = Self::app_own_field(a, name) {
                out.insert(name.into(), v);
            }
        }
        let keys: Vec<Value> = keys.map(|k| self.key_doc(k)).collect();
        out.insert("packageKeys".into(), Value::Array(keys));
        Value::Object(out)
    }

    /// An application's document with only the top-level fields `names`,
    /// and never its package keys: what a filter or sort over many
    /// applications reads, built for a fraction of a whole document.
    pub fn app_doc_of(a: &Application, names: &[&str]) -> Value {
        let mut out = Map::new();
        for &name in names {
            if let Some(v) = Self::app_own_field(a, name).or_else(|| a.props.get(name).cloned()) {
                out.insert(name.into(), v);
            }
        }
        Value::Object(out)
    }

    /// The fields an application's document holds beyond its properties.
    fn app_own_field(a: &Application, name: &str) -> Option<Value> {
        match name {
            "id" => Some(json!(a.id)),
            "created" => Some(json!(mashery_time(a.created))),
            "updated" => Some(json!(mashery_time(a.updated))),
            "eav" => Some(Value::Object(a.eav.clone())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qps_refuses_the_third_call_in_a_second_and_admits_it_later() {
        let mut k = ApiKey::new("k", "s", 2, 10);
        let t0 = Instant::now();
        let day = OffsetDateTime::now_utc().date();
        assert_eq!(k.admit(t0, day), Ok(()));
        assert_eq!(k.admit(t0, day), Ok(()));
        assert_eq!(k.admit(t0, day), Err(Throttle::OverQps));
        assert_eq!(k.admit(t0 + Duration::from_secs(1), day), Ok(()));
    }

    #[test]
    fn the_quota_is_per_day() {
        let mut k = ApiKey::new("k", "s", 100, 2);
        let t0 = Instant::now();
        let day = OffsetDateTime::now_utc().date();
        assert_eq!(k.admit(t0, day), Ok(()));
        assert_eq!(k.admit(t0, day), Ok(()));
        assert_eq!(k.admit(t0, day), Err(Throttle::OverRate));
        let tomorrow = day.next_day().unwrap_or(day);
        assert_eq!(k.admit(t0, tomorrow), Ok(()));
    }
}
