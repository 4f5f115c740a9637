//! Package keys (area-wide and under an application) and the packages
//! with their plans that a key is issued for.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult};
use super::format::{LOWER_ALNUM, MIXED_ALNUM, now, random_from, uuid};
use super::query::{ListQuery, Offset};
use super::rest::{Params, Problems, listed, object};
use super::state::{Area, AreaState, KeyStatus, Package, PackageKey};

const MAX_SECRET: usize = 255;

pub async fn packages(State(area): State<Arc<Area>>, params: Params) -> ApiResult<Response> {
    let q = ListQuery::parse(&params.0)?;
    let state = area.lock();
    let docs: Vec<Value> = state.packages.iter().map(Package::doc).collect();
    // Unlike the other lists, /packages counts offset in items.
    let (total, page) = q.list(&docs, Package::IMPLICIT, Offset::Item);
    Ok(listed(total, page))
}

pub async fn package(
    State(area): State<Arc<Area>>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let q = ListQuery::parse(&params.0)?;
    let state = area.lock();
    let p = state.package(&id).ok_or_else(ApiError::not_found)?;
    Ok(Json(q.one(&p.doc(), Package::IMPLICIT)))
}

fn list_where(state: &AreaState, q: &ListQuery, keep: impl Fn(&PackageKey) -> bool) -> Response {
    let docs: Vec<Value> = state
        .keys
        .iter()
        .filter(|k| keep(k))
        .map(|k| state.key_doc(k))
        .collect();
    let (total, page) = q.list(&docs, PackageKey::IMPLICIT, Offset::Page);
    listed(total, page)
}

pub async fn list(State(area): State<Arc<Area>>, params: Params) -> ApiResult<Response> {
    let q = ListQuery::parse(&params.0)?;
    let state = area.lock();
    Ok(list_where(&state, &q, |_| true))
}

pub async fn list_of_app(
    State(area): State<Arc<Area>>,
    Path(app): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let q = ListQuery::parse(&params.0)?;
    let state = area.lock();
    state.app_index(&app).ok_or_else(ApiError::not_found)?;
    Ok(list_where(&state, &q, |k| k.application_id == app))
}

fn nested_id(body: &Map<String, Value>, key: &str) -> Option<String> {
    body.get(key)?.get("id")?.as_str().map(str::to_string)
}

fn valid_secret(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= MAX_SECRET && s.chars().all(|c| c.is_ascii_graphic())
}

/// The settable properties other than package, plan and apikey.
fn apply_common(p: &mut Problems, key: &mut PackageKey, body: &Map<String, Value>) {
    if let Some(v) = p.string(body, "secret") {
        match v {
            Some(s) if valid_secret(&s) => key.secret = s,
            _ => p.add("secret", "must be 1 to 255 printable characters"),
        }
    }
    if let Some(v) = p.string(body, "status") {
        match v.as_deref().and_then(KeyStatus::parse) {
            Some(s) => key.status = s,
            None => p.add("status", "must be active, waiting or disabled"),
        }
    }
    if let Some(v) = p.int(body, "rateLimitCeiling") {
        key.rate_limit_ceiling = v;
    }
    if let Some(v) = p.int(body, "qpsLimitCeiling") {
        key.qps_limit_ceiling = v;
    }
    if let Some(v) = p.boolean(body, "rateLimitExempt") {
        key.rate_limit_exempt = v;
    }
    if let Some(v) = p.boolean(body, "qpsLimitExempt") {
        key.qps_limit_exempt = v;
    }
    if let Some(v) = p.string(body, "expires") {
        key.expires = v;
    }
}

/// Answers 200, as every Mashery create does.
pub async fn create(
    State(area): State<Arc<Area>>,
    Path(app): Path<String>,
    params: Params,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let q = ListQuery::parse(&params.0)?;
    let body = object(&bytes)?;
    let mut state = area.lock();
    state.app_index(&app).ok_or_else(ApiError::not_found)?;
    let mut p = Problems::default();
    let package = nested_id(&body, "package").and_then(|id| state.package(&id));
    let plan_id = nested_id(&body, "plan");
    let (package_id, key_len, secret_len) = if let Some(pk) = package {
        (pk.id.clone(), pk.key_length, pk.shared_secret_length)
    } else {
        p.add("package", "an existing package {id} is required");
        (String::new(), 24, 10)
    };
    let plan_ok = package.is_some_and(|pk| {
        plan_id
            .as_deref()
            .is_some_and(|id| pk.plans.iter().any(|pl| pl.id == id))
    });
    if package.is_some() && !plan_ok {
        p.add("plan", "a plan {id} of the package is required");
    }
    let apikey = match p.string(&body, "apikey") {
        Some(Some(k)) if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric()) => k,
        Some(Some(_)) => {
            p.add("apikey", "must be letters and digits");
            String::new()
        }
        _ => random_from(LOWER_ALNUM, key_len),
    };
    if state.keys.iter().any(|k| k.apikey == apikey) {
        p.add("apikey", "is already in use");
    }
    let at = now();
    let mut key = PackageKey {
        id: uuid(),
        apikey,
        secret: random_from(MIXED_ALNUM, secret_len),
        created: at,
        updated: at,
        application_id: app,
        package_id,
        plan_id: plan_id.unwrap_or_default(),
        status: KeyStatus::Active,
        rate_limit_ceiling: None,
        rate_limit_exempt: false,
        qps_limit_ceiling: None,
        qps_limit_exempt: false,
        expires: None,
    };
    apply_common(&mut p, &mut key, &body);
    p.finish()?;
    let doc = q.one(&state.key_doc(&key), PackageKey::IMPLICIT);
    state.keys.push(key);
    Ok(Json(doc))
}

fn find(state: &AreaState, app: Option<&str>, id: &str) -> ApiResult<usize> {
    let i = state.key_index(id).ok_or_else(ApiError::not_found)?;
    match app {
        Some(app) if state.keys[i].application_id != app => Err(ApiError::not_found()),
        _ => Ok(i),
    }
}

fn get_in(area: &Area, app: Option<&str>, id: &str, params: &Params) -> ApiResult<Json<Value>> {
    let q = ListQuery::parse(&params.0)?;
    let state = area.lock();
    let i = find(&state, app, id)?;
    Ok(Json(
        q.one(&state.key_doc(&state.keys[i]), PackageKey::IMPLICIT),
    ))
}

/// `apikey` is immutable and ignored; the plan may change within the
/// package, the package never.
fn update_in(
    area: &Area,
    app: Option<&str>,
    id: &str,
    params: &Params,
    bytes: &Bytes,
) -> ApiResult<Json<Value>> {
    let q = ListQuery::parse(&params.0)?;
    let body = object(bytes)?;
    let mut state = area.lock();
    let i = find(&state, app, id)?;
    let mut p = Problems::default();
    let current = &state.keys[i];
    if let Some(pkg) = nested_id(&body, "package")
        && pkg != current.package_id
    {
        p.add("package", "the package of a key cannot be changed");
    }
    let mut plan_id = current.plan_id.clone();
    if let Some(plan) = nested_id(&body, "plan") {
        let in_package = state
            .package(&current.package_id)
            .is_some_and(|pk| pk.plans.iter().any(|pl| pl.id == plan));
        if in_package {
            plan_id = plan;
        } else {
            p.add("plan", "the plan must belong to the key's package");
        }
    }
    let key = &mut state.keys[i];
    // Checked on a copy, so a refused body changes nothing.
    let mut next = PackageKey {
        id: key.id.clone(),
        apikey: key.apikey.clone(),
        secret: key.secret.clone(),
        created: key.created,
        updated: now(),
        application_id: key.application_id.clone(),
        package_id: key.package_id.clone(),
        plan_id,
        status: key.status,
        rate_limit_ceiling: key.rate_limit_ceiling,
        rate_limit_exempt: key.rate_limit_exempt,
        qps_limit_ceiling: key.qps_limit_ceiling,
        qps_limit_exempt: key.qps_limit_exempt,
        expires: key.expires.clone(),
    };
    apply_common(&mut p, &mut next, &body);
    p.finish()?;
    *key = next;
    let doc = state.key_doc(&state.keys[i]);
    Ok(Json(q.one(&doc, PackageKey::IMPLICIT)))
}

fn delete_in(area: &Area, app: Option<&str>, id: &str) -> ApiResult<Response> {
    let mut state = area.lock();
    let i = find(&state, app, id)?;
    state.keys.remove(i);
    Ok(().into_response())
}

pub async fn get(
    State(area): State<Arc<Area>>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    get_in(&area, None, &id, &params)
}

pub async fn get_of_app(
    State(area): State<Arc<Area>>,
    Path((app, id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<Value>> {
    get_in(&area, Some(&app), &id, &params)
}

pub async fn update(
    State(area): State<Arc<Area>>,
    Path(id): Path<String>,
    params: Params,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    update_in(&area, None, &id, &params, &bytes)
}

pub async fn update_of_app(
    State(area): State<Arc<Area>>,
    Path((app, id)): Path<(String, String)>,
    params: Params,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    update_in(&area, Some(&app), &id, &params, &bytes)
}

pub async fn delete(State(area): State<Arc<Area>>, Path(id): Path<String>) -> ApiResult<Response> {
    delete_in(&area, None, &id)
}

pub async fn delete_of_app(
    State(area): State<Arc<Area>>,
    Path((app, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    delete_in(&area, Some(&app), &id)
}
