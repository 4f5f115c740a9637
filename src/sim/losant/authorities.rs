//! `/applications/{applicationId}/certificate-authorities[/{applicationCertificateAuthorityId}]`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::certs::{self, CertInfo};
use super::error::{ApiError, ApiResult};
use super::format::{now, object_id};
use super::listing::{self, AUTHORITIES};
use super::request::{self, OneId, QueryPairs, RawBody, TwoIds};
use super::schema::{self, Body};
use super::state::{Authority, Meta, Tenant, merge};

const WHAT: &str = "Application certificate authority";

/// One `caInfo` entry per certificate in the bundle, each parsed for real.
fn parse_bundle(props: &Map<String, Value>) -> ApiResult<Option<Vec<CertInfo>>> {
    match props.get("caBundle").and_then(Value::as_str) {
        None => Ok(None),
        Some(pem) => certs::parse_bundle(pem).map(Some).map_err(|err| {
            ApiError::validation(format!("applicationCertificateAuthority.caBundle: {err}"))
        }),
    }
}

pub async fn list(
    State(tenant): State<Arc<Tenant>>,
    path: OneId,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let app_id = request::one_id(path, "Application")?;
    let params = AUTHORITIES.parse(&request::query(q)?)?;
    let state = tenant.lock();
    let app = state
        .application(&app_id)
        .ok_or_else(|| ApiError::not_found("Application"))?;
    let (page, total) = listing::select(&app.authorities, &params);
    let items = page.iter().map(|a| a.to_json()).collect();
    Ok(Json(listing::envelope(
        items,
        total,
        &params,
        Some(&app_id),
    )))
}

pub async fn create(
    State(tenant): State<Arc<Tenant>>,
    path: OneId,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let app_id = request::one_id(path, "Application")?;
    request::query(q)?;
    let body = request::body(body)?;
    let mut props = request::object(schema::parse(Body::AuthorityPost, &body)?);
    let info = parse_bundle(&props)?.ok_or_else(|| {
        ApiError::validation("applicationCertificateAuthority.caBundle is required")
    })?;
    request::default(&mut props, "status", json!("active"));
    let mut state = tenant.lock();
    let app = state
        .application_mut(&app_id)
        .ok_or_else(|| ApiError::not_found("Application"))?;
    let created = now();
    let ca = Authority {
        meta: Meta::new(object_id(created), created),
        application_id: app_id,
        props,
        info,
    };
    let out = ca.to_json();
    app.authorities.push(ca);
    Ok((StatusCode::CREATED, Json(out)))
}

pub async fn get(
    State(tenant): State<Arc<Tenant>>,
    path: TwoIds,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let (app_id, id) = request::two_ids(path, WHAT)?;
    request::query(q)?;
    let state = tenant.lock();
    let app = state
        .application(&app_id)
        .ok_or_else(|| ApiError::not_found("Application"))?;
    let ca = app
        .authorities
        .iter()
        .find(|c| c.meta.id == id)
        .ok_or_else(|| ApiError::not_found(WHAT))?;
    Ok(Json(ca.to_json()))
}

pub async fn patch(
    State(tenant): State<Arc<Tenant>>,
    path: TwoIds,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<Json<Value>> {
    let (app_id, id) = request::two_ids(path, WHAT)?;
    request::query(q)?;
    let body = request::body(body)?;
    let patch = request::object(schema::parse(Body::AuthorityPatch, &body)?);
    let info = parse_bundle(&patch)?;
    let mut state = tenant.lock();
    let app = state
        .application_mut(&app_id)
        .ok_or_else(|| ApiError::not_found("Application"))?;
    let ca = app
        .authorities
        .iter_mut()
        .find(|c| c.meta.id == id)
        .ok_or_else(|| ApiError::not_found(WHAT))?;
    merge(&mut ca.props, patch);
    if let Some(info) = info {
        ca.info = info;
    }
    ca.meta.updated = now();
    Ok(Json(ca.to_json()))
}

pub async fn delete(
    State(tenant): State<Arc<Tenant>>,
    path: TwoIds,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let (app_id, id) = request::two_ids(path, WHAT)?;
    request::query(q)?;
    let mut state = tenant.lock();
    let app = state
        .application_mut(&app_id)
        .ok_or_else(|| ApiError::not_found("Application"))?;
    let before = app.authorities.len();
    app.authorities.retain(|c| c.meta.id != id);
    if app.authorities.len() == before {
        return Err(ApiError::not_found(WHAT));
    }
    Ok(Json(json!({ "success": true })))
}
