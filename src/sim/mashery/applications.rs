//! `/applications`, `/applications/{id}` and `/members/{username}/applications`
//! (where applications are created: `/applications` has no POST).

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
use super::state::{APP_FIELDS, Application, Area, AreaState, Ty};

pub async fn list(State(area): State<Arc<Area>>, params: Params) -> ApiResult<Response> {
    let q = ListQuery::parse(&params.0)?;
    let state = area.lock();
    let apps: Vec<&Application> = state.applications.iter().collect();
    Ok(listed_apps(&state, &q, "", &apps))
}

/// A page of `apps`, the applications of `scope` (a member's username, or
/// "" for the area). Whole documents (package keys and all) are built for
/// the page's rows alone; filters and sorts read only the fields they
/// need, and the order they make is remembered until the next write.
fn listed_apps(state: &AreaState, q: &ListQuery, scope: &str, apps: &[&Application]) -> Response {
    let read = q.read_fields();
    if read.contains(&"packageKeys") {
        let docs = state.app_docs(apps.iter().copied());
        let (total, page) = q.list(&docs, Application::IMPLICIT, Offset::Page);
        return listed(total, page);
    }
    let order = state
        .applications
        .order(format!("{scope}|{}", q.order_key()), || {
            let light: Vec<Value> = apps
                .iter()
                .map(|a| AreaState::app_doc_of(a, &read))
                .collect();
            q.order(&light)
        });
    let (total, page) = q.page_of(&order, Offset::Page);
    let page = q.project_page(&page, |i| state.app_doc(apps[i]), Application::IMPLICIT);
    listed(total, page)
}

pub async fn list_of_member(
    State(area): State<Arc<Area>>,
    Path(who): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let q = ListQuery::parse(&params.0)?;
    let state = area.lock();
    let i = state.member_index(&who).ok_or_else(ApiError::not_found)?;
    let username = &state.members[i].username;
    let apps: Vec<&Application> = state
        .applications
        .iter()
        .filter(|a| a.username() == username)
        .collect();
    Ok(listed_apps(&state, &q, username, &apps))
}

pub async fn get(
    State(area): State<Arc<Area>>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let q = ListQuery::parse(&params.0)?;
    let state = area.lock();
    let i = state.app_index(&id).ok_or_else(ApiError::not_found)?;
    Ok(Json(q.one(
        &state.app_doc(&state.applications[i]),
        Application::IMPLICIT,
    )))
}

/// Checks every settable field in `body`, then applies them all or none.
/// `id`, `created`, `updated` and anything unknown are ignored.
fn apply(
    state: &AreaState,
    props: &mut Map<String, Value>,
    eav: &mut Map<String, Value>,
    body: &Map<String, Value>,
) -> ApiResult<()> {
    let mut p = Problems::default();
    let mut next = props.clone();
    for (key, ty) in APP_FIELDS {
        let Some(v) = body.get(*key) else { continue };
        match (ty, v) {
            (_, Value::Null) if matches!(*key, "name" | "username") => {
                p.add(key, "may not be blank");
            }
            (_, Value::Null) => {
                next.remove(*key);
            }
            (Ty::Str, Value::String(s)) => {
                let s = s.trim();
                if *key == "name" && s.is_empty() {
                    p.add(key, "may not be blank");
                } else if *key == "name" && s.chars().count() > 255 {
                    p.add(key, "may be at most 255 characters");
                } else if *key == "username" && state.member_index(s).is_none() {
                    p.add(key, format!("no member is called {s}"));
                } else {
                    next.insert((*key).into(), json!(s));
                }
            }
            (Ty::Bool, Value::Bool(b)) => {
                next.insert((*key).into(), json!(b));
            }
            (Ty::Str, _) => p.add(key, "must be a string"),
            (Ty::Bool, _) => p.add(key, "must be a boolean"),
        }
    }
    let mut next_eav = eav.clone();
    match body.get("eav") {
        None | Some(Value::Null) => {}
        Some(Value::Object(attrs)) => {
            for (k, v) in attrs {
                match v {
                    Value::String(_) => {
                        next_eav.insert(k.clone(), v.clone());
                    }
                    Value::Null => {
                        next_eav.remove(k);
                    }
                    _ => p.add(&format!("eav.{k}"), "must be a string"),
                }
            }
        }
        Some(_) => p.add("eav", "must be an object"),
    }
    if !next.contains_key("name") {
        p.add("name", "is required");
    }
    p.finish()?;
    *props = next;
    *eav = next_eav;
    Ok(())
}

/// Answers 200 with the application as persisted, as Mashery does.
pub async fn create(
    State(area): State<Arc<Area>>,
    Path(who): Path<String>,
    params: Params,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let q = ListQuery::parse(&params.0)?;
    let mut body = object(&bytes)?;
    let mut state = area.lock();
    let i = state.member_index(&who).ok_or_else(ApiError::not_found)?;
    // The member in the path owns it, whatever the body says.
    body.insert("username".into(), json!(state.members[i].username));
    let (mut props, mut eav) = (Map::new(), Map::new());
    apply(&state, &mut props, &mut eav, &body)?;
    let at = now();
    let app = Application {
        id: uuid(),
        created: at,
        updated: at,
        props,
        eav,
    };
    let doc = q.one(&state.app_doc(&app), Application::IMPLICIT);
    state.applications.write().push(app);
    Ok(Json(doc))
}

pub async fn update(
    State(area): State<Arc<Area>>,
    Path(id): Path<String>,
    params: Params,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let q = ListQuery::parse(&params.0)?;
    let body = object(&bytes)?;
    let mut state = area.lock();
    let i = state.app_index(&id).ok_or_else(ApiError::not_found)?;
    let (mut props, mut eav) = (
        state.applications[i].props.clone(),
        state.applications[i].eav.clone(),
    );
    apply(&state, &mut props, &mut eav, &body)?;
    let app = &mut state.applications.write()[i];
    app.props = props;
    app.eav = eav;
    app.updated = now();
    let doc = state.app_doc(&state.applications[i]);
    Ok(Json(q.one(&doc, Application::IMPLICIT)))
}

/// 200 with an empty body; the application's keys go with it.
pub async fn delete(State(area): State<Arc<Area>>, Path(id): Path<String>) -> ApiResult<Response> {
    let mut state = area.lock();
    let i = state.app_index(&id).ok_or_else(ApiError::not_found)?;
    state.applications.write().remove(i);
    state.keys.retain(|k| k.application_id != id);
    Ok(().into_response())
}
