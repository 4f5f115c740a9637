//! Simulator for EVRYTHNG's v1 REST API: operator keys, projects and
//! their applications with the Trusted Application key, in two isolated
//! regions (`/us`, `/eu`) as the real US and EU hosts are.
//!
//! Shapes and status codes follow EVRYTHNG's `OpenAPI` document: request
//! bodies are checked against the `ProjectDocument` and `ApplicationDocument`
//! schemas (copies in `schemas/`), lists page with `Link` and
//! `X-Result-Count`, errors are `ErrorResponseDocuments`.
use std::fmt::Write as _;

mod applications;
mod auth;
mod error;
mod ids;
mod listing;
mod projects;
mod request;
mod seed;
mod state;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::get;

use error::ApiError;
use state::Region;

/// Where the crate mounts this simulator; next-page links and `Location`
/// are absolute, so a region must know its full path.
const MOUNT: &str = "/evrythng";

/// Both regions, each with fresh demo data.
pub fn router() -> Router {
    router_with_scale(0)
}

/// Like [`router`], with a project of `scale` more applications per region.
pub fn router_with_scale(scale: usize) -> Router {
    let us = seed::with_scale(seed::us(), seed::US_SEED, scale);
    let eu = seed::with_scale(seed::eu(), seed::EU_SEED, scale);
    Router::new()
        .nest("/us", region("us", us))
        .nest("/eu", region("eu", eu))
        .fallback(|| async { ApiError::not_found() })
}

fn region(name: &str, state: state::RegionState) -> Router {
    let region = Arc::new(Region::new(state, format!("{MOUNT}/{name}")));
    Router::new()
        .route("/access", get(auth::access))
        .route("/operators/{operatorId}", get(auth::operator))
        .route("/projects", get(projects::list).post(projects::create))
        .route(
            "/projects/{projectId}",
            get(projects::get)
                .put(projects::update)
                .delete(projects::delete),
        )
        .route(
            "/projects/{projectId}/applications",
            get(applications::list).post(applications::create),
        )
        .route(
            "/projects/{projectId}/applications/{applicationId}",
            get(applications::get)
                .put(applications::update)
                .delete(applications::delete),
        )
        .route(
            "/projects/{projectId}/applications/{applicationId}/secretKey",
            get(applications::secret_key),
        )
        .route_layer(middleware::from_fn_with_state(
            region.clone(),
            auth::require_key,
        ))
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .with_state(region)
}

/// The demo tenants: one per region, with the operator key that may do
/// everything. Each region also has a read-only key scoped to two
/// projects, given in a comment, to show the 403 and 404 answers.
pub fn demo_config(base: &str) -> String {
    let base = base.trim_end_matches('/');
    let (us, eu) = (seed::keys(seed::US_SEED), seed::keys(seed::EU_SEED));
    let mut out = String::new();
    for (name, region, keys, color) in [
        ("evrythng-us", "us", us, "green"),
        ("evrythng-eu", "eu", eu, "blue"),
    ] {
        let _ = write!(
            out,
            r#"[[tenants]]
name = "{name}"
platform = "evrythng"
region = "{region}"
base_url = "{base}{MOUNT}/{region}"
color = "{color}"
# Small pages, so the demo's projects span several of them.
page_size = 10

[tenants.auth]
api_key = "{admin}"
# A read-only operator key that sees two projects only:
# api_key = "{viewer}"
"#,
            admin = keys.admin_key,
            viewer = keys.viewer_key,
        );
        if region == "us" {
            out.push('\n');
        }
    }
    out
}
