//! `POST /auth/user` and the bearer-token check every other route needs.

use std::sync::{Arc, OnceLock};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::error::{ApiError, ApiResult};
use super::format::{hex, now, random_hex};
use super::schema::{self, Body};
use super::state::{Session, Tenant};
use crate::sim::http::bearer;

pub const DEMO_EMAIL: &str = "admin@losant.portico.demo";
pub const DEMO_PASSWORD: &str = "portico-demo-losant";

/// Losant does not document how long a user token lives without `tokenTTL`;
/// 30 days is a guess.
const DEFAULT_TOKEN_TTL: Duration = Duration::days(30);

/// Who made a request, for `createdById`/`lastUpdatedById` on keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User(String),
    ApiToken(String),
    /// A device logged in through `POST /auth/device`.
    Device(String),
}

/// What the token of a request may do: its scopes and, for an
/// application token or a device, the one application it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub scopes: Vec<String>,
    pub application: Option<String>,
}

impl Actor {
    pub fn id(&self) -> &str {
        match self {
            Self::User(id) | Self::ApiToken(id) | Self::Device(id) => id,
        }
    }

    pub const fn kind(&self) -> &'static str {
        match self {
            Self::User(_) => "user",
            Self::ApiToken(_) => "apiToken",
            Self::Device(_) => "device",
        }
    }
}

/// The long-lived demo API token, derived from a fixed demo seed rather
/// than drawn at random: `portico sim --print-config` runs in a process of
/// its own, and the token it prints must work against every simulator
/// started later. Every Losant tenant router accepts it.
pub struct DemoApiToken {
    pub id: String,
    pub token: String,
}

/// The seed every demo credential is derived from. It is public on
/// purpose: the simulator serves demo data only.
const DEMO_SEED: &str = "portico-sim losant demo api token v1";

/// 2025-01-01T00:00:00Z: a fixed issue time keeps the token identical
/// across processes (Losant API tokens carry `iat`).
const DEMO_TOKEN_ISSUED: i64 = 1_735_689_600;

pub fn demo_api_token() -> &'static DemoApiToken {
    static TOKEN: OnceLock<DemoApiToken> = OnceLock::new();
    TOKEN.get_or_init(|| {
        let digest = Sha256::digest(DEMO_SEED.as_bytes());
        // An ObjectId: 4 bytes of time, then 8 bytes taken from the seed.
        let mut id = format!("{DEMO_TOKEN_ISSUED:08x}");
        id.push_str(&hex(&digest[..8]));
        let token = jwt(
            &digest,
            &json!({
                "sub": id,
                "subtype": "apiToken",
                "scope": ["all.User"],
                "iat": DEMO_TOKEN_ISSUED,
                "iss": "portico-sim",
            }),
        );
        DemoApiToken { id, token }
    })
}

/// Losant's tokens are HS256 JWTs; these look the same. The simulator
/// still keeps every issued token, so it never has to trust the signature.
pub fn jwt(key: &[u8], claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let signature = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(signing_input.as_bytes());
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length, so this arm is unreachable; a
        // random tail still keeps the token unguessable.
        Err(_) => random_hex(32),
    };
    format!("{signing_input}.{signature}")
}

/// Middleware: 401 unless the request carries a token this tenant issued
/// (or the demo API token); otherwise hands the `Actor` to the handler.
pub async fn require_token(
    State(tenant): State<Arc<Tenant>>,
    mut req: Request,
    next: Next,
) -> Response {
    let found = bearer(req.headers()).and_then(|token| resolve(&tenant, token));
    match found {
        Some((actor, grant)) => {
            req.extensions_mut().insert(actor);
            req.extensions_mut().insert(grant);
            next.run(req).await
        }
        None => ApiError::unauthorized().into_response(),
    }
}

/// Who a bearer token is and what it may do, or `None` when this tenant
/// never issued it, or it expired or was deactivated.
fn resolve(tenant: &Tenant, token: &str) -> Option<(Actor, Grant)> {
    let demo = demo_api_token();
    if token == demo.token {
        let grant = Grant {
            scopes: vec!["all.User".into()],
            application: None,
        };
        return Some((Actor::ApiToken(demo.id.clone()), grant));
    }
    let now = OffsetDateTime::now_utc();
    let state = tenant.lock();
    if let Some(session) = state.sessions.get(token) {
        if session.expires.is_some_and(|at| at <= now) {
            return None;
        }
        let actor = match session.application {
            Some(_) => Actor::Device(session.user_id.clone()),
            None => Actor::User(session.user_id.clone()),
        };
        let grant = Grant {
            scopes: session.scopes.clone(),
            application: session.application.clone(),
        };
        return Some((actor, grant));
    }
    let digest: [u8; 32] = <Sha256 as sha2::Digest>::digest(token.as_bytes()).into();
    let api = state.api_token(&digest, now)?;
    let grant = Grant {
        scopes: api.scopes(),
        application: Some(api.application_id.clone()),
    };
    Some((Actor::ApiToken(api.meta.id.clone()), grant))
}

/// `POST /auth/user` → 200 `{userId, token}` (authedUser.json).
pub async fn authenticate_user(
    State(tenant): State<Arc<Tenant>>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<Value>> {
    let bytes = body.map_err(|err| ApiError::bad_request(err.body_text()))?;
    let creds = schema::parse(Body::UserCredentials, &bytes)?;
    let email = creds
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let password = creds
        .get("password")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut state = tenant.lock();
    let user = &state.user;
    if !email.eq_ignore_ascii_case(&user.email) || password != user.password {
        return Err(ApiError::unauthorized());
    }
    let user_id = user.id.clone();
    let issued = now();
    // tokenTTL is in seconds; 0 is read as "no expiry" (undocumented).
    // A TTL too large to add to a date is treated the same way.
    let expires = match creds.get("tokenTTL") {
        None => Some(issued + DEFAULT_TOKEN_TTL),
        Some(ttl) => ttl
            .as_i64()
            .filter(|secs| *secs > 0)
            .and_then(|secs| issued.checked_add(Duration::seconds(secs))),
    };
    let mut claims = json!({
        "sub": user_id,
        "subtype": "user",
        "scope": ["all.User"],
        "iat": issued.unix_timestamp(),
        "iss": "portico-sim",
    });
    if let (Some(at), Some(obj)) = (expires, claims.as_object_mut()) {
        obj.insert("exp".into(), json!(at.unix_timestamp()));
    }
    let token = jwt(state.signing_key.as_bytes(), &claims);
    state.sessions.insert(
        token.clone(),
        Session {
            user_id: user_id.clone(),
            expires,
            scopes: vec!["all.User".into()],
            application: None,
        },
    );
    Ok(Json(json!({ "userId": user_id, "token": token })))
}

/// `POST /auth/device` → 200 authedDevice.json: an access key and its
/// secret log a device in, if the key is active and allows the device.
/// Every failure is the same 401, as for a user login.
pub async fn authenticate_device(
    State(tenant): State<Arc<Tenant>>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<Value>> {
    let bytes = body.map_err(|err| ApiError::bad_request(err.body_text()))?;
    let creds = schema::parse(Body::DeviceCredentials, &bytes)?;
    let text = |k: &str| creds.get(k).and_then(Value::as_str).unwrap_or_default();
    let (device_id, key, secret) = (
        text("deviceId").to_ascii_lowercase(),
        text("key"),
        text("secret"),
    );
    let mut state = tenant.lock();
    let found = state.applications.iter().find_map(|app| {
        let k = app.keys.iter().find(|k| k.key == key)?;
        let device = app.devices.iter().find(|d| d.id == device_id)?;
        let active = k.props.get("status").and_then(Value::as_str) != Some("inactive");
        (active && k.verify(secret) && k.allows(device)).then(|| {
            let prop = |name: &str| k.props.get(name).cloned();
            (
                app.meta.id.clone(),
                device.device_class,
                prop("filterType").unwrap_or_else(|| json!("all")),
                prop("pubTopics").unwrap_or_else(|| json!([])),
                prop("subTopics").unwrap_or_else(|| json!([])),
            )
        })
    });
    let Some((app_id, class, filter, publish, subscribe)) = found else {
        return Err(ApiError::unauthorized());
    };
    let issued = now();
    let expires = match creds.get("tokenTTL").and_then(Value::as_i64) {
        Some(secs) if secs > 0 => issued.checked_add(Duration::seconds(secs)),
        Some(_) => None,
        None => Some(issued + DEFAULT_TOKEN_TTL),
    };
    let scopes: Vec<String> = match creds.get("requestedScopes").and_then(Value::as_array) {
        Some(list) if !list.is_empty() => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => vec!["all.Device".into()],
    };
    let token = jwt(
        state.signing_key.as_bytes(),
        &json!({
            "sub": device_id,
            "subtype": "device",
            "scope": scopes,
            "iat": issued.unix_timestamp(),
            "iss": "portico-sim",
        }),
    );
    state.sessions.insert(
        token.clone(),
        Session {
            user_id: device_id.clone(),
            expires,
            scopes,
            application: Some(app_id.clone()),
        },
    );
    Ok(Json(json!({
        "applicationId": app_id,
        "deviceId": device_id,
        "deviceClass": class,
        "token": token,
        "ownerType": "user",
        "filterType": filter,
        "pubTopics": publish,
        "subTopics": subscribe,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::AUTHORIZATION;
    use axum::http::{HeaderMap, HeaderValue};

    #[test]
    fn bearer_parsing() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer abc"));
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(AUTHORIZATION, HeaderValue::from_static("bearer  abc "));
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn demo_token_is_derived_from_the_seed_alone() {
        let demo = demo_api_token();
        assert_eq!(demo.token.split('.').count(), 3);
        assert_eq!(demo.id.len(), 24);
        assert!(demo.id.starts_with(&format!("{DEMO_TOKEN_ISSUED:08x}")));
        // Recomputed from scratch, it is the same token: nothing per process.
        let digest = Sha256::digest(DEMO_SEED.as_bytes());
        let claims = json!({
            "sub": demo.id,
            "subtype": "apiToken",
            "scope": ["all.User"],
            "iat": DEMO_TOKEN_ISSUED,
            "iss": "portico-sim",
        });
        assert_eq!(jwt(&digest, &claims), demo.token);
    }
}
