//! Turns axum's extractor rejections into Losant error bodies; axum's own
//! plain-text rejections are not what a Losant client expects.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, ExtensionRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use serde_json::{Map, Value};

use super::auth::Actor;
use super::error::{ApiError, ApiResult};
use super::format::is_object_id;
use super::schema::{self, Body};

pub type QueryPairs = Result<Query<Vec<(String, String)>>, QueryRejection>;
pub type RawBody = Result<Bytes, BytesRejection>;
pub type OneId = Result<Path<String>, PathRejection>;
pub type TwoIds = Result<Path<(String, String)>, PathRejection>;
pub type ActorExt = Result<Extension<Actor>, ExtensionRejection>;

/// The query string as pairs. `_actions`, `_links`, `_embedded` (sent by
/// the vendor clients on every call) and any other unknown names are
/// simply never looked at.
pub fn query(q: QueryPairs) -> ApiResult<Vec<(String, String)>> {
    q.map(|Query(pairs)| pairs)
        .map_err(|err| ApiError::bad_request(err.body_text()))
}

pub fn body(b: RawBody) -> ApiResult<Bytes> {
    b.map_err(|err| ApiError::bad_request(err.body_text()))
}

pub fn actor(a: ActorExt) -> ApiResult<Actor> {
    a.map(|Extension(actor)| actor)
        .map_err(|_| ApiError::unauthorized())
}

/// A path id, lowercased (`ObjectIds` are case-insensitive hex). Anything
/// that is not 24 hex characters can name nothing, so it is a 404 like an
/// unknown id.
pub fn id(raw: &str, what: &str) -> ApiResult<String> {
    if is_object_id(raw) {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(ApiError::not_found(what))
    }
}

pub fn one_id(p: OneId, what: &str) -> ApiResult<String> {
    let Path(raw) = p.map_err(|_| ApiError::not_found(what))?;
    id(&raw, what)
}

pub fn two_ids(p: TwoIds, what: &str) -> ApiResult<(String, String)> {
    let Path((app, item)) = p.map_err(|_| ApiError::not_found("Application"))?;
    Ok((id(&app, "Application")?, id(&item, what)?))
}

/// A body checked against the route's Post or Patch schema, as an object
/// (every one of those schemas is `type: object`).
pub fn checked(b: RawBody, schema: Body) -> ApiResult<Map<String, Value>> {
    match schema::parse(schema, &body(b)?)? {
        Value::Object(map) => Ok(map),
        _ => Ok(Map::new()),
    }
}

/// Sets `key` to `value` unless the client sent it.
pub fn default(props: &mut Map<String, Value>, key: &str, value: Value) {
    props.entry(key.to_string()).or_insert(value);
}
