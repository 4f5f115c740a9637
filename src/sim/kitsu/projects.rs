//! Productions (`/data/projects`) and their statuses (`/data/project-status`).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};

use super::auth::authenticate;
use super::errors::{ApiError, ApiResult, no_content, ok};
use super::query::{Params, json_body, listing, matches};
use super::schema::{
    self, ENTITY, PROJECT, PROJECT_STATUS, Record, build, ids, serialize, text, validate_update,
};
use super::store::{Store, find, position};
use super::{Shared, clock, path_id};

const PROTECTED: &[&str] = &["id", "created_at", "updated_at"];

/// What `GET /data/projects/{id}` adds to the columns and relations.
fn full_view(st: &Store, project: &Record) -> Map<String, Value> {
    let mut out = serialize(&PROJECT, project, true);
    // Metadata descriptors, task type priorities and status links are not
    // simulated; they are present and empty, as on a fresh production.
    add_settings(&mut out);
    out.insert("project_status_name".into(), status_name(st, project));
    out
}

fn add_settings(out: &mut Map<String, Value>) {
    out.insert("descriptors".into(), json!([]));
    out.insert("task_type_links".into(), json!({}));
    out.insert("task_types_priority".into(), json!({}));
    out.insert("task_statuses_link".into(), json!({}));
}

fn status_name(st: &Store, project: &Record) -> Value {
    find(&st.project_statuses, text(project, "project_status_id"))
        .map(|s| Value::String(text(s, "name").to_owned()))
        .unwrap_or(Value::Null)
}

pub async fn list(
    State(shared): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &mut st, &headers)?;
    let params = Params::parse(raw.as_deref());
    let relations = params.flag("relations");
    let rows: Vec<&Record> = st
        .projects
        .iter()
        .filter(|p| caller.can_read(p) && matches(&PROJECT, p, &params))
        .collect();
    listing(rows, &params, |p| serialize(&PROJECT, p, relations))
}

/// `GET /data/projects/open` (gazu's `all_open_projects`): relations and
/// the (empty) production settings.
pub async fn list_open(State(shared): State<Shared>, headers: HeaderMap) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &mut st, &headers)?;
    let items: Vec<Value> = st
        .projects
        .iter()
        .filter(|p| caller.can_read(p) && st.is_open(p))
        .map(|p| {
            let mut out = serialize(&PROJECT, p, true);
            add_settings(&mut out);
            Value::Object(out)
        })
        .collect();
    ok(StatusCode::OK, Value::Array(items))
}

/// `GET /data/projects/all`: every production the caller may see, columns
/// plus status name and descriptors.
pub async fn list_all(State(shared): State<Shared>, headers: HeaderMap) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &mut st, &headers)?;
    let items: Vec<Value> = st
        .projects
        .iter()
        .filter(|p| caller.can_read(p))
        .map(|p| {
            let mut out = serialize(&PROJECT, p, false);
            out.insert("project_status_name".into(), status_name(&st, p));
            out.insert("descriptors".into(), json!([]));
            Value::Object(out)
        })
        .collect();
    ok(StatusCode::OK, Value::Array(items))
}

pub async fn get_one(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &mut st, &headers)?;
    let id = path_id(&id)?;
    let project = find(&st.projects, &id).ok_or(ApiError::NotFound)?;
    if !caller.can_read(project) {
        // Zou answers this refusal with a JSON null body.
        return Err(ApiError::Body(StatusCode::FORBIDDEN, Value::Null));
    }
    ok(StatusCode::OK, Value::Object(full_view(&st, project)))
}

/// Unique names and the status foreign key, checked the way the database
/// would. Related ids that match nothing are dropped, as Zou drops them.
fn check_references(st: &Store, record: &mut Record, self_id: &str) -> Result<(), ApiError> {
    let name = text(record, "name");
    if st
        .projects
        .iter()
        .any(|p| text(p, "id") != self_id && text(p, "name") == name)
    {
        return Err(ApiError::duplicate());
    }
    let status = text(record, "project_status_id");
    if !status.is_empty() && find(&st.project_statuses, status).is_none() {
        return Err(ApiError::fk_conflict());
    }
    let team: Vec<String> = ids(record, "team")
        .into_iter()
        .filter(|person| st.person(person).is_some())
        .collect();
    let asset_types: Vec<String> = ids(record, "asset_types")
        .into_iter()
        .filter(|t| find(&st.entity_types, t).is_some())
        .collect();
    record.insert("team".into(), json!(team));
    record.insert("asset_types".into(), json!(asset_types));
    Ok(())
}

pub async fn create(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &mut st, &headers)?;
    caller.require_admin()?;
    let mut body = json_body(&headers, &body)?;
    // Templates are not simulated; the id gazu may send is accepted and
    // has no effect.
    body.remove("project_template_id");
    if body.get("production_style").is_some_and(Value::is_null) {
        body.remove("production_style");
    }
    let now = clock::naive(clock::now());
    let mut project = build(&PROJECT, &body, &now)?;
    if text(&project, "project_status_id").is_empty() {
        project.insert(
            "project_status_id".into(),
            Value::String(st.open_status_id()),
        );
    }
    check_references(&st, &mut project, "")?;

    // A TV show starts with a first episode, E01.
    let mut first_episode = None;
    if text(&project, "production_type") == "tvshow"
        && let Some(episode_type) = st.entity_type_named("Episode")
    {
        let mut fields = Map::new();
        fields.insert("name".into(), "E01".into());
        fields.insert("project_id".into(), project["id"].clone());
        fields.insert("entity_type_id".into(), episode_type["id"].clone());
        let episode = build(&ENTITY, &fields, &now)?;
        first_episode = Some(episode["id"].clone());
        st.entities.push(episode);
    }

    let mut out = serialize(&PROJECT, &project, true);
    if let Some(episode) = first_episode {
        out.insert("first_episode_id".into(), episode);
    }
    st.projects.push(project);
    ok(StatusCode::CREATED, Value::Object(out))
}

pub async fn update(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &mut st, &headers)?;
    let body = json_body(&headers, &body)?;
    let id = path_id(&id)?;
    let index = position(&st.projects, &id).ok_or(ApiError::NotFound)?;
    let project = &st.projects[index];
    if !caller.can_manage(project) {
        return Err(ApiError::Forbidden);
    }
    let changes = validate_update(&PROJECT, &body, PROTECTED)?;
    let mut updated = project.clone();
    schema::apply(&mut updated, changes, &clock::naive(clock::now()));
    check_references(&st, &mut updated, &id)?;
    let out = serialize(&PROJECT, &updated, false);
    st.projects[index] = updated;
    ok(StatusCode::OK, Value::Object(out))
}

/// Only a production that is no longer Open can be deleted. Without
/// `force`, one that still has assets makes the real server fail with a
/// 500, which is reproduced.
pub async fn remove(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &mut st, &headers)?;
    let id = path_id(&id)?;
    let index = position(&st.projects, &id).ok_or(ApiError::NotFound)?;
    if st.is_open(&st.projects[index]) {
        return Err(ApiError::Message(
            StatusCode::BAD_REQUEST,
            "Only closed projects can be deleted".into(),
        ));
    }
    caller.require_admin()?;
    let force = Params::parse(raw.as_deref()).flag("force");
    let entity_ids: Vec<String> = st
        .entities
        .iter()
        .filter(|e| text(e, "project_id") == id)
        .map(|e| text(e, "id").to_owned())
        .collect();
    if !entity_ids.is_empty() && !force {
        return Err(ApiError::Internal);
    }
    st.entity_links.retain(|l| {
        !entity_ids.iter().any(|e| {
            text(l, "entity_in_id") == e.as_str() || text(l, "entity_out_id") == e.as_str()
        })
    });
    st.entities.retain(|e| text(e, "project_id") != id);
    st.projects.remove(index);
    no_content()
}

pub async fn list_statuses(
    State(shared): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let mut st = shared.lock();
    authenticate(&shared, &mut st, &headers)?;
    let params = Params::parse(raw.as_deref());
    let rows: Vec<&Record> = st
        .project_statuses
        .iter()
        .filter(|s| matches(&PROJECT_STATUS, s, &params))
        .collect();
    listing(rows, &params, |s| serialize(&PROJECT_STATUS, s, false))
}

pub async fn get_status(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let mut st = shared.lock();
    authenticate(&shared, &mut st, &headers)?;
    let id = path_id(&id)?;
    let status = find(&st.project_statuses, &id).ok_or(ApiError::NotFound)?;
    ok(
        StatusCode::OK,
        Value::Object(serialize(&PROJECT_STATUS, status, true)),
    )
}

pub async fn create_status(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &mut st, &headers)?;
    caller.require_admin()?;
    let body = json_body(&headers, &body)?;
    let status = build(&PROJECT_STATUS, &body, &clock::naive(clock::now()))?;
    if st
        .project_statuses
        .iter()
        .any(|s| text(s, "name") == text(&status, "name"))
    {
        return Err(ApiError::duplicate());
    }
    let out = serialize(&PROJECT_STATUS, &status, false);
    st.project_statuses.push(status);
    ok(StatusCode::CREATED, Value::Object(out))
}

pub async fn update_status(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &mut st, &headers)?;
    let body = json_body(&headers, &body)?;
    let id = path_id(&id)?;
    let index = position(&st.project_statuses, &id).ok_or(ApiError::NotFound)?;
    caller.require_admin()?;
    let changes = validate_update(&PROJECT_STATUS, &body, PROTECTED)?;
    let mut updated = st.project_statuses[index].clone();
    schema::apply(&mut updated, changes, &clock::naive(clock::now()));
    if st
        .project_statuses
        .iter()
        .any(|s| text(s, "id") != id && text(s, "name") == text(&updated, "name"))
    {
        return Err(ApiError::duplicate());
    }
    let out = serialize(&PROJECT_STATUS, &updated, false);
    st.project_statuses[index] = updated;
    ok(StatusCode::OK, Value::Object(out))
}

/// A status still used by a production is protected by its foreign key.
pub async fn remove_status(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &mut st, &headers)?;
    let id = path_id(&id)?;
    let index = position(&st.project_statuses, &id).ok_or(ApiError::NotFound)?;
    caller.require_admin()?;
    if st
        .projects
        .iter()
        .any(|p| text(p, "project_status_id") == id)
    {
        return Err(ApiError::fk_conflict());
    }
    st.project_statuses.remove(index);
    no_content()
}
