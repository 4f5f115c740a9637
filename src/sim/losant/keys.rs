//! `/applications/{applicationId}/keys[/{applicationKeyId}]`: MQTT access
//! keys. The secret is returned by POST only; Losant has no way to read or
//! regenerate it (rotation = new key, then deactivate or delete the old one).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::auth::Actor;
use super::collection::{self, Item, item_accessors};
use super::error::ApiResult;
use super::format::{now, random_hex};
use super::listing::{KEYS, ListRoute};
use super::request::{self, ActorExt, OneId, QueryPairs, RawBody, TwoIds};
use super::schema::Body;
use super::state::{AccessKey, Application, Meta, Tenant};

impl Item for AccessKey {
    const WHAT: &'static str = "Application key";
    // The advanced `query` parameter (a JSON filter) is not simulated and
    // is ignored; filterField/filter cover what Portico uses.
    const LIST: ListRoute = KEYS;

    item_accessors!(keys);

    /// applicationKey.json: never the secret.
    fn to_json(&self) -> Value {
        let mut out = self
            .meta
            .json(&self.props, "applicationKeyId", &self.application_id);
        out.insert("createdById".into(), json!(self.created_by.id()));
        out.insert("createdByType".into(), json!(self.created_by.kind()));
        out.insert("lastUpdatedById".into(), json!(self.updated_by.id()));
        out.insert("lastUpdatedByType".into(), json!(self.updated_by.kind()));
        out.insert("key".into(), json!(self.key));
        Value::Object(out)
    }
}

/// A new access key: a UUID-shaped key and a 64-hex secret, as Losant's
/// dashboard shows them.
pub fn mint(
    app_id: &str,
    by: &Actor,
    props: Map<String, Value>,
    created: time::OffsetDateTime,
) -> (AccessKey, String) {
    let secret = random_hex(32);
    let key = AccessKey {
        meta: Meta::new(created),
        application_id: app_id.to_string(),
        key: uuid::Uuid::new_v4().to_string(),
        secret_sha256: Sha256::digest(secret.as_bytes()).into(),
        created_by: by.clone(),
        updated_by: by.clone(),
        props,
    };
    (key, secret)
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
    let mut props = request::checked(body, Body::KeyPost)?;
    // The Post schema has no status: a new key is always active.
    props.insert("status".into(), json!("active"));
    collection::default_topics(&mut props);
    let (key, secret) = mint(&app_id, &actor, props, now());
    let (status, Json(mut out)) = collection::insert(&tenant, &app_id, key)?;
    // applicationKeyPostResponse.json: the key plus its secret, this once.
    if let Some(obj) = out.as_object_mut() {
        obj.insert("secret".into(), json!(secret));
    }
    Ok((status, Json(out)))
}

pub async fn patch(
    State(tenant): State<Arc<Tenant>>,
    actor: ActorExt,
    path: TwoIds,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<Json<Value>> {
    let actor = request::actor(actor)?;
    let (app_id, id) = collection::ids::<AccessKey>(path, q)?;
    // No deviceIds/deviceTags in the Patch schema; `name: null` clears the name.
    let patch = request::checked(body, Body::KeyPatch)?;
    collection::update(&tenant, &app_id, &id, patch, |key: &mut AccessKey| {
        key.updated_by = actor;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_hash_of_the_secret_is_kept_and_it_verifies() {
        let by = Actor::User("5cd02a50df66feb0994c7196".into());
        let (key, secret) = mint("5cd02a50df66feb0994c7197", &by, Map::default(), now());
        assert_eq!(secret.len(), 64);
        assert!(key.verify(&secret));
        assert!(!key.verify(&format!("{secret}0")));
        assert!(!key.to_json().to_string().contains(&secret));
    }
}
