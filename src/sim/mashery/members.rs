//! `/members` and `/members/{username}`: the area's developers.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::error::{ApiError, ApiResult};
use super::format::{now, uuid};
use super::query::{ListQuery, Offset};
use super::rest::{Params, Problems, listed, object};
use super::state::{Area, Member};

const STRINGS: &[&str] = &[
    "email",
    "displayName",
    "firstName",
    "lastName",
    "company",
    "uri",
];
const AREA_STATUS: &[&str] = &["active", "waiting", "disabled"];

pub async fn list(State(area): State<Arc<Area>>, params: Params) -> ApiResult<Response> {
    let q = ListQuery::parse(&params.0)?;
    let state = area.lock();
    let docs: Vec<Value> = state.members.iter().map(Member::doc).collect();
    let (total, page) = q.list(&docs, Member::IMPLICIT, Offset::Page);
    Ok(listed(total, page))
}

pub async fn get(
    State(area): State<Arc<Area>>,
    Path(who): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let q = ListQuery::parse(&params.0)?;
    let state = area.lock();
    let i = state.member_index(&who).ok_or_else(ApiError::not_found)?;
    Ok(Json(q.one(&state.members[i].doc(), Member::IMPLICIT)))
}

/// Checks and applies the settable properties; `username` is not one.
fn apply(
    props: &mut Map<String, Value>,
    body: &Map<String, Value>,
    creating: bool,
) -> ApiResult<()> {
    let mut p = Problems::default();
    let mut next = props.clone();
    for key in STRINGS {
        match p.string(body, key) {
            Some(Some(v)) => {
                next.insert((*key).into(), json!(v));
            }
            Some(None) => {
                next.remove(*key);
            }
            None => {}
        }
    }
    match p.string(body, "areaStatus") {
        Some(Some(s)) if AREA_STATUS.contains(&s.as_str()) => {
            next.insert("areaStatus".into(), json!(s));
        }
        Some(Some(s)) => p.add(
            "areaStatus",
            format!("must be active, waiting or disabled, not {s}"),
        ),
        Some(None) => p.add("areaStatus", "may not be null"),
        None => {}
    }
    for key in ["email", "displayName"] {
        let blank = next
            .get(key)
            .and_then(Value::as_str)
            .is_none_or(|s| s.trim().is_empty());
        if blank && (creating || body.contains_key(key)) {
            p.add(key, "is required");
        }
    }
    if next
        .get("email")
        .and_then(Value::as_str)
        .is_some_and(|e| !e.contains('@'))
    {
        p.add("email", "must be an email address");
    }
    p.finish()?;
    next.entry("areaStatus").or_insert_with(|| json!("active"));
    *props = next;
    Ok(())
}

#[allow(
    clippy::unused_async,
    reason = "awaited beside its async siblings in one handler"
)]
async fn create_named(
    area: &Area,
    username: Option<String>,
    bytes: &Bytes,
    q: &ListQuery,
) -> ApiResult<Json<Value>> {
    let body = object(bytes)?;
    let username = username
        .or_else(|| {
            body.get("username")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default();
    let mut state = area.lock();
    if username.trim().is_empty() {
        return Err(ApiError::invalid("username", "is required"));
    }
    if state.member_index(&username).is_some() {
        return Err(ApiError::invalid("username", "is already taken"));
    }
    let mut props = Map::new();
    apply(&mut props, &body, true)?;
    let at = now();
    let member = Member {
        id: uuid(),
        username,
        created: at,
        updated: at,
        props,
    };
    let doc = q.one(&member.doc(), Member::IMPLICIT);
    state.members.push(member);
    Ok(Json(doc))
}

pub async fn create(
    State(area): State<Arc<Area>>,
    params: Params,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let q = ListQuery::parse(&params.0)?;
    create_named(&area, None, &bytes, &q).await
}

pub async fn create_at(
    State(area): State<Arc<Area>>,
    Path(who): Path<String>,
    params: Params,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let q = ListQuery::parse(&params.0)?;
    create_named(&area, Some(who), &bytes, &q).await
}

pub async fn update(
    State(area): State<Arc<Area>>,
    Path(who): Path<String>,
    params: Params,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let q = ListQuery::parse(&params.0)?;
    let body = object(&bytes)?;
    let mut state = area.lock();
    let i = state.member_index(&who).ok_or_else(ApiError::not_found)?;
    let member = &mut state.members[i];
    apply(&mut member.props, &body, false)?;
    member.updated = now();
    Ok(Json(q.one(&member.doc(), Member::IMPLICIT)))
}

/// Deleting a member deletes its applications and their keys.
pub async fn delete(State(area): State<Arc<Area>>, Path(who): Path<String>) -> ApiResult<Response> {
    let mut state = area.lock();
    let i = state.member_index(&who).ok_or_else(ApiError::not_found)?;
    let member = state.members.remove(i);
    let apps: Vec<String> = state
        .applications
        .iter()
        .filter(|a| a.username() == member.username)
        .map(|a| a.id.clone())
        .collect();
    state.applications.write().retain(|a| !apps.contains(&a.id));
    state.keys.retain(|k| !apps.contains(&k.application_id));
    Ok(().into_response())
}
