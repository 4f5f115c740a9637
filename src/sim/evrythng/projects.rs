//! `/projects` and `/projects/{projectId}`.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::{Extension, Json};
use serde_json::Value;

use super::auth::{Caller, writer};
use super::error::{ApiError, ApiResult};
use super::ids::is_id;
use super::listing::{self, Origin, Params};
use super::request::{self, Document, QueryPairs, RawBody};
use super::state::{Doc, Project, Region, RegionState};

const FILTERABLE: [&str; 3] = ["name", "tags", "identifiers.*"];

pub type OneId = Result<Path<String>, PathRejection>;

/// A project id from the path that the caller may see.
pub fn visible(state: &RegionState, caller: &Caller, path: OneId) -> ApiResult<String> {
    let Path(id) = path.map_err(|_| ApiError::not_found())?;
    if is_id(&id) && caller.0.sees(&id) && state.project(&id).is_some() {
        Ok(id)
    } else {
        Err(ApiError::not_found())
    }
}

pub async fn list(
    State(region): State<Arc<Region>>,
    Extension(caller): Extension<Caller>,
    uri: Uri,
    headers: HeaderMap,
    q: QueryPairs,
) -> ApiResult<Response> {
    let q = request::query(q)?;
    let params = Params::parse(&q, &FILTERABLE)?;
    let origin = Origin::new(&headers, format!("{}{}", region.prefix(), uri.path()), q);
    let state = region.lock();
    let items = state
        .projects
        .iter()
        .filter(|p| caller.0.sees(&p.doc.id))
        .filter(|p| params.filter.matches(|f| p.doc.values(f)))
        .collect();
    Ok(listing::page(
        items,
        &params,
        &origin,
        |p| (p.doc.created_at, p.doc.id.clone()),
        |p| p.to_json(params.with_scopes),
    ))
}

pub async fn create(
    State(region): State<Arc<Region>>,
    Extension(caller): Extension<Caller>,
    uri: Uri,
    headers: HeaderMap,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<Response> {
    writer(&caller)?;
    let q = request::query(q)?;
    let props = request::document(&headers, body, Document::Project, true)?;
    let mut state = region.lock();
    let at = state.tick();
    let id = state.rng.id();
    let project = Project {
        doc: Doc::new(id.clone(), at, props),
        applications: Vec::new(),
    };
    let out = project.to_json(listing::with_scopes(&q));
    state.projects.push(project);
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
    path: OneId,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let q = request::query(q)?;
    let state = region.lock();
    let id = visible(&state, &caller, path)?;
    let project = state.project(&id).ok_or_else(ApiError::not_found)?;
    Ok(Json(project.to_json(listing::with_scopes(&q))))
}

pub async fn update(
    State(region): State<Arc<Region>>,
    Extension(caller): Extension<Caller>,
    path: OneId,
    headers: HeaderMap,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<Json<Value>> {
    let q = request::query(q)?;
    let id = visible(&region.lock(), &caller, path)?;
    writer(&caller)?;
    let changes = request::document(&headers, body, Document::Project, false)?;
    let mut state = region.lock();
    let at = state.tick();
    let project = state.project_mut(&id).ok_or_else(ApiError::not_found)?;
    project.doc.update(changes, at);
    Ok(Json(project.to_json(listing::with_scopes(&q))))
}

/// The applications (and their users) live inside the project and go with it.
pub async fn delete(
    State(region): State<Arc<Region>>,
    Extension(caller): Extension<Caller>,
    path: OneId,
    q: QueryPairs,
) -> ApiResult<StatusCode> {
    request::query(q)?;
    let mut state = region.lock();
    let id = visible(&state, &caller, path)?;
    writer(&caller)?;
    state.projects.retain(|p| p.doc.id != id);
    Ok(StatusCode::OK)
}
