//! Simulator for TIBCO Mashery's V3 API: the token endpoint, and under
//! `/v3/rest` members, applications, package keys and packages with plans.
//!
//! With the crate mounting it at `/mashery`, a client built as
//! `protocol://host` + `/v3/...` works with `host = "127.0.0.1:PORT/mashery"`.
//!
//! Choices where the vendor facts are silent, documented here:
//! - Gateway refusals (bad or expired token, over QPS, over quota) carry
//!   `X-Mashery-Error-Code` and a one-line HTML body; the REST layer answers
//!   `{errorCode, errorMessage}` or `{errors:[{property, message}]}`.
//! - A missing token gets 401 with `WWW-Authenticate: Bearer realm=...`; an
//!   unknown or expired one adds `error="invalid_token"`.
//! - Throttling counts REST calls per V3 API key (the token's `mapi`) over
//!   a sliding second and a UTC day; refused calls are not counted. The
//!   quota is checked before the QPS, since waiting never helps it.
//! - New package keys are `active` unless the body says otherwise; their
//!   `apikey` is lowercase alphanumeric of the package's `keyLength` and
//!   their `secret` mixed-case alphanumeric of its `sharedSecretLength`.
//! - A member is addressed by username (as the vendor clients do) or id.
//!
//! Simulator controls, not Mashery API, live under `/_sim` (see
//! `control.rs`): `POST /_sim/expire-tokens` and `PUT /_sim/limits`. The
//! demo also has a second V3 API key whose daily quota is five calls
//! ([`seed::QUOTA_API_KEY`]), so quota exhaustion is testable as is.

mod applications;
mod auth;
mod control;
mod error;
mod format;
mod keys;
mod members;
mod query;
mod rest;
mod seed;
mod state;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::{get, post, put};

pub use seed::{
    AREA_UUID, DEMO_API_KEY, DEMO_API_SECRET, DEMO_PASSWORD, DEMO_USERNAME, QUOTA_API_KEY,
    QUOTA_API_SECRET, QUOTA_DAILY_CALLS,
};
pub use state::DEFAULT_QPS;

use error::ApiError;

/// Mashery's gateway answer to a key over its calls per second: 403 with
/// `X-Mashery-Error-Code: ERR_403_DEVELOPER_OVER_QPS`, never a 429.
pub fn throttled() -> axum::response::Response {
    axum::response::IntoResponse::into_response(ApiError::over_qps())
}
use state::Area;

/// One Mashery area with fresh demo data, routes relative to the API host
/// (the crate mounts it under `/mashery`).
pub fn router() -> Router {
    router_with_scale(0)
}

/// Like [`router`], with `scale` more applications, each with its keys.
pub fn router_with_scale(scale: usize) -> Router {
    let area = Arc::new(Area::new(seed::area_with_scale(scale)));
    let rest = Router::new()
        .route("/members", get(members::list).post(members::create))
        .route(
            "/members/{member}",
            get(members::get)
                .post(members::create_at)
                .put(members::update)
                .delete(members::delete),
        )
        .route(
            "/members/{member}/applications",
            get(applications::list_of_member).post(applications::create),
        )
        .route("/applications", get(applications::list))
        .route(
            "/applications/{id}",
            get(applications::get)
                .put(applications::update)
                .delete(applications::delete),
        )
        .route(
            "/applications/{id}/packageKeys",
            get(keys::list_of_app).post(keys::create),
        )
        .route(
            "/applications/{id}/packageKeys/{key}",
            get(keys::get_of_app)
                .put(keys::update_of_app)
                .delete(keys::delete_of_app),
        )
        .route("/packageKeys", get(keys::list))
        .route(
            "/packageKeys/{key}",
            get(keys::get).put(keys::update).delete(keys::delete),
        )
        .route("/packages", get(keys::packages))
        .route("/packages/{id}", get(keys::package))
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .route_layer(middleware::from_fn_with_state(area.clone(), auth::gateway));
    Router::new()
        .route("/v3/token", post(auth::token))
        .route("/_sim/expire-tokens", post(control::expire_tokens))
        .route("/_sim/limits", put(control::limits))
        .nest("/v3/rest", rest)
        .fallback(|| async { ApiError::not_found() })
        .with_state(area)
}

/// The `[[tenants]]` block for a simulator at `base`.
pub fn demo_config(base: &str) -> String {
    let base = base.trim_end_matches('/');
    format!(
        r#"[[tenants]]
name = "mashery"
platform = "mashery"
base_url = "{base}/mashery"
color = "light-blue"
# Small pages, so the demo's 30 applications span three of them.
page_size = 10
# The demo V3 API key's calls a second, as the simulated gateway counts them.
qps = {DEFAULT_QPS}

[tenants.auth]
api_key = "{DEMO_API_KEY}"
api_secret = "{DEMO_API_SECRET}"
username = "{DEMO_USERNAME}"
password = "{DEMO_PASSWORD}"
area_id = "{AREA_UUID}"
"#,
    )
}
