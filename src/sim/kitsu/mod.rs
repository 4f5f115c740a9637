//! Simulator for Kitsu, i.e. its backend Zou 1.0.97, as served behind
//! Kitsu's nginx under `/api`.
//!
//! Everything here is written from Zou's contract as observed on a real
//! server: HS256 JWTs with flask-jwt-extended's error bodies, Zou's generic
//! CRUD listing (bare arrays, or a paged envelope with `?page=`), projects
//! that can only be deleted once closed, asset types derived from the
//! assets a project uses, entity links, persons, and bots whose API token is
//! regenerated (and the old one revoked) by a person update carrying
//! `expiration_date`. People may turn on TOTP or codes by email; their
//! login then asks for the code (`missing_OTP`), as Zou's does.
//!
//! Simulator controls, not Zou API: `GET /_sim/email-otp?email=` shows the
//! last login code "mailed" to that address.

mod assets;
mod auth;
mod clock;
mod crud;
mod departments;
mod errors;
mod jwt;
mod links;
mod otp;
mod persons;
mod projects;
mod query;
mod schema;
mod seed;
mod store;
mod tasks;
mod team;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::json;

use errors::{ApiError, ApiResult, ok};
use store::Store;

/// Zou's version, as `GET /api/` reports it.
pub const ZOU_VERSION: &str = "1.0.97";

/// Demo administrator (see `demo_config`).
pub const DEMO_EMAIL: &str = "admin@kitsu.portico.demo";
pub const DEMO_PASSWORD: &str = "portico-demo-kitsu";
/// A demo person who logs in with TOTP: any authenticator app given this
/// base32 secret makes the codes the simulator accepts.
pub const DEMO_TOTP_EMAIL: &str = "aiko.tanaka@kitsu.portico.demo";
pub const DEMO_TOTP_SECRET: &str = "PORTICODEMOKITSUTOTPSECRET234567";
/// A demo person who gets login codes by email (see `/_sim/email-otp`).
pub const DEMO_EMAIL_OTP_EMAIL: &str = "hugo.lefevre@kitsu.portico.demo";

struct Kitsu {
    signer: jwt::Signer,
    store: Mutex<Store>,
}

impl Kitsu {
    /// A handler that panicked mid-update leaves data that is still
    /// well-formed JSON, so serving on is better than failing every request.
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

type Shared = Arc<Kitsu>;

/// A path id: anything Python's `uuid.UUID()` rejects is "Malformed ID.".
fn path_id(raw: &str) -> Result<String, ApiError> {
    schema::normalize_id(raw).ok_or_else(ApiError::malformed_id)
}

/// One simulated Zou with fresh demo data and its own signing key.
pub fn router() -> Router {
    router_with_scale(0)
}

/// Like [`router`], with `scale` more bots, each with its API token.
pub fn router_with_scale(scale: usize) -> Router {
    let signer = jwt::Signer::random();
    let store = seed::demo_with_scale(&signer, scale);
    let shared: Shared = Arc::new(Kitsu {
        signer,
        store: Mutex::new(store),
    });
    let routes = Routes::default()
        .route("/api", get(index))
        .route("/api/auth/login", post(auth::login))
        .route("/api/auth/refresh-token", get(auth::refresh))
        .route("/api/auth/authenticated", get(auth::authenticated))
        .route("/api/auth/logout", get(auth::logout))
        .route(
            "/api/auth/totp",
            axum::routing::put(otp::prepare_totp)
                .post(otp::enable_totp)
                .delete(otp::disable_totp),
        )
        .route(
            "/api/auth/email-otp",
            get(otp::send_email_code)
                .put(otp::prepare_email)
                .post(otp::enable_email)
                .delete(otp::disable_email),
        )
        .route("/_sim/email-otp", get(otp::last_mailed))
        .route(
            "/api/data/projects",
            get(projects::list).post(projects::create),
        )
        .route("/api/data/projects/open", get(projects::list_open))
        .route("/api/data/projects/all", get(projects::list_all))
        .route(
            "/api/data/projects/{id}",
            get(projects::get_one)
                .put(projects::update)
                .delete(projects::remove),
        )
        .route(
            "/api/data/project-status",
            get(projects::list_statuses).post(projects::create_status),
        )
        .route(
            "/api/data/project-status/{id}",
            get(projects::get_status)
                .put(projects::update_status)
                .delete(projects::remove_status),
        )
        .route(
            "/api/data/projects/{id}/asset-types",
            get(assets::project_asset_types),
        )
        .route(
            "/api/data/projects/{id}/settings/asset-types",
            post(assets::add_project_asset_type),
        )
        .route("/api/data/asset-types", get(assets::list_asset_types))
        .route("/api/data/asset-types/{id}", get(assets::get_asset_type))
        .route(
            "/api/data/entity-types",
            get(assets::list_entity_types).post(assets::create_entity_type),
        )
        .route(
            "/api/data/entity-types/{id}",
            get(assets::get_entity_type)
                .put(assets::update_entity_type)
                .delete(assets::remove_entity_type),
        )
        .route(
            "/api/data/projects/{id}/asset-types/{asset_type}/assets/new",
            post(assets::create_asset),
        )
        .route(
            "/api/data/projects/{id}/asset-types/{asset_type}/assets",
            get(assets::list_project_type_assets),
        )
        .route(
            "/api/data/projects/{id}/assets",
            get(assets::list_project_assets),
        )
        .route("/api/data/entities", get(assets::list_entities))
        .route("/api/data/assets", get(assets::list_assets))
        .route("/api/data/assets/all", get(assets::list_assets))
        .route(
            "/api/data/assets/{id}",
            get(assets::get_asset).delete(assets::remove_asset),
        )
        .route(
            "/api/data/projects/{id}/entity-links",
            get(links::list_for_project),
        )
        .route(
            "/api/data/projects/{id}/entity-links/{link}",
            delete(links::remove_from_project),
        )
        .route(
            "/api/data/entity-links",
            get(links::list).post(links::create),
        )
        .route(
            "/api/data/entity-links/{id}",
            get(links::get_one).put(links::update).delete(links::remove),
        )
        .route(
            "/api/data/persons",
            get(persons::list).post(persons::create),
        )
        .route("/api/data/departments", get(departments::list))
        .route("/api/data/departments/{id}", get(departments::get_one))
        .route("/api/data/task-types", get(tasks::list))
        .route("/api/data/task-types/{id}", get(tasks::get_one))
        .route(
            "/api/data/projects/{id}/team",
            get(team::list).post(team::add),
        )
        .route(
            "/api/data/projects/{id}/team/{person}",
            delete(team::remove),
        )
        .route(
            "/api/data/persons/{id}",
            get(persons::get_one)
                .put(persons::update)
                .delete(persons::remove),
        );
    routes
        .0
        .fallback(not_found)
        .layer(map_response(method_not_allowed_body))
        .with_state(shared)
}

/// Zou's Flask app sets `strict_slashes = False`, so every route also
/// answers with one trailing slash (the reference writes
/// `/data/entity-links/`, and gazu sends such paths); `GET /api/` is the
/// same rule seen from the root.
#[derive(Default)]
struct Routes(Router<Shared>);

impl Routes {
    fn route(self, path: &str, handler: axum::routing::MethodRouter<Shared>) -> Self {
        Self(
            self.0
                .route(path, handler.clone())
                .route(&format!("{path}/"), handler),
        )
    }
}

/// `GET /api/` (gazu's `get_api_version`) and `GET`/`HEAD /api` (gazu's
/// `host_is_up`, which needs a 200).
async fn index() -> ApiResult {
    ok(
        StatusCode::OK,
        json!({"api": "Zou", "version": ZOU_VERSION}),
    )
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// axum answers a known path with an unknown method itself, with an empty
/// body; Zou sends a JSON one.
async fn method_not_allowed_body(response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    let allow = response.headers().get(axum::http::header::ALLOW).cloned();
    let mut fixed = ApiError::MethodNotAllowed.into_response();
    if let Some(allow) = allow {
        fixed.headers_mut().insert(axum::http::header::ALLOW, allow);
    }
    fixed
}

/// The `[[tenants]]` block for this simulator at `base`.
pub fn demo_config(base: &str) -> String {
    let base = base.trim_end_matches('/');
    format!(
        "[[tenants]]\n\
         name = \"kitsu\"\n\
         platform = \"kitsu\"\n\
         base_url = \"{base}/kitsu/api\"\n\
         color = \"green\"\n\
         \n\
         [tenants.auth]\n\
         email = \"{DEMO_EMAIL}\"\n\
         password = \"{DEMO_PASSWORD}\"\n"
    )
}
