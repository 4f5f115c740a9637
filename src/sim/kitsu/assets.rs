//! Entity types (asset types are the ones that are not temporal) and assets.

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::auth::{Call, Caller};
use super::crud::{self, changed, filtered, found, located, name_taken};
use super::errors::{ApiError, ApiResult, no_content, ok};
use super::query::{Params, listing};
use super::schema::{self, ENTITY, ENTITY_TYPE, PROJECT, Record, build, ids, serialize, text};
use super::store::{Store, find, position};
use super::{clock, path_id};

const PROTECTED: &[&str] = &["id", "created_at", "updated_at"];

/// The production named in the path, if the caller may read it.
fn readable_project<'a>(
    st: &'a Store,
    caller: &Caller,
    raw_id: &str,
) -> Result<&'a Record, ApiError> {
    caller.reading(found(&st.projects, raw_id)?)
}

fn is_asset(st: &Store, entity: &Record) -> bool {
    find(&st.entity_types, text(entity, "entity_type_id")).is_some_and(|t| st.is_asset_type(t))
}

/// `GET /data/projects/{id}/asset-types`: the types of the assets the
/// production actually has, whatever its settings say, without task types.
pub async fn project_asset_types(call: Call, Path(id): Path<String>) -> ApiResult {
    let (st, caller) = call.session()?;
    let project_id = schema::normalize_id(&id)
        .ok_or_else(|| ApiError::wrong(format!("Invalid UUID value: {id}")))?;
    // An unknown production simply has no asset types.
    if let Some(project) = find(&st.projects, &project_id) {
        caller.reading(project)?;
    }
    let project_id = project_id.as_str();
    let used: BTreeSet<&str> = st
        .entities
        .iter()
        .filter(|e| text(e, "project_id") == project_id)
        .map(|e| text(e, "entity_type_id"))
        .collect();
    let mut types: Vec<&Record> = st
        .entity_types
        .iter()
        .filter(|t| used.contains(text(t, "id")) && st.is_asset_type(t))
        .collect();
    types.sort_by_key(|t| text(t, "name").to_lowercase());
    let items: Vec<Value> = types
        .into_iter()
        .map(|t| Value::Object(st.asset_type_view(t, false)))
        .collect();
    ok(StatusCode::OK, Value::Array(items))
}

/// `POST /data/projects/{id}/settings/asset-types` (gazu's
/// `add_asset_type`): adds the type to the production's settings.
pub async fn add_project_asset_type(call: Call, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let body = call.json(&body)?;
    let (_, index) = located(&st.projects, &id)?;
    caller.managing(&st.projects[index])?;
    let type_id = match body.get("asset_type_id") {
        None => {
            return Err(ApiError::Validation(vec![(
                "asset_type_id".into(),
                "Field required".into(),
            )]));
        }
        Some(v) => v
            .as_str()
            .and_then(schema::normalize_id)
            .ok_or_else(ApiError::malformed_id)?,
    };
    if find(&st.entity_types, &type_id).is_none() {
        return Err(ApiError::NotFound);
    }
    let project = &mut st.projects[index];
    let mut current = ids(project, "asset_types");
    if !current.contains(&type_id) {
        current.push(type_id);
    }
    project.insert("asset_types".into(), json!(current));
    let out = serialize(&PROJECT, project, false);
    ok(StatusCode::CREATED, Value::Object(out))
}

/// `GET /data/asset-types`: every non-temporal entity type, with its task
/// types, typed `AssetType`.
pub async fn list_asset_types(call: Call, RawQuery(raw): RawQuery) -> ApiResult {
    let (st, _) = call.session()?;
    let params = Params::parse(raw.as_deref());
    let rows = filtered(&st.entity_types, &ENTITY_TYPE, &params, |t| {
        st.is_asset_type(t)
    });
    listing(rows, &params, |t| st.asset_type_view(t, true))
}

pub async fn get_asset_type(call: Call, Path(id): Path<String>) -> ApiResult {
    let (st, _) = call.session()?;
    let asset_type = found(&st.entity_types, &id)?;
    if !st.is_asset_type(asset_type) {
        return Err(ApiError::NotFound);
    }
    ok(
        StatusCode::OK,
        Value::Object(st.asset_type_view(asset_type, true)),
    )
}

/// `GET /data/entity-types`: generic CRUD listing of every entity type.
pub async fn list_entity_types(call: Call, RawQuery(raw): RawQuery) -> ApiResult {
    let (st, _) = call.session()?;
    let params = Params::parse(raw.as_deref());
    let relations = params.flag("relations");
    crud::list(&st.entity_types, &ENTITY_TYPE, &params, relations, |_| true)
}

pub async fn get_entity_type(call: Call, Path(id): Path<String>) -> ApiResult {
    let (st, _) = call.session()?;
    crud::one(&ENTITY_TYPE, found(&st.entity_types, &id)?)
}

/// `POST /data/entity-types {"name"}`: how asset types are created (there
/// is no POST on `/data/asset-types`).
pub async fn create_entity_type(call: Call, body: Bytes) -> ApiResult {
    let (mut st, caller) = call.session()?;
    caller.require_admin()?;
    let body = call.json(&body)?;
    let entity_type = build(&ENTITY_TYPE, &body, &clock::naive(clock::now()))?;
    // Zou checks the name itself before inserting, with its own message.
    if name_taken(&st.entity_types, &entity_type, "") {
        return Err(ApiError::wrong("Entity type with this name already exists"));
    }
    crud::insert(&mut st.entity_types, &ENTITY_TYPE, entity_type, true)
}

pub async fn update_entity_type(call: Call, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let body = call.json(&body)?;
    let (id, index) = located(&st.entity_types, &id)?;
    caller.require_admin()?;
    let updated = changed(&ENTITY_TYPE, &st.entity_types[index], &body, PROTECTED)?;
    if name_taken(&st.entity_types, &updated, &id) {
        return Err(ApiError::duplicate());
    }
    crud::replace(&mut st.entity_types, index, &ENTITY_TYPE, updated, true)
}

pub async fn remove_entity_type(call: Call, Path(id): Path<String>) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let (id, index) = located(&st.entity_types, &id)?;
    caller.require_admin()?;
    if st.entities.iter().any(|e| text(e, "entity_type_id") == id) {
        return Err(ApiError::fk_conflict());
    }
    st.entity_types.remove(index);
    no_content()
}

/// `POST /data/projects/{id}/asset-types/{type}/assets/new`. Names need
/// not be unique; the payload is validated like Zou's pydantic schema.
pub async fn create_asset(
    call: Call,
    Path((project_id, type_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let body = call.json(&body)?;
    let project_id = path_id(&project_id)?;
    let type_id = path_id(&type_id)?;
    caller.managing(find(&st.projects, &project_id).ok_or(ApiError::NotFound)?)?;
    find(&st.entity_types, &type_id)
        .filter(|t| st.is_asset_type(t))
        .ok_or(ApiError::NotFound)?;
    match body.get("name") {
        None => {
            return Err(ApiError::Validation(vec![(
                "name".into(),
                "Field required".into(),
            )]));
        }
        Some(Value::String(_)) => {}
        Some(_) => {
            return Err(ApiError::Validation(vec![(
                "name".into(),
                "Input should be a valid string".into(),
            )]));
        }
    }

    let mut fields = Map::new();
    for key in ["name", "description", "data", "is_shared", "source_id"] {
        if let Some(value) = body.get(key) {
            fields.insert(key.into(), value.clone());
        }
    }
    // The episode an asset belongs to is stored as its source.
    if let Some(episode) = body.get("episode_id").filter(|v| !v.is_null()) {
        fields.insert("source_id".into(), episode.clone());
    }
    fields.entry("description").or_insert_with(|| json!(""));
    fields
        .entry("data")
        .and_modify(|d| {
            if d.is_null() {
                *d = json!({});
            }
        })
        .or_insert_with(|| json!({}));
    fields.insert("project_id".into(), Value::String(project_id));
    fields.insert("entity_type_id".into(), Value::String(type_id));
    fields.insert("created_by".into(), Value::String(caller.id));
    let asset = build(&ENTITY, &fields, &clock::naive(clock::now()))?;
    crud::insert(&mut st.entities, &ENTITY, asset, false)
}

/// `GET /data/entities`: every entity (assets, episodes, shots…) of the
/// productions the caller may read, with column filters. Zou names each
/// one's `type` after its base entity type: "Asset" for every asset type.
pub async fn list_entities(call: Call, RawQuery(raw): RawQuery) -> ApiResult {
    let (st, caller) = call.session()?;
    let params = Params::parse(raw.as_deref());
    let rows = filtered(&st.entities, &ENTITY, &params, |e| {
        find(&st.projects, text(e, "project_id")).is_some_and(|p| caller.can_read(p))
    });
    listing(rows, &params, |e| {
        let mut out = serialize(&ENTITY, e, false);
        if !is_asset(&st, e)
            && let Some(kind) = find(&st.entity_types, text(e, "entity_type_id"))
        {
            out.insert("type".into(), Value::String(text(kind, "name").to_owned()));
        }
        out
    })
}

fn asset_listing<F>(st: &Store, params: &Params, keep: F) -> ApiResult
where
    F: Fn(&Record) -> bool,
{
    crud::list(&st.entities, &ENTITY, params, false, |e| {
        is_asset(st, e) && keep(e)
    })
}

/// `GET /data/assets` and `/data/assets/all`, with column filters
/// (`project_id`, `name`, `entity_type_id`, …).
pub async fn list_assets(call: Call, RawQuery(raw): RawQuery) -> ApiResult {
    let (st, caller) = call.session()?;
    let params = Params::parse(raw.as_deref());
    asset_listing(&st, &params, |e| {
        find(&st.projects, text(e, "project_id")).is_some_and(|p| caller.can_read(p))
    })
}

pub async fn list_project_assets(
    call: Call,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let (st, caller) = call.session()?;
    let project_id = text(readable_project(&st, &caller, &id)?, "id").to_owned();
    let params = Params::parse(raw.as_deref());
    asset_listing(&st, &params, |e| text(e, "project_id") == project_id)
}

pub async fn list_project_type_assets(
    call: Call,
    Path((id, type_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let (st, caller) = call.session()?;
    let project_id = text(readable_project(&st, &caller, &id)?, "id").to_owned();
    let (type_id, _) = located(&st.entity_types, &type_id)?;
    let params = Params::parse(raw.as_deref());
    asset_listing(&st, &params, |e| {
        text(e, "project_id") == project_id && text(e, "entity_type_id") == type_id
    })
}

pub async fn get_asset(call: Call, Path(id): Path<String>) -> ApiResult {
    let (st, caller) = call.session()?;
    let id = path_id(&id)?;
    let asset = find(&st.entities, &id)
        .filter(|e| is_asset(&st, e))
        .ok_or(ApiError::NotFound)?;
    let project = find(&st.projects, text(asset, "project_id")).ok_or(ApiError::NotFound)?;
    let project = caller.reading(project)?;
    let mut out = serialize(&ENTITY, asset, false);
    // The detailed view Zou builds: no frame count or source, but the
    // casting in both directions and the names of its project and type.
    out.remove("nb_frames");
    out.remove("source_id");
    let entities_out: Vec<Value> = st
        .entity_links
        .iter()
        .filter(|l| text(l, "entity_in_id") == id)
        .map(|l| l["entity_out_id"].clone())
        .collect();
    let entities_in: Vec<Value> = st
        .entity_links
        .iter()
        .filter(|l| text(l, "entity_out_id") == id)
        .map(|l| l["entity_in_id"].clone())
        .collect();
    out.insert("entities_out".into(), Value::Array(entities_out));
    out.insert("entities_in".into(), Value::Array(entities_in));
    out.insert("entity_concept_links".into(), json!([]));
    out.insert("instance_casting".into(), json!([]));
    out.insert("project_name".into(), project["name"].clone());
    out.insert("asset_type_id".into(), asset["entity_type_id"].clone());
    let type_name = find(&st.entity_types, text(asset, "entity_type_id"))
        .map_or(Value::Null, |t| t["name"].clone());
    out.insert("asset_type_name".into(), type_name);
    // Zou formats these three with str(), so a missing id reads "None" or "".
    let as_text = |key: &str, missing: &str| match asset.get(key).and_then(Value::as_str) {
        Some(id) => json!(id),
        None => json!(missing),
    };
    out.insert("ready_for".into(), as_text("ready_for", "None"));
    out.insert("preview_file_id".into(), as_text("preview_file_id", ""));
    out.insert("episode_id".into(), as_text("source_id", ""));
    out.insert("casting_episode_ids".into(), json!([]));
    out.insert("tasks".into(), json!([]));
    ok(StatusCode::OK, Value::Object(out))
}

/// Assets have no tasks here, so deleting one always removes it (Zou only
/// cancels an asset that still has tasks, unless forced).
pub async fn remove_asset(call: Call, Path(id): Path<String>) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let id = path_id(&id)?;
    let index = position(&st.entities, &id)
        .filter(|i| is_asset(&st, &st.entities[*i]))
        .ok_or(ApiError::NotFound)?;
    let project = find(&st.projects, text(&st.entities[index], "project_id"));
    if !project.is_some_and(|p| caller.can_manage(p)) {
        return Err(ApiError::Forbidden);
    }
    st.entity_links
        .retain(|l| text(l, "entity_in_id") != id && text(l, "entity_out_id") != id);
    st.entities.remove(index);
    no_content()
}
