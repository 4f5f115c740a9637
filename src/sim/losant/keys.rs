//! `/applications/{applicationId}/keys[/{applicationKeyId}]`: MQTT access
//! keys. The secret is returned by POST only; Losant has no way to read or
//! regenerate it (rotation = new key, then deactivate or delete the old one).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::auth::Actor;
use super::error::{ApiError, ApiResult};
use super::format::{now, object_id, random_hex};
use super::listing::{self, KEYS};
use super::request::{self, ActorExt, OneId, QueryPairs, RawBody, TwoIds};
use super::schema::{self, Body};
use super::state::{AccessKey, Meta, Tenant, merge};

const WHAT: &str = "Application key";

/// A new access key: a UUID-shaped key and a 64-hex secret, as Losant's
/// dashboard shows them.
pub fn mint(
    app_id: &str,
    by: &Actor,
    props: serde_json::Map<String, Value>,
    created: time::OffsetDateTime,
) -> (AccessKey, String) {
    let secret = random_hex(32);
    let key = AccessKey {
        meta: Meta::new(object_id(created), created),
        application_id: app_id.to_string(),
        key: uuid::Uuid::new_v4().to_string(),
        secret_sha256: Sha256::digest(secret.as_bytes()).into(),
        created_by: by.clone(),
        updated_by: by.clone(),
        props,
    };
    (key, secret)
}

pub async fn list(
    State(tenant): State<Arc<Tenant>>,
    path: OneId,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let app_id = request::one_id(path, "Application")?;
    // The advanced `query` parameter (a JSON filter) is not simulated and
    // is ignored; filterField/filter cover what Portico uses.
    let params = KEYS.parse(&request::query(q)?)?;
    let state = tenant.lock();
    let app = state
        .application(&app_id)
        .ok_or_else(|| ApiError::not_found("Application"))?;
    let (page, total) = listing::select(&app.keys, &params);
    let items = page.iter().map(|k| k.to_json()).collect();
    Ok(Json(listing::envelope(
        items,
        total,
        &params,
        Some(&app_id),
    )))
}

pub async fn create(
    State(tenant): State<Arc<Tenant>>,
    actor: ActorExt,
    path: OneId,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let actor = request::actor(actor)?;
    let app_id = request::one_id(path, "Application")?;
    request::query(q)?;
    let body = request::body(body)?;
    let mut props = request::object(schema::parse(Body::KeyPost, &body)?);
    // The Post schema has no status: a new key is always active.
    props.insert("status".into(), json!("active"));
    request::default(&mut props, "filterType", json!("all"));
    request::default(&mut props, "pubTopics", json!([]));
    request::default(&mut props, "subTopics", json!([]));
    let mut state = tenant.lock();
    let app = state
        .application_mut(&app_id)
        .ok_or_else(|| ApiError::not_found("Application"))?;
    let (key, secret) = mint(&app_id, &actor, props, now());
    // applicationKeyPostResponse.json: the key plus its secret, this once.
    let mut out = key.to_json();
    if let Some(obj) = out.as_object_mut() {
        obj.insert("secret".into(), json!(secret));
    }
    app.keys.push(key);
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
    let key = app
        .keys
        .iter()
        .find(|k| k.meta.id == id)
        .ok_or_else(|| ApiError::not_found(WHAT))?;
    Ok(Json(key.to_json()))
}

pub async fn patch(
    State(tenant): State<Arc<Tenant>>,
    actor: ActorExt,
    path: TwoIds,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<Json<Value>> {
    let actor = request::actor(actor)?;
    let (app_id, id) = request::two_ids(path, WHAT)?;
    request::query(q)?;
    let body = request::body(body)?;
    // No deviceIds/deviceTags in the Patch schema; `name: null` clears the name.
    let patch = request::object(schema::parse(Body::KeyPatch, &body)?);
    let mut state = tenant.lock();
    let app = state
        .application_mut(&app_id)
        .ok_or_else(|| ApiError::not_found("Application"))?;
    let key = app
        .keys
        .iter_mut()
        .find(|k| k.meta.id == id)
        .ok_or_else(|| ApiError::not_found(WHAT))?;
    merge(&mut key.props, patch);
    key.meta.updated = now();
    key.updated_by = actor;
    Ok(Json(key.to_json()))
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
    let before = app.keys.len();
    app.keys.retain(|k| k.meta.id != id);
    if app.keys.len() == before {
        return Err(ApiError::not_found(WHAT));
    }
    Ok(Json(json!({ "success": true })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_hash_of_the_secret_is_kept_and_it_verifies() {
        let by = Actor::User("5cd02a50df66feb0994c7196".into());
        let (key, secret) = mint("5cd02a50df66feb0994c7197", &by, Default::default(), now());
        assert_eq!(secret.len(), 64);
        assert!(key.verify(&secret));
        assert!(!key.verify(&format!("{secret}0")));
        assert!(!key.to_json().to_string().contains(&secret));
    }
}
