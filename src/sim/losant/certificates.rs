//! `/applications/{applicationId}/certificates[/{applicationCertificateId}]`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::certs::{self, CertInfo};
use super::error::{ApiError, ApiResult};
use super::format::{now, object_id};
use super::listing::{self, CERTIFICATES};
use super::request::{self, OneId, QueryPairs, RawBody, TwoIds};
use super::schema::{self, Body};
use super::state::{Certificate, Meta, Tenant, merge};

const WHAT: &str = "Application certificate";

fn parse_pem(props: &serde_json::Map<String, Value>) -> ApiResult<Option<CertInfo>> {
    match props.get("certificate").and_then(Value::as_str) {
        None => Ok(None),
        Some(pem) => certs::parse_single(pem).map(Some).map_err(|err| {
            ApiError::validation(format!("applicationCertificate.certificate: {err}"))
        }),
    }
}

pub async fn list(
    State(tenant): State<Arc<Tenant>>,
    path: OneId,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let app_id = request::one_id(path, "Application")?;
    let params = CERTIFICATES.parse(&request::query(q)?)?;
    let state = tenant.lock();
    let app = state
        .application(&app_id)
        .ok_or_else(|| ApiError::not_found("Application"))?;
    let (page, total) = listing::select(&app.certificates, &params);
    let items = page.iter().map(|c| c.to_json()).collect();
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
    let mut props = request::object(schema::parse(Body::CertificatePost, &body)?);
    let info = parse_pem(&props)?
        .ok_or_else(|| ApiError::validation("applicationCertificate.certificate is required"))?;
    request::default(&mut props, "status", json!("active"));
    request::default(&mut props, "filterType", json!("all"));
    request::default(&mut props, "pubTopics", json!([]));
    request::default(&mut props, "subTopics", json!([]));
    let mut state = tenant.lock();
    let app = state
        .application_mut(&app_id)
        .ok_or_else(|| ApiError::not_found("Application"))?;
    let created = now();
    let cert = Certificate {
        meta: Meta::new(object_id(created), created),
        application_id: app_id,
        props,
        info,
    };
    let out = cert.to_json();
    app.certificates.push(cert);
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
    let cert = app
        .certificates
        .iter()
        .find(|c| c.meta.id == id)
        .ok_or_else(|| ApiError::not_found(WHAT))?;
    Ok(Json(cert.to_json()))
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
    // The Patch schema has no deviceIds/deviceTags and forbids extra
    // properties, so sending either is a 400 here.
    let patch = request::object(schema::parse(Body::CertificatePatch, &body)?);
    let info = parse_pem(&patch)?;
    let mut state = tenant.lock();
    let app = state
        .application_mut(&app_id)
        .ok_or_else(|| ApiError::not_found("Application"))?;
    let cert = app
        .certificates
        .iter_mut()
        .find(|c| c.meta.id == id)
        .ok_or_else(|| ApiError::not_found(WHAT))?;
    merge(&mut cert.props, patch);
    if let Some(info) = info {
        cert.info = info;
    }
    cert.meta.updated = now();
    Ok(Json(cert.to_json()))
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
    let before = app.certificates.len();
    app.certificates.retain(|c| c.meta.id != id);
    if app.certificates.len() == before {
        return Err(ApiError::not_found(WHAT));
    }
    Ok(Json(json!({ "success": true })))
}
