//! Operator API keys: in `Authorization`, bare (as evrythng.js sends it)
//! or after `Token ` (as python-evrythng sends it), or as `?access_token=`.
//! Also `GET /access` and `GET /operators/{id}`, which evrythng.js reads
//! when an Operator scope starts.

use std::sync::Arc;

use axum::Extension;
use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult};
use super::state::{Operator, Region};

/// The operator a request was made by.
#[derive(Clone)]
pub struct Caller(pub Operator);

fn key_of(req: &Request) -> Option<String> {
    if let Some(header) = req.headers().get(AUTHORIZATION) {
        let raw = header.to_str().ok()?.trim();
        let key = raw.strip_prefix("Token ").unwrap_or(raw).trim();
        return (!key.is_empty()).then(|| key.to_string());
    }
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(req.uri()).ok()?;
    pairs
        .into_iter()
        .rev()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

pub async fn require_key(
    State(region): State<Arc<Region>>,
    mut req: Request,
    next: Next,
) -> Response {
    let operator = key_of(&req).and_then(|key| region.lock().operator(&key).cloned());
    match operator {
        Some(op) => {
            req.extensions_mut().insert(Caller(op));
            next.run(req).await
        }
        None => ApiError::unauthorized().into_response(),
    }
}

/// Refuses a key that may only read.
pub fn writer(caller: &Caller) -> ApiResult<()> {
    if caller.0.writes() {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

pub async fn access(
    State(region): State<Arc<Region>>,
    Extension(caller): Extension<Caller>,
) -> Json<Value> {
    let account = region.lock().account.clone();
    Json(json!({
        "account": account,
        "actor": {"type": "operator", "id": caller.0.id},
    }))
}

/// An operator reads itself; any other id is out of its scope.
pub async fn operator(
    Extension(caller): Extension<Caller>,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> ApiResult<Json<Value>> {
    match id {
        Ok(Path(id)) if id == caller.0.id => Ok(Json(caller.0.to_json())),
        _ => Err(ApiError::not_found()),
    }
}
