//! Authentication: token lookup as flask-jwt-extended does it (cookies, then
//! the `Authorization` header), Zou's blocklist and identity checks, and the
//! `/auth/*` routes.

use std::convert::Infallible;
use std::sync::MutexGuard;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};

use super::Shared;
use super::clock;
use super::errors::{ApiError, ApiResult, ok};
use super::jwt::{Claims, TokenError};
use super::otp;
use super::query;
use super::schema::{Record, flag, ids, text};
use super::store::{self, Store};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Access,
    Refresh,
}

/// The authenticated identity of a request.
pub struct Caller {
    pub id: String,
    pub role: String,
    pub claims: Claims,
}

impl Caller {
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }

    pub fn is_manager(&self) -> bool {
        matches!(self.role.as_str(), "admin" | "manager")
    }

    /// Admins see every production, everyone else the ones whose team they
    /// are in.
    pub fn can_read(&self, project: &Record) -> bool {
        self.is_admin() || ids(project, "team").contains(&self.id)
    }

    /// Admins, and managers in the production's team.
    pub fn can_manage(&self, project: &Record) -> bool {
        self.is_admin() || self.is_manager() && ids(project, "team").contains(&self.id)
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// The production, if the caller may read it.
    pub fn reading<'a>(&self, project: &'a Record) -> Result<&'a Record, ApiError> {
        if self.can_read(project) {
            Ok(project)
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// The production, if the caller may manage it.
    pub fn managing<'a>(&self, project: &'a Record) -> Result<&'a Record, ApiError> {
        if self.can_manage(project) {
            Ok(project)
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// What every data route starts from. Extracting it never fails: the token
/// is checked by `session`, under the same lock as the work the handler
/// then does (identifying a caller can itself change the store).
pub struct Call {
    pub shared: Shared,
    pub headers: HeaderMap,
}

impl FromRequestParts<Shared> for Call {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Infallible> {
        Ok(Self {
            shared: state.clone(),
            headers: parts.headers.clone(),
        })
    }
}

impl Call {
    /// The locked store and the authenticated caller.
    pub fn session(&self) -> Result<(MutexGuard<'_, Store>, Caller), ApiError> {
        let mut st = self.shared.lock();
        let caller = authenticate(&self.shared, &mut st, &self.headers)?;
        Ok((st, caller))
    }

    /// The request body as a JSON object, with Zou's errors.
    pub fn json(&self, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
        query::json_body(&self.headers, body)
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
}

/// Where flask-jwt-extended finds a token, with its wording when it finds
/// none. Zou looks in cookies first, then headers.
fn find_token(headers: &HeaderMap, want: Want) -> Result<String, ApiError> {
    let cookie_name = match want {
        Want::Access => "access_token_cookie",
        Want::Refresh => "refresh_token_cookie",
    };
    if let Some(token) = cookie(headers, cookie_name) {
        return Ok(token);
    }
    let cookie_error = format!("Missing cookie \"{cookie_name}\"");
    let header = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .trim_matches(',');
    let header_error = if header.is_empty() {
        "Missing Authorization Header".to_owned()
    } else {
        let bearers: Vec<&str> = header
            .split(',')
            .map(str::trim)
            .filter(|part| part.split_whitespace().next() == Some("Bearer"))
            .collect();
        match bearers.as_slice() {
            [one] => {
                let parts: Vec<&str> = one.split_whitespace().collect();
                return match parts.as_slice() {
                    [_, token] => Ok((*token).to_owned()),
                    _ => Err(ApiError::jwt_unprocessable(
                        "Bad Authorization header. Expected 'Authorization: Bearer <JWT>'",
                    )),
                };
            }
            _ => "Missing 'Bearer' type in 'Authorization' header. \
                  Expected 'Authorization: Bearer <JWT>'"
                .to_owned(),
        }
    };
    Err(ApiError::jwt_unauthorized(format!(
        "Missing JWT in cookies or headers ({cookie_error}; {header_error})"
    )))
}

/// Decoding, claim checks and the blocklist, in flask-jwt-extended's order.
pub fn verify(
    shared: &Shared,
    st: &Store,
    headers: &HeaderMap,
    want: Want,
) -> Result<Claims, ApiError> {
    let token = find_token(headers, want)?;
    let claims = match shared.signer.decode(&token, clock::unix(clock::now())) {
        Ok(claims) => claims,
        Err(TokenError::Invalid(message)) => return Err(ApiError::jwt_unprocessable(message)),
        // Zou registers its own ExpiredSignatureError handler after
        // JWTManager's, so its body wins over flask-jwt-extended's
        // {"msg":"Token has expired"}; it is also the text gazu looks for
        // before refreshing.
        Err(TokenError::Expired) => {
            return Err(ApiError::Message(
                StatusCode::UNAUTHORIZED,
                "Signature has expired".into(),
            ));
        }
    };
    if !claims.contains_key("sub") {
        return Err(ApiError::jwt_unprocessable("Missing claim: sub"));
    }
    let is_refresh = claims.get("type").and_then(Value::as_str) == Some("refresh");
    match want {
        Want::Refresh if !is_refresh => {
            return Err(ApiError::jwt_unprocessable(
                "Only refresh tokens are allowed",
            ));
        }
        Want::Access if is_refresh => {
            return Err(ApiError::jwt_unprocessable(
                "Only non-refresh tokens are allowed",
            ));
        }
        _ => {}
    }
    if st.is_revoked(&claims) {
        return Err(ApiError::jwt_unauthorized("Token has been revoked"));
    }
    Ok(claims)
}

/// Zou's identity loader: the person must exist and be active. A
/// deactivated person's token is also logged out on the way, so its next
/// use reads as revoked.
pub fn identify(st: &mut Store, claims: Claims) -> Result<Caller, ApiError> {
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("");
    let person = st.person(sub).ok_or(ApiError::Unauthorized)?;
    if !flag(person, "active") {
        let jti = claims.get("jti").and_then(Value::as_str);
        if claims.get("identity_type").and_then(Value::as_str) == Some("person")
            && let Some(jti) = jti
        {
            st.revoked.insert(jti.to_owned());
        }
        return Err(ApiError::Unauthorized);
    }
    Ok(Caller {
        id: sub.to_owned(),
        role: text(person, "role").to_owned(),
        claims,
    })
}

pub fn authenticate(
    shared: &Shared,
    st: &mut Store,
    headers: &HeaderMap,
) -> Result<Caller, ApiError> {
    let claims = verify(shared, st, headers, Want::Access)?;
    identify(st, claims)
}

fn organisation(st: &Store) -> Value {
    Value::Object(st.organisation.clone())
}

/// Pydantic's checks on the login payload: `email` a non-empty string,
/// `password` an optional string, and the optional second-factor codes.
fn validate_login(
    body: &Map<String, Value>,
) -> Result<(String, Option<String>, otp::Codes), ApiError> {
    let mut errors = Vec::new();
    let email = match body.get("email") {
        None => {
            errors.push(("email".to_owned(), "Field required".to_owned()));
            None
        }
        Some(Value::String(s)) if s.is_empty() => {
            errors.push((
                "email".to_owned(),
                "String should have at least 1 character".to_owned(),
            ));
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push((
                "email".to_owned(),
                "Input should be a valid string".to_owned(),
            ));
            None
        }
    };
    let password = match body.get("password") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push((
                "password".to_owned(),
                "Input should be a valid string".to_owned(),
            ));
            None
        }
    };
    let codes = otp::Codes::read(body, &mut errors);
    match email {
        Some(email) if errors.is_empty() => Ok((email, password, codes)),
        _ => Err(ApiError::Validation(errors)),
    }
}

fn wrong_credentials() -> ApiError {
    ApiError::Body(
        StatusCode::BAD_REQUEST,
        json!({"login": false, "message": "Wrong email or password."}),
    )
}

/// Key marking a person who has data Zou would refuse to orphan (login
/// logs, tasks…): deleting them then needs `force`.
pub const HAS_LINKED_DATA: &str = "has_linked_data";

pub async fn login(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let body = query::json_or_form(&headers, &body);
    let (email, password, codes) = validate_login(&body)?;
    let mut st = shared.lock();
    // Emails are stored lowercased. Zou also matches the desktop login, for
    // desktop tools that only know the OS user name.
    let wanted = email.trim().to_lowercase();
    let person: &Record = st
        .persons
        .iter()
        .find(|p| text(p, "email") == wanted)
        .or_else(|| {
            st.persons
                .iter()
                .find(|p| text(p, "desktop_login") == email)
        })
        .ok_or_else(wrong_credentials)?;
    let id = text(person, "id").to_owned();
    let stored = st.passwords.get(&id).ok_or_else(wrong_credentials)?;
    if flag(person, "is_bot") || password.as_deref() != Some(stored.as_str()) {
        return Err(wrong_credentials());
    }
    if !flag(person, "active") {
        return Err(ApiError::Body(
            StatusCode::UNAUTHORIZED,
            json!({
                "error": true, "login": false, "unactive": true,
                "message": "User is unactive, he cannot log in.",
            }),
        ));
    }
    otp::check_login(&mut st, &id, &codes)?;
    let person = st.person(&id).ok_or_else(wrong_credentials)?;
    let user = st.person_safe(person, true);
    if let Some(person) = st.person_mut(&id) {
        person.insert(HAS_LINKED_DATA.into(), Value::Bool(true));
    }
    let (access_token, refresh_token) = store::login_tokens(&shared.signer, &id);
    ok(
        StatusCode::OK,
        json!({
            "user": user,
            "organisation": organisation(&st),
            "login": true,
            "access_token": access_token,
            "refresh_token": refresh_token,
        }),
    )
}

pub async fn refresh(State(shared): State<Shared>, headers: HeaderMap) -> ApiResult {
    let mut st = shared.lock();
    let claims = verify(&shared, &st, &headers, Want::Refresh)?;
    let caller = identify(&mut st, claims)?;
    let identity_type = caller
        .claims
        .get("identity_type")
        .cloned()
        .unwrap_or_else(|| "person".into());
    let identity_type = identity_type.as_str().unwrap_or("person");
    let refresh_jti = caller.claims.get("jti").cloned().unwrap_or(Value::Null);
    let claims = store::access_claims(&caller.id, identity_type, refresh_jti, clock::now());
    ok(
        StatusCode::OK,
        json!({"access_token": shared.signer.encode(&claims)}),
    )
}

pub async fn authenticated(State(shared): State<Shared>, headers: HeaderMap) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &mut st, &headers)?;
    let person = st.person(&caller.id).ok_or(ApiError::Unauthorized)?;
    let mut user = st.person_safe(person, true);
    // Only this view lists the person's FIDO devices (none are simulated).
    user.insert("fido_devices".into(), json!([]));
    ok(
        StatusCode::OK,
        json!({
            "authenticated": true,
            "user": user,
            "organisation": organisation(&st),
        }),
    )
}

/// Revokes the access token and the refresh token it was issued with.
/// Only people log out: a bot gets 403 and keeps its token.
pub async fn logout(State(shared): State<Shared>, headers: HeaderMap) -> ApiResult {
    let mut st = shared.lock();
    let claims = verify(&shared, &st, &headers, Want::Access)?;
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("");
    // flask-jwt-extended's own user-lookup error, since Zou's loader lets
    // this route through.
    if st.person(sub).is_none() {
        return Err(ApiError::jwt_unauthorized(format!(
            "Error loading the user {sub}"
        )));
    }
    if claims.get("identity_type").and_then(Value::as_str) != Some("person") {
        return Err(ApiError::Forbidden);
    }
    for key in ["jti", "refresh_jti"] {
        if let Some(jti) = claims.get(key).and_then(Value::as_str) {
            st.revoked.insert(jti.to_owned());
        }
    }
    ok(StatusCode::OK, json!({"logout": true}))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::body::to_bytes;
    use axum::http::HeaderValue;
    use axum::response::IntoResponse;

    use super::*;
    use crate::sim::kitsu::{Kitsu, jwt::Signer, seed};

    /// No HTTP route can mint an expired token, so expiry is checked here
    /// with a token signed by the simulator's own key.
    #[tokio::test]
    async fn expired_tokens_get_zous_body() {
        let signer = Signer::random();
        let store = seed::demo(&signer);
        let person = text(&store.persons[0], "id").to_owned();
        let shared: Shared = Arc::new(Kitsu {
            signer,
            store: Mutex::new(store),
        });
        let past = clock::now() - time::Duration::days(8);
        let claims = store::access_claims(&person, "person", Value::Null, past);
        let token = shared.signer.encode(&claims);
        let mut headers = HeaderMap::new();
        let bearer = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
        headers.insert(AUTHORIZATION, bearer);

        let error = {
            let st = shared.lock();
            verify(&shared, &st, &headers, Want::Access).unwrap_err()
        };
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body = to_bytes(response.into_body(), 1024).await.unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body,
            json!({"error": true, "message": "Signature has expired"})
        );
    }
}
