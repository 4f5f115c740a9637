//! `/applications` and `/applications/{applicationId}`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde_json::{Map, Value, json};

use super::auth::Grant;
use super::error::{ApiError, ApiResult};
use super::format::{is_object_id, normalize_date_time, now};
use super::listing::{self, APPLICATIONS};
use super::request::{self, OneId, QueryPairs, RawBody};
use super::schema::Body;
use super::state::{Application, Meta, SummaryFilter, Tenant, TenantState, merge};

const WHAT: &str = "Application";

pub async fn list(
    State(tenant): State<Arc<Tenant>>,
    grant: Option<Extension<Grant>>,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    // A token bound to one application sees only that one.
    let only = grant.and_then(|Extension(g)| g.application);
    let q = request::query(q)?;
    let params = APPLICATIONS.parse(&q)?;
    let summary = SummaryFilter::from_query(&q);
    // orgId: absent = every application, blank = the user's own, an id =
    // that organization's. The demo user owns every application and
    // belongs to no organization.
    let org = q.iter().rev().find(|(k, _)| k == "orgId").map(|(_, v)| v);
    if let Some(org) = org
        && !org.is_empty()
        && !is_object_id(org)
    {
        return Err(ApiError::validation("orgId must be a 24 character hex id"));
    }
    let state = tenant.lock();
    let visible = state
        .applications
        .iter()
        .filter(|_| org.is_none_or(String::is_empty))
        .filter(|a| only.as_ref().is_none_or(|id| *id == a.meta.id));
    let (page, total) = listing::select(visible, &params);
    let items = page.iter().map(|a| a.to_json(&summary)).collect();
    Ok(Json(listing::envelope(items, total, &params, None)))
}

/// Checks and normalizes what both POST and PATCH may set.
fn prepare(
    state: &TenantState,
    props: &mut Map<String, Value>,
    this: Option<&str>,
) -> ApiResult<()> {
    if let Some(slug) = props.get("endpointSlug").and_then(Value::as_str) {
        let taken = state.applications.iter().any(|a| {
            Some(a.meta.id.as_str()) != this
                && a.props.get("endpointSlug").and_then(Value::as_str) == Some(slug)
        });
        if taken {
            return Err(ApiError::validation(format!(
                "Endpoint slug {slug} is already in use"
            )));
        }
    }
    if let Some(raw) = props.get("expUserTokenCutoff").and_then(Value::as_str) {
        let normalized = normalize_date_time(raw).ok_or_else(|| {
            ApiError::validation("application.expUserTokenCutoff must be a date-time")
        })?;
        props.insert("expUserTokenCutoff".into(), json!(normalized));
    }
    Ok(())
}

pub async fn create(
    State(tenant): State<Arc<Tenant>>,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let q = request::query(q)?;
    let mut props = request::checked(body, Body::ApplicationPost)?;
    // The simulated user belongs to no organization and no templates
    // exist, so naming either can only fail.
    if props.remove("orgId").is_some() {
        return Err(ApiError::validation("Organization was not found"));
    }
    if props.remove("applicationTemplateId").is_some() {
        return Err(ApiError::validation("Application template was not found"));
    }
    let mut state = tenant.lock();
    prepare(&state, &mut props, None)?;
    request::default(&mut props, "appliedTemplateIds", json!([]));
    request::default(&mut props, "globals", json!([]));
    let app = Application {
        meta: Meta::new(now()),
        owner_id: state.user.id.clone(),
        props,
        certificates: Vec::new(),
        authorities: Vec::new(),
        keys: Vec::new(),
        tokens: Vec::new(),
        devices: Vec::new(),
    };
    let out = app.to_json(&SummaryFilter::from_query(&q));
    state.applications.push(app);
    Ok((StatusCode::CREATED, Json(out)))
}

pub async fn get(
    State(tenant): State<Arc<Tenant>>,
    path: OneId,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let id = request::one_id(path, WHAT)?;
    let q = request::query(q)?;
    let state = tenant.lock();
    let app = state
        .application(&id)
        .ok_or_else(|| ApiError::not_found(WHAT))?;
    Ok(Json(app.to_json(&SummaryFilter::from_query(&q))))
}

pub async fn patch(
    State(tenant): State<Arc<Tenant>>,
    path: OneId,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<Json<Value>> {
    let id = request::one_id(path, WHAT)?;
    let q = request::query(q)?;
    let mut patch = request::checked(body, Body::ApplicationPatch)?;
    let mut state = tenant.lock();
    if state.application(&id).is_none() {
        return Err(ApiError::not_found(WHAT));
    }
    prepare(&state, &mut patch, Some(&id))?;
    let app = state
        .application_mut(&id)
        .ok_or_else(|| ApiError::not_found(WHAT))?;
    merge(&mut app.props, patch);
    app.meta.updated = now();
    Ok(Json(app.to_json(&SummaryFilter::from_query(&q))))
}

pub async fn delete(
    State(tenant): State<Arc<Tenant>>,
    path: OneId,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let id = request::one_id(path, WHAT)?;
    request::query(q)?;
    let mut state = tenant.lock();
    let before = state.applications.len();
    // Certificates, authorities and keys live inside the application and go with it.
    state.applications.retain(|a| a.meta.id != id);
    if state.applications.len() == before {
        return Err(ApiError::not_found(WHAT));
    }
    Ok(Json(json!({ "success": true })))
}
