//! What the per-application collections (certificates, certificate
//! authorities, access keys) share: the list, get and delete handlers, and
//! the create and patch plumbing. Each resource module keeps only what
//! differs: its schema, defaults and the data it derives from the body.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::error::{ApiError, ApiResult};
use super::format::now;
use super::listing::{self, ListRoute, Listed};
use super::request::{self, OneId, QueryPairs, TwoIds};
use super::state::{Application, Meta, Tenant, TenantState, merge};

/// A resource kept in a list inside its application.
pub trait Item: Listed + Sized + Send + 'static {
    /// The display name in `NotFound` bodies, e.g. "Application key".
    const WHAT: &'static str;
    /// The collection route's sort and filter rules.
    const LIST: ListRoute;
    /// The list names its application as `ownerId`/`ownerType` (apiTokens.json)
    /// rather than as `applicationId`.
    const OWNED: bool = false;

    fn all(app: &Application) -> &Vec<Self>;
    fn all_mut(app: &mut Application) -> &mut Vec<Self>;
    fn meta_mut(&mut self) -> &mut Meta;
    fn props_mut(&mut self) -> &mut Map<String, Value>;
    /// The resource's JSON as GET returns it.
    fn to_json(&self) -> Value;
}

/// The four accessors of an `Item` kept in `Application::$list` with
/// `meta` and `props` fields, which every impl would otherwise spell out
/// alike.
macro_rules! item_accessors {
    ($list:ident) => {
        fn all(app: &Application) -> &Vec<Self> {
            &app.$list
        }
        fn all_mut(app: &mut Application) -> &mut Vec<Self> {
            &mut app.$list
        }
        fn meta_mut(&mut self) -> &mut Meta {
            &mut self.meta
        }
        fn props_mut(&mut self) -> &mut Map<String, Value> {
            &mut self.props
        }
    };
}
pub(super) use item_accessors;

fn app<'a>(state: &'a TenantState, app_id: &str) -> ApiResult<&'a Application> {
    state
        .application(app_id)
        .ok_or_else(|| ApiError::not_found("Application"))
}

fn app_mut<'a>(state: &'a mut TenantState, app_id: &str) -> ApiResult<&'a mut Application> {
    state
        .application_mut(app_id)
        .ok_or_else(|| ApiError::not_found("Application"))
}

/// The application and item ids of a request to one item, once its query
/// string is known to parse.
pub fn ids<T: Item>(path: TwoIds, q: QueryPairs) -> ApiResult<(String, String)> {
    let ids = request::two_ids(path, T::WHAT)?;
    request::query(q)?;
    Ok(ids)
}

/// The topic-filter defaults certificates and access keys share: both
/// scope a device's MQTT access the same way.
pub fn default_topics(props: &mut Map<String, Value>) {
    request::default(props, "filterType", json!("all"));
    request::default(props, "pubTopics", json!([]));
    request::default(props, "subTopics", json!([]));
}

pub async fn list<T: Item>(
    State(tenant): State<Arc<Tenant>>,
    path: OneId,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let app_id = request::one_id(path, "Application")?;
    let params = T::LIST.parse(&request::query(q)?)?;
    let state = tenant.lock();
    let (page, total) = listing::select(T::all(app(&state, &app_id)?), &params);
    let items = page.iter().map(|item| item.to_json()).collect();
    if T::OWNED {
        let mut out = listing::envelope(items, total, &params, None);
        if let Some(obj) = out.as_object_mut() {
            obj.insert("ownerId".into(), json!(app_id));
            obj.insert("ownerType".into(), json!("application"));
        }
        return Ok(Json(out));
    }
    Ok(Json(listing::envelope(
        items,
        total,
        &params,
        Some(&app_id),
    )))
}

pub async fn get<T: Item>(
    State(tenant): State<Arc<Tenant>>,
    path: TwoIds,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let (app_id, id) = ids::<T>(path, q)?;
    let state = tenant.lock();
    let item = T::all(app(&state, &app_id)?)
        .iter()
        .find(|item| item.id() == id)
        .ok_or_else(|| ApiError::not_found(T::WHAT))?;
    Ok(Json(item.to_json()))
}

pub async fn delete<T: Item>(
    State(tenant): State<Arc<Tenant>>,
    path: TwoIds,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let (app_id, id) = ids::<T>(path, q)?;
    let mut state = tenant.lock();
    let items = T::all_mut(app_mut(&mut state, &app_id)?);
    let before = items.len();
    items.retain(|item| item.id() != id);
    if items.len() == before {
        return Err(ApiError::not_found(T::WHAT));
    }
    Ok(Json(json!({ "success": true })))
}

/// Adds `item` to application `app_id` and answers 201 with the item.
pub fn insert<T: Item>(
    tenant: &Tenant,
    app_id: &str,
    item: T,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut state = tenant.lock();
    let items = T::all_mut(app_mut(&mut state, app_id)?);
    let out = item.to_json();
    items.push(item);
    Ok((StatusCode::CREATED, Json(out)))
}

/// Applies a schema-checked PATCH body to item `id` of application
/// `app_id`, then `also` for what the resource derives beyond its
/// properties, and answers the updated item.
pub fn update<T: Item>(
    tenant: &Tenant,
    app_id: &str,
    id: &str,
    patch: Map<String, Value>,
    also: impl FnOnce(&mut T),
) -> ApiResult<Json<Value>> {
    let mut state = tenant.lock();
    let item = T::all_mut(app_mut(&mut state, app_id)?)
        .iter_mut()
        .find(|item| item.id() == id)
        .ok_or_else(|| ApiError::not_found(T::WHAT))?;
    merge(item.props_mut(), patch);
    also(item);
    item.meta_mut().updated = now();
    Ok(Json(item.to_json()))
}
