//! `/projects/{projectId}/applications`, one application, and its
//! Trusted Application key at `/secretKey`.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::auth::{Caller, writer};
use super::error::{ApiError, ApiResult};
use super::ids::is_id;
use super::listing::{self, Origin, Params};
use super::projects::{OneId, visible};
use super::request::{self, Document, QueryPairs, RawBody};
use super::state::{Application, Doc, Region, RegionState};

const FILTERABLE: [&str; 2] = ["name", "project"];
const DEFAULT_ROLE: &str = "base_app_user";

pub type TwoIds = Result<Path<(String, String)>, PathRejection>;

/// The project and application ids from the path, both visible.
fn ids(state: &RegionState, caller: &Caller, path: TwoIds) -> ApiResult<(String, String)> {
    let Path((project, app)) = path.map_err(|_| ApiError::not_found())?;
    let found = is_id(&project)
        && caller.0.sees(&project)
        && state
            .project(&project)
            .is_some_and(|p| p.application(&app).is_some());
    if found {
        Ok((project, app))
    } else {
        Err(ApiError::not_found())
    }
}

fn find<'a>(state: &'a RegionState, project: &str, app: &str) -> ApiResult<&'a Application> {
    state
        .project(project)
        .and_then(|p| p.application(app))
        .ok_or_else(ApiError::not_found)
}

pub async fn list(
    State(region): State<Arc<Region>>,
    Extension(caller): Extension<Caller>,
    path: OneId,
    uri: Uri,
    headers: HeaderMap,
    q: QueryPairs,
) -> ApiResult<Response> {
    let q = request::query(q)?;
    let params = Params::parse(&q, &FILTERABLE)?;
    let origin = Origin::new(&headers, format!("{}{}", region.prefix(), uri.path()), q);
    let state = region.lock();
    let project = visible(&state, &caller, path)?;
    let project = state.project(&project).ok_or_else(ApiError::not_found)?;
    let items = project
        .applications
        .iter()
        .filter(|a| params.filter.matches(|f| a.values(f)))
        .collect();
    Ok(listing::page(
        items,
        &params,
        &origin,
        |a| (a.doc.created_at, a.doc.id.clone()),
        |a| a.to_json(params.with_scopes),
    ))
}

pub async fn create(
    State(region): State<Arc<Region>>,
    Extension(caller): Extension<Caller>,
    path: OneId,
    uri: Uri,
    headers: HeaderMap,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<Response> {
    let q = request::query(q)?;
    let project = visible(&region.lock(), &caller, path)?;
    writer(&caller)?;
    let mut props = request::document(&headers, body, Document::Application, true)?;
    props
        .entry("defaultRole".to_string())
        .or_insert_with(|| json!(DEFAULT_ROLE));
    let mut state = region.lock();
    let at = state.tick();
    let id = state.rng.id();
    let app = Application {
        doc: Doc::new(id.clone(), at, props),
        project: project.clone(),
        api_key: state.rng.key(),
        secret_key: state.rng.key(),
    };
    let out = app.to_json(listing::with_scopes(&q));
    state
        .project_mut(&project)
        .ok_or_else(ApiError::not_found)?
        .applications
        .push(app);
    Ok(listing::created(
        &headers,
        region.prefix(),
        uri.path(),
        &id,
        out,
    ))
}

pub async fn get(
    State(region): State<Arc<Region>>,
    Extension(caller): Extension<Caller>,
    path: TwoIds,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let q = request::query(q)?;
    let state = region.lock();
    let (project, app) = ids(&state, &caller, path)?;
    Ok(Json(
        find(&state, &project, &app)?.to_json(listing::with_scopes(&q)),
    ))
}

pub async fn update(
    State(region): State<Arc<Region>>,
    Extension(caller): Extension<Caller>,
    path: TwoIds,
    headers: HeaderMap,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<Json<Value>> {
    let q = request::query(q)?;
    let (project, app) = ids(&region.lock(), &caller, path)?;
    writer(&caller)?;
    let changes = request::document(&headers, body, Document::Application, false)?;
    let mut state = region.lock();
    let at = state.tick();
    let app = state
        .project_mut(&project)
        .and_then(|p| p.application_mut(&app))
        .ok_or_else(ApiError::not_found)?;
    app.doc.update(changes, at);
    Ok(Json(app.to_json(listing::with_scopes(&q))))
}

pub async fn delete(
    State(region): State<Arc<Region>>,
    Extension(caller): Extension<Caller>,
    path: TwoIds,
    q: QueryPairs,
) -> ApiResult<StatusCode> {
    request::query(q)?;
    let mut state = region.lock();
    let (project, app) = ids(&state, &caller, path)?;
    writer(&caller)?;
    if let Some(p) = state.project_mut(&project) {
        p.applications.retain(|a| a.doc.id != app);
    }
    Ok(StatusCode::OK)
}

/// A secret: only a key that may change the application may read it.
pub async fn secret_key(
    State(region): State<Arc<Region>>,
    Extension(caller): Extension<Caller>,
    path: TwoIds,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    request::query(q)?;
    let state = region.lock();
    let (project, app) = ids(&state, &caller, path)?;
    writer(&caller)?;
    let app = find(&state, &project, &app)?;
    Ok(Json(json!({ "secretApiKey": app.secret_key })))
}
