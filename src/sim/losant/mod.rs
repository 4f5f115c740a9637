//! Simulator for the Losant Platform API: user login, applications and, per
//! application, certificates, certificate authorities and MQTT access keys.
//!
//! Shapes follow Losant's published JSON schemas and route table. Request
//! bodies are checked against the vendor's Post/Patch schemas; responses
//! carry only properties those schemas define. The query parameters the
//! vendor clients add to every call (`_actions`, `_links`, `_embedded`) and
//! the `Accept-Version` header are accepted and ignored.
//!
//! Also: application API tokens with their scopes enforced on every route
//! (`scopes.rs`), device login through an access key (`POST /auth/device`),
//! and a request log at `GET /_sim/requests` (simulator-only).

mod applications;
mod auth;
mod authorities;
mod certificates;
mod certs;
mod collection;
mod devices;
mod error;
mod format;
mod keys;
mod listing;
mod log;
mod request;
mod schema;
mod scopes;
mod seed;
mod state;
mod tokens;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};

use error::ApiError;
use state::{AccessKey, ApiToken, Authority, Certificate, Tenant};

/// One Losant tenant with fresh demo data, routes relative to the API root
/// (the crate mounts it under `/losant`).
pub fn router() -> Router {
    router_with_scale(0)
}

/// Like [`router`], with `scale` more applications, certificates and
/// access keys in proportion.
pub fn router_with_scale(scale: usize) -> Router {
    let tenant = Arc::new(Tenant::new(seed::tenant_with_scale(scale)));
    let protected = Router::new()
        .route(
            "/applications",
            get(applications::list).post(applications::create),
        )
        .route(
            "/applications/{applicationId}",
            get(applications::get)
                .patch(applications::patch)
                .delete(applications::delete),
        )
        .route(
            "/applications/{applicationId}/certificates",
            get(collection::list::<Certificate>).post(certificates::create),
        )
        .route(
            "/applications/{applicationId}/certificates/{applicationCertificateId}",
            get(collection::get::<Certificate>)
                .patch(certificates::patch)
                .delete(collection::delete::<Certificate>),
        )
        .route(
            "/applications/{applicationId}/certificate-authorities",
            get(collection::list::<Authority>).post(authorities::create),
        )
        .route(
            "/applications/{applicationId}/certificate-authorities/{applicationCertificateAuthorityId}",
            get(collection::get::<Authority>)
                .patch(authorities::patch)
                .delete(collection::delete::<Authority>),
        )
        .route(
            "/applications/{applicationId}/keys",
            get(collection::list::<AccessKey>).post(keys::create),
        )
        .route(
            "/applications/{applicationId}/keys/{applicationKeyId}",
            get(collection::get::<AccessKey>)
                .patch(keys::patch)
                .delete(collection::delete::<AccessKey>),
        )
        .route("/applications/{applicationId}/devices", get(devices::list))
        .route(
            "/applications/{applicationId}/tokens",
            get(collection::list::<ApiToken>).post(tokens::create),
        )
        .route(
            "/applications/{applicationId}/tokens/{apiTokenId}",
            get(collection::get::<ApiToken>)
                .patch(tokens::patch)
                .delete(collection::delete::<ApiToken>),
        )
        // The later layer runs first: the token is resolved, then its scopes checked.
        .route_layer(middleware::from_fn(scopes::enforce))
        .route_layer(middleware::from_fn_with_state(
            tenant.clone(),
            auth::require_token,
        ));
    Router::new()
        .route("/auth/user", post(auth::authenticate_user))
        .route("/auth/device", post(auth::authenticate_device))
        .merge(protected)
        .route("/_sim/requests", get(log::requests))
        .fallback(|| async { ApiError::not_found("Resource") })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(middleware::from_fn_with_state(tenant.clone(), log::record))
        .with_state(tenant)
}

/// The `[[tenants]]` block for a simulator at `base`. The demo API token
/// is an alternative to email and password; it is derived from a fixed
/// seed, so it works against any simulator, not only this process's.
pub fn demo_config(base: &str) -> String {
    let base = base.trim_end_matches('/');
    format!(
        r#"[[tenants]]
name = "losant"
platform = "losant"
base_url = "{base}/losant"
color = "magenta"

[tenants.auth]
email = "{email}"
password = "{password}"
# Or, instead of email and password, the simulator's long-lived API token:
# token = "{token}"
"#,
        email = auth::DEMO_EMAIL,
        password = auth::DEMO_PASSWORD,
        token = auth::demo_api_token().token,
    )
}
