//! HTTP routes of one regional tenant, all under `/api/v4/`.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{Value, json};

use super::auth::{Credentials, credentials};
use super::errors::ApiError;
use super::state::{ClientApp, TOKEN_LIFETIME, Tenant, constant_time_eq};
use crate::sim::http::{is_json, media_type, percent_decode};

type Shared = State<Arc<Tenant>>;
type Answer = Result<Response, ApiError>;

pub(super) fn tenant_router(tenant: Arc<Tenant>) -> Router {
    Router::new()
        .route(
            "/api/v4/oauth2/client-applications",
            get(list_apps).post(create_app),
        )
        .route(
            "/api/v4/oauth2/client-applications/{id}",
            get(get_app).put(rename_app).delete(delete_app),
        )
        .route(
            "/api/v4/oauth2/client-applications/{id}/new-secret",
            post(new_secret),
        )
        .route("/api/v4/oauth2/token", post(token))
        // Deprecated in the docs but not documented as removed, so it still
        // issues tokens exactly like the oauth2 path.
        .route("/api/v4/oauth/token", post(token))
        // Stand-in for "other project44 APIs that take Bearer tokens": the
        // simulator does not model capacity providers, it only needs one
        // Bearer-protected read to show whether an access token is usable.
        .route(
            "/api/v4/capacityproviders/accountgroups",
            get(account_groups),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(tenant)
}

pub(super) async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "Resource not found.",
        "No resource exists at this path.",
        "Check the path; project44 APIs live under /api/v4/.",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Request method not supported.",
        "This path does not support the request method.",
        "See the API reference for the methods this path accepts.",
    )
}

// ---- client applications (HTTP Basic, tenant admin user) ----

async fn list_apps(State(tenant): Shared, headers: HeaderMap) -> Answer {
    require_admin(&tenant, &headers)?;
    let state = tenant.lock();
    let list = ListView {
        client_applications: state.apps().iter().map(public_view).collect(),
    };
    Ok(Json(list).into_response())
}

async fn create_app(State(tenant): Shared, headers: HeaderMap, body: Bytes) -> Answer {
    require_admin(&tenant, &headers)?;
    let name = name_from_body(&headers, &body)?;
    let app = tenant.lock().create(name);
    Ok((StatusCode::CREATED, Json(with_secret(&app))).into_response())
}

async fn get_app(
    State(tenant): Shared,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Answer {
    require_admin(&tenant, &headers)?;
    let id = path_id(id)?;
    let state = tenant.lock();
    let app = state
        .get(&id)
        .ok_or_else(|| ApiError::client_app_not_found(&id))?;
    Ok(Json(public_view(app)).into_response())
}

/// Only `name` is applied. `id` and `secret` are read-only in the schema, so a
/// body carrying them (even with values that differ from the stored ones) is
/// accepted and those fields are ignored; the path decides which app changes.
async fn rename_app(
    State(tenant): Shared,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Answer {
    require_admin(&tenant, &headers)?;
    let id = path_id(id)?;
    let name = name_from_body(&headers, &body)?;
    let app = tenant
        .lock()
        .rename(&id, name)
        .ok_or_else(|| ApiError::client_app_not_found(&id))?;
    Ok(Json(public_view(&app)).into_response())
}

async fn delete_app(
    State(tenant): Shared,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Answer {
    require_admin(&tenant, &headers)?;
    let id = path_id(id)?;
    if tenant.lock().delete(&id) {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::client_app_not_found(&id))
    }
}

/// Takes no body; whatever is sent is ignored, as for a bodiless POST.
async fn new_secret(
    State(tenant): Shared,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Answer {
    require_admin(&tenant, &headers)?;
    let id = path_id(id)?;
    let app = tenant
        .lock()
        .new_secret(&id)
        .ok_or_else(|| ApiError::client_app_not_found(&id))?;
    Ok((StatusCode::CREATED, Json(with_secret(&app))).into_response())
}

/// The wire shape of a client application. `secret` is skipped unless set,
/// and only create and new-secret set it.
#[derive(Serialize)]
struct AppView<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
}

fn public_view(app: &ClientApp) -> AppView<'_> {
    AppView {
        id: &app.id,
        name: &app.name,
        secret: None,
    }
}

fn with_secret(app: &ClientApp) -> AppView<'_> {
    AppView {
        secret: Some(&app.secret),
        ..public_view(app)
    }
}

#[derive(Serialize)]
struct ListView<'a> {
    #[serde(rename = "clientApplications")]
    client_applications: Vec<AppView<'a>>,
}

#[derive(Serialize)]
struct TokenView {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
}

fn require_admin(tenant: &Tenant, headers: &HeaderMap) -> Result<(), ApiError> {
    let region = tenant.region;
    match credentials(headers) {
        // Usernames are e-mail addresses, which project44 matches without
        // regard to case; the password must match exactly.
        Credentials::Basic { username, password }
            if username.eq_ignore_ascii_case(region.admin_username())
                && constant_time_eq(password.as_bytes(), region.admin_password().as_bytes()) =>
        {
            Ok(())
        }
        Credentials::Basic { .. } => Err(bad_credentials()),
        Credentials::Bearer(_) => Err(ApiError::unauthorized(
            "Client applications are managed with HTTP Basic authentication \
             of a project44 user; Bearer tokens are not accepted here.",
        )),
        Credentials::None => Err(ApiError::unauthorized(
            "No credentials were supplied with the request.",
        )),
        Credentials::Malformed => Err(ApiError::unauthorized(
            "The Authorization header could not be read.",
        )),
    }
}

fn bad_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "Bad credentials.",
        "The username or password is incorrect.",
        "Authentication failed.",
    )
}

/// A path segment that is not valid percent-encoded UTF-8 cannot name any
/// app, so it is answered like an unknown id.
fn path_id(id: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    match id {
        Ok(Path(id)) => Ok(id),
        Err(_) => Err(ApiError::client_app_not_found("")),
    }
}

fn name_from_body(headers: &HeaderMap, body: &Bytes) -> Result<String, ApiError> {
    if !is_json(headers) {
        return Err(unsupported_media_type("application/json"));
    }
    let value: Value = serde_json::from_slice(body).map_err(|err| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "Malformed JSON request body.",
            "The request body could not be parsed as JSON.",
            err.to_string(),
        )
    })?;
    let Some(object) = value.as_object() else {
        return Err(invalid_app("The request body must be a JSON object."));
    };
    match object.get("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => Ok(name.clone()),
        Some(Value::String(_)) => Err(invalid_app("name must not be blank.")),
        None | Some(Value::Null) => Err(invalid_app("name is required.")),
        Some(_) => Err(invalid_app("name must be a string.")),
    }
}

fn invalid_app(message: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "Invalid client application.",
        message,
        "clientApplication.name",
    )
}

fn unsupported_media_type(expected: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Unsupported media type.",
        format!("The request body must be sent as {expected}."),
        "Content-Type",
    )
}

// ---- token endpoint (client credentials) ----

async fn token(State(tenant): Shared, headers: HeaderMap, body: Bytes) -> Answer {
    if let Some(gate) = &tenant.token_gate {
        gate.pass().await;
    }
    if media_type(&headers).as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(unsupported_media_type("application/x-www-form-urlencoded"));
    }
    let form = parse_form(&body)?;
    let field = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let form_id = field("client_id");
    let form_secret = field("client_secret");
    let header = credentials(&headers);

    if !matches!(header, Credentials::None) && (form_id.is_some() || form_secret.is_some()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "Invalid token request.",
            "Client credentials were sent both in the Authorization header and in the \
             request body; use exactly one.",
            "Send client_id and client_secret either as HTTP Basic or as form fields, not both.",
        ));
    }
    let (client_id, client_secret) = match (&header, form_id, form_secret) {
        (Credentials::Basic { username, password }, _, _) => (username.as_str(), password.as_str()),
        (Credentials::None, Some(id), Some(secret)) => (id, secret),
        _ => return Err(invalid_client()),
    };

    // Client authentication comes before the grant is looked at, as in an
    // OAuth 2.0 server whose client-authentication filter runs first.
    let mut state = tenant.lock();
    if !state.client_matches(client_id, client_secret) {
        return Err(invalid_client());
    }
    match field("grant_type") {
        Some("client_credentials") => {}
        Some(other) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "Unsupported grant type.",
                format!("Grant type '{other}' is not supported; use client_credentials."),
                "grant_type",
            ));
        }
        None => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "Invalid token request.",
                "grant_type is required.",
                "grant_type",
            ));
        }
    }
    let access_token = state.issue_token(client_id, Instant::now());
    drop(state);

    let mut response = Json(TokenView {
        access_token,
        token_type: "bearer",
        expires_in: TOKEN_LIFETIME.as_secs(),
    })
    .into_response();
    // RFC 6749 5.1: token responses must not be cached.
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}

fn invalid_client() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "Bad client credentials.",
        "The client id or client secret is incorrect.",
        "Client authentication failed.",
    )
}

/// `application/x-www-form-urlencoded`, decoded by hand so a bad body gets the
/// v4 error instead of a framework rejection. Repeated parameters are refused,
/// as RFC 6749 3.2 requires of a token endpoint.
fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    let bad_form = |message: &str| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "Invalid token request.",
            message,
            "application/x-www-form-urlencoded body",
        )
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in body.split(|&b| b == b'&').filter(|part| !part.is_empty()) {
        let mut halves = part.splitn(2, |&b| b == b'=');
        let key = halves.next().unwrap_or_default();
        let value = halves.next().unwrap_or_default();
        let key = percent_decode(key).ok_or_else(|| bad_form("The form body is not valid."))?;
        let value = percent_decode(value).ok_or_else(|| bad_form("The form body is not valid."))?;
        if pairs.iter().any(|(k, _)| *k == key) {
            return Err(bad_form(&format!("Parameter '{key}' is repeated.")));
        }
        pairs.push((key, value));
    }
    Ok(pairs)
}

// ---- Bearer-protected stand-in for the rest of the v4 API ----

async fn account_groups(State(tenant): Shared, headers: HeaderMap) -> Answer {
    let token = match credentials(&headers) {
        Credentials::Bearer(token) => token,
        // Basic is deprecated for every API but client applications and
        // tokens; the simulator takes the strict reading and refuses it.
        Credentials::Basic { .. } => {
            return Err(ApiError::unauthorized(
                "This API takes a Bearer access token from /api/v4/oauth2/token.",
            ));
        }
        Credentials::None | Credentials::Malformed => {
            return Err(ApiError::unauthorized(
                "No usable credentials were supplied with the request.",
            ));
        }
    };
    if !tenant.lock().token_is_valid(&token, Instant::now()) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Invalid access token.",
            "The access token is unknown, expired or belongs to a deleted client application.",
            "Request a new access token from /api/v4/oauth2/token.",
        ));
    }
    let groups: Vec<Value> = tenant
        .region
        .account_groups()
        .iter()
        .enumerate()
        .map(|(i, (code, name))| json!({ "id": 1001 + i, "code": code, "name": name }))
        .collect();
    Ok(Json(json!({ "accountGroups": groups })).into_response())
}
