//! `/applications/{applicationId}/tokens[/{apiTokenId}]`: application API
//! tokens (apiToken.json). The token is a JWT returned by POST only; the
//! simulator keeps its SHA-256, never the token.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::auth::{self, Actor};
use super::collection::{self, Item, item_accessors};
use super::error::ApiResult;
use super::format::{iso, now, random_hex};
use super::listing::{ListRoute, TOKENS};
use super::request::{self, ActorExt, OneId, QueryPairs, RawBody, TwoIds};
use super::schema::Body;
use super::state::{ApiToken, Application, Meta, Tenant};

impl Item for ApiToken {
    const WHAT: &'static str = "API token";
    const LIST: ListRoute = TOKENS;
    const OWNED: bool = true;

    item_accessors!(tokens);

    fn to_json(&self) -> Value {
        let mut out: Map<String, Value> = self.props.clone();
        out.insert("id".into(), json!(self.meta.id));
        out.insert("apiTokenId".into(), json!(self.meta.id));
        out.insert("ownerId".into(), json!(self.application_id));
        out.insert("ownerType".into(), json!("application"));
        out.insert("creatorId".into(), json!(self.creator.id()));
        out.insert("creatorType".into(), json!(self.creator.kind()));
        out.insert("creationDate".into(), json!(iso(self.meta.created)));
        out.insert("lastUpdated".into(), json!(iso(self.meta.updated)));
        Value::Object(out)
    }
}

/// A new token for application `app_id` and the token text, shown once.
pub fn mint(app_id: &str, by: &Actor, mut props: Map<String, Value>) -> (ApiToken, String) {
    request::default(&mut props, "status", json!("active"));
    // The Post schema makes scope optional; a token without one gets the
    // application-wide scope, as Losant's dashboard offers by default.
    request::default(&mut props, "scope", json!(["all.Application"]));
    let created = now();
    let meta = Meta::new(created);
    let mut claims = json!({
        "sub": meta.id,
        "subtype": "apiToken",
        "scope": props.get("scope").cloned().unwrap_or_else(|| json!([])),
        "iat": created.unix_timestamp(),
        "iss": "portico-sim",
    });
    if let (Some(at), Some(obj)) = (
        props
            .get("expirationDate")
            .and_then(Value::as_str)
            .and_then(|d| {
                time::OffsetDateTime::parse(d, &time::format_description::well_known::Rfc3339).ok()
            }),
        claims.as_object_mut(),
    ) {
        obj.insert("exp".into(), json!(at.unix_timestamp()));
    }
    // Each token is signed with a key of its own: the simulator looks tokens
    // up by hash and never needs to check a signature.
    let token = auth::jwt(random_hex(32).as_bytes(), &claims);
    let api = ApiToken {
        meta,
        application_id: app_id.to_string(),
        creator: by.clone(),
        token_sha256: Sha256::digest(token.as_bytes()).into(),
        props,
    };
    (api, token)
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
    let props = request::checked(body, Body::TokenPost)?;
    let (api, token) = mint(&app_id, &actor, props);
    let (status, Json(mut out)) = collection::insert(&tenant, &app_id, api)?;
    if let Some(obj) = out.as_object_mut() {
        obj.insert("token".into(), json!(token));
    }
    Ok((status, Json(out)))
}

pub async fn patch(
    State(tenant): State<Arc<Tenant>>,
    path: TwoIds,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<Json<Value>> {
    let (app_id, id) = collection::ids::<ApiToken>(path, q)?;
    // No scope or expirationDate in the Patch schema: both are fixed at creation.
    let patch = request::checked(body, Body::TokenPatch)?;
    collection::update(&tenant, &app_id, &id, patch, |_: &mut ApiToken| {})
}
