//! Simulator controls under `/_sim`: NOT part of Mashery's API. They let
//! a test expire every access token at once or change a V3 API key's QPS
//! and daily quota, so token renewal and throttling can be tested without
//! waiting an hour or a day.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult};
use super::rest::object;
use super::seed::DEMO_API_KEY;
use super::state::Area;

/// `POST /_sim/expire-tokens`: every access token issued so far expires
/// now; refresh tokens keep working.
pub async fn expire_tokens(State(area): State<Arc<Area>>) -> Json<Value> {
    let mut state = area.lock();
    let now = Instant::now();
    for token in state.tokens.values_mut() {
        token.expires = now;
    }
    Json(json!({ "expired": state.tokens.len() }))
}

/// `PUT /_sim/limits` with `{"apiKey"?, "qps"?, "dailyQuota"?}`: the demo
/// key's limits unless `apiKey` names another. The answer also counts the
/// calls refused as over the QPS so far (`overQps`); `{}` only reads.
pub async fn limits(State(area): State<Arc<Area>>, bytes: Bytes) -> ApiResult<Json<Value>> {
    let body = object(&bytes)?;
    let key = body
        .get("apiKey")
        .and_then(Value::as_str)
        .unwrap_or(DEMO_API_KEY)
        .to_string();
    let mut state = area.lock();
    let k = state.api_key_mut(&key).ok_or_else(ApiError::not_found)?;
    if let Some(qps) = body.get("qps").and_then(Value::as_u64) {
        k.qps = u32::try_from(qps).unwrap_or(u32::MAX);
    }
    if let Some(quota) = body.get("dailyQuota").and_then(Value::as_u64) {
        k.daily_quota = quota;
    }
    Ok(Json(
        json!({ "apiKey": k.key, "qps": k.qps, "dailyQuota": k.daily_quota, "overQps": k.over_qps }),
    ))
}
