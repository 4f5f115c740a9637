//! `POST /v3/token` (HTTP Basic with the V3 API key and secret, a form with
//! a password or `refresh_token` grant) and the gateway in front of
//! `/v3/rest`: bearer check, then per-key QPS and daily quota.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Request, State};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, HOST};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use time::OffsetDateTime;

use super::error::{ApiError, ApiResult};
use super::format::{LOWER_ALNUM, random_from};
use super::state::{Area, RefreshGrant, TOKEN_LIFETIME, Throttle, Token};
use crate::sim::http::bearer;

fn realm(headers: &HeaderMap) -> String {
    headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("api.mashery.com")
        .to_string()
}

fn basic(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let Some((scheme, rest)) = value.split_once(' ') else {
        return Some(Err(()));
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Some(Err(()));
    }
    let decoded = STANDARD
        .decode(rest.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    Some(match decoded.as_deref().and_then(|s| s.split_once(':')) {
        Some((k, s)) => Ok((k.to_string(), s.to_string())),
        None => Err(()),
    })
}

/// Constant-time compare, as for any credential check.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub async fn token(
    State(area): State<Arc<Area>>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> ApiResult<Response> {
    let realm = realm(&headers);
    let (key, secret) = match basic(&headers) {
        None => {
            return Err(ApiError::oauth(
                "invalid_request",
                "client credentials are required",
            ));
        }
        Some(Err(())) => return Err(ApiError::invalid_client(&realm)),
        Some(Ok(pair)) => pair,
    };
    let Form(form) =
        form.map_err(|_| ApiError::oauth("invalid_request", "the body must be a form"))?;
    let mut state = area.lock();
    let known = state
        .api_keys
        .iter()
        .any(|k| k.key == key && same(&k.secret, &secret));
    if !known {
        return Err(ApiError::invalid_client(&realm));
    }
    let field = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let username = match field("grant_type") {
        Some("password") => {
            let (Some(user), Some(password), Some(scope)) =
                (field("username"), field("password"), field("scope"))
            else {
                return Err(ApiError::oauth(
                    "invalid_request",
                    "username, password and scope are required",
                ));
            };
            let ok = state
                .users
                .iter()
                .any(|u| u.username == user && same(&u.password, password));
            if !ok {
                return Err(ApiError::oauth(
                    "invalid_grant",
                    "invalid username or password",
                ));
            }
            if scope != state.area_uuid {
                return Err(ApiError::oauth(
                    "invalid_scope",
                    "the scope is not an area of this user",
                ));
            }
            user.to_string()
        }
        Some("refresh_token") => {
            let Some(refresh) = field("refresh_token") else {
                return Err(ApiError::oauth(
                    "invalid_request",
                    "refresh_token is required",
                ));
            };
            match state.refresh.get(refresh) {
                Some(grant) if grant.api_key == key => {}
                _ => return Err(ApiError::oauth("invalid_grant", "unknown refresh token")),
            }
            // A refresh token is good for one exchange.
            match state.refresh.remove(refresh) {
                Some(grant) => grant.username,
                None => return Err(ApiError::oauth("invalid_grant", "unknown refresh token")),
            }
        }
        Some(_) => {
            return Err(ApiError::oauth(
                "unsupported_grant_type",
                "grant_type must be password or refresh_token",
            ));
        }
        None => return Err(ApiError::oauth("invalid_request", "grant_type is required")),
    };
    let access = random_from(LOWER_ALNUM, 24);
    let refresh = random_from(LOWER_ALNUM, 24);
    state.tokens.insert(
        access.clone(),
        Token {
            api_key: key.clone(),
            expires: Instant::now() + TOKEN_LIFETIME,
        },
    );
    state.refresh.insert(
        refresh.clone(),
        RefreshGrant {
            api_key: key.clone(),
            username,
        },
    );
    let body = json!({
        "token_type": "bearer",
        "mapi": key,
        "access_token": access,
        "expires_in": TOKEN_LIFETIME.as_secs(),
        "refresh_token": refresh,
        "scope": state.area_uuid,
    });
    Ok(([(CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// Middleware for `/v3/rest`: a live token first, then the limits of the
/// V3 API key it was issued to.
pub async fn gateway(State(area): State<Arc<Area>>, req: Request, next: Next) -> Response {
    let verdict = {
        let realm = realm(req.headers());
        let mut state = area.lock();
        match bearer(req.headers()) {
            None => Err(ApiError::bearer(&realm, None)),
            Some(token) => match state.tokens.get(token) {
                None => Err(ApiError::bearer(&realm, Some("invalid_token"))),
                Some(t) if t.expires <= Instant::now() => {
                    Err(ApiError::bearer(&realm, Some("invalid_token")))
                }
                Some(t) => {
                    let key = t.api_key.clone();
                    let today = OffsetDateTime::now_utc().date();
                    match state
                        .api_key_mut(&key)
                        .map(|k| k.admit(Instant::now(), today))
                    {
                        None => Err(ApiError::bearer(&realm, Some("invalid_token"))),
                        Some(Err(Throttle::OverQps)) => Err(ApiError::over_qps()),
                        Some(Err(Throttle::OverRate)) => Err(ApiError::over_rate()),
                        Some(Ok(())) => Ok(()),
                    }
                }
            },
        }
    };
    match verdict {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}
