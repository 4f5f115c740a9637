//! Productions (`/data/projects`) and their statuses (`/data/project-status`).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::auth::Call;
use super::clock;
use super::crud::{self, changed, found, located, name_taken};
use super::errors::{ApiError, ApiResult, no_content, ok};
use super::query::Params;
use super::schema::{ENTITY, PROJECT, PROJECT_STATUS, Record, build, ids, serialize, text};
use super::store::{Store, find};

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
        .map_or(Value::Null, |s| Value::String(text(s, "name").to_owned()))
}

pub async fn list(call: Call, RawQuery(raw): RawQuery) -> ApiResult {
    let (st, caller) = call.session()?;
    let params = Params::parse(raw.as_deref());
    let relations = params.flag("relations");
    crud::list(&st.projects, &PROJECT, &params, relations, |p| {
        caller.can_read(p)
    })
}

/// `GET /data/projects/open` (gazu's `all_open_projects`): relations and
/// the (empty) production settings.
pub async fn list_open(call: Call) -> ApiResult {
    let (st, caller) = call.session()?;
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
pub async fn list_all(call: Call) -> ApiResult {
    let (st, caller) = call.session()?;
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

pub async fn get_one(call: Call, Path(id): Path<String>) -> ApiResult {
    let (st, caller) = call.session()?;
    let project = found(&st.projects, &id)?;
    if !caller.can_read(project) {
        // Zou answers this refusal with a JSON null body.
        return Err(ApiError::Body(StatusCode::FORBIDDEN, Value::Null));
    }
    ok(StatusCode::OK, Value::Object(full_view(&st, project)))
}

/// Unique names and the status foreign key, checked the way the database
/// would. Related ids that match nothing are dropped, as Zou drops them.
fn check_references(st: &Store, record: &mut Record, self_id: &str) -> Result<(), ApiError> {
    if name_taken(&st.projects, record, self_id) {
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

pub async fn create(call: Call, body: Bytes) -> ApiResult {
    let (mut st, caller) = call.session()?;
    caller.require_admin()?;
    let mut body = call.json(&body)?;
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

pub async fn update(call: Call, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let body = call.json(&body)?;
    let (id, index) = located(&st.projects, &id)?;
    let project = caller.managing(&st.projects[index])?;
    let mut updated = changed(&PROJECT, project, &body, PROTECTED)?;
    check_references(&st, &mut updated, &id)?;
    crud::replace(&mut st.projects, index, &PROJECT, updated, false)
}

/// Only a production that is no longer Open can be deleted. Without
/// `force`, one that still has assets makes the real server fail with a
/// 500, which is reproduced.
pub async fn remove(call: Call, Path(id): Path<String>, RawQuery(raw): RawQuery) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let (id, index) = located(&st.projects, &id)?;
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

pub async fn list_statuses(call: Call, RawQuery(raw): RawQuery) -> ApiResult {
    let (st, _) = call.session()?;
    let params = Params::parse(raw.as_deref());
    crud::list(
        &st.project_statuses,
        &PROJECT_STATUS,
        &params,
        false,
        |_| true,
    )
}

pub async fn get_status(call: Call, Path(id): Path<String>) -> ApiResult {
    let (st, _) = call.session()?;
    crud::one(&PROJECT_STATUS, found(&st.project_statuses, &id)?)
}

pub async fn create_status(call: Call, body: Bytes) -> ApiResult {
    let (mut st, caller) = call.session()?;
    caller.require_admin()?;
    let body = call.json(&body)?;
    let status = build(&PROJECT_STATUS, &body, &clock::naive(clock::now()))?;
    if name_taken(&st.project_statuses, &status, "") {
        return Err(ApiError::duplicate());
    }
    crud::insert(&mut st.project_statuses, &PROJECT_STATUS, status, false)
}

pub async fn update_status(call: Call, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let body = call.json(&body)?;
    let (id, index) = located(&st.project_statuses, &id)?;
    caller.require_admin()?;
    let updated = changed(
        &PROJECT_STATUS,
        &st.project_statuses[index],
        &body,
        PROTECTED,
    )?;
    if name_taken(&st.project_statuses, &updated, &id) {
        return Err(ApiError::duplicate());
    }
    crud::replace(
        &mut st.project_statuses,
        index,
        &PROJECT_STATUS,
        updated,
        false,
    )
}

/// A status still used by a production is protected by its foreign key.
pub async fn remove_status(call: Call, Path(id): Path<String>) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let (id, index) = located(&st.project_statuses, &id)?;
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
