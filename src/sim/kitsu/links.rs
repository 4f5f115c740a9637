//! Entity links (casting: which entity contains which, how many times).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};

use super::auth::{Caller, authenticate};
use super::errors::{ApiError, ApiResult, no_content, ok};
use super::query::{Params, envelope, json_body, listing, matches, paging};
use super::schema::{self, ENTITY_LINK, Record, build, ids, serialize, text, validate_update};
use super::store::{Store, find, position};
use super::{Shared, clock, path_id};

const PROTECTED: &[&str] = &["id", "created_at", "updated_at"];

/// Internal key holding the creation time with microseconds.
pub const PRECISE_CREATED_AT: &str = "created_at_precise";

fn can_manage(caller: &Caller, project: &Record) -> bool {
    caller.is_admin() || caller.is_manager() && ids(project, "team").contains(&caller.id)
}

/// The project listing builds its dicts by hand: microsecond `created_at`,
/// no `updated_at`.
fn project_view(link: &Record) -> Map<String, Value> {
    let mut out = Map::new();
    for key in ["id", "entity_in_id", "entity_out_id", "nb_occurences", "label", "data"] {
        out.insert(key.into(), link.get(key).cloned().unwrap_or(Value::Null));
    }
    let created = link
        .get(PRECISE_CREATED_AT)
        .or_else(|| link.get("created_at"))
        .cloned()
        .unwrap_or(Value::Null);
    out.insert("created_at".into(), created);
    out.insert("type".into(), Value::String("EntityLink".into()));
    out
}

fn precise(link: &Record) -> &str {
    link.get(PRECISE_CREATED_AT)
        .and_then(Value::as_str)
        .unwrap_or_else(|| text(link, "created_at"))
}

fn entity_project<'a>(st: &'a Store, entity_id: &str) -> Option<&'a str> {
    find(&st.entities, entity_id).map(|e| text(e, "project_id"))
}

fn managed_project<'a>(st: &'a Store, caller: &Caller, raw_id: &str) -> Result<&'a Record, ApiError> {
    let id = path_id(raw_id)?;
    let project = find(&st.projects, &id).ok_or(ApiError::NotFound)?;
    if can_manage(caller, project) {
        Ok(project)
    } else {
        Err(ApiError::Forbidden)
    }
}

/// `GET /data/projects/{id}/entity-links[?page&limit&cursor_created_at]`,
/// oldest first. With `page`, the answer is the paged envelope gazu
/// documents for this call (`limit` defaults to 100); `limit` alone just
/// caps the array; `cursor_created_at` keeps the links created after it.
pub async fn list_for_project(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let st = shared.lock();
    let caller = authenticate(&shared, &st, &headers)?;
    let project_id = text(managed_project(&st, &caller, &id)?, "id").to_owned();
    let params = Params::parse(raw.as_deref());
    let paging = paging(&params)?;
    let cursor = params.get("cursor_created_at").filter(|c| !c.is_empty());
    let mut rows: Vec<&Record> = st
        .entity_links
        .iter()
        .filter(|l| entity_project(&st, text(l, "entity_in_id")) == Some(project_id.as_str()))
        .filter(|l| cursor.is_none_or(|c| precise(l) > c))
        .collect();
    rows.sort_by(|a, b| {
        precise(a)
            .cmp(precise(b))
            .then_with(|| text(a, "id").cmp(text(b, "id")))
    });
    let items: Vec<Value> = rows
        .into_iter()
        .map(|l| Value::Object(project_view(l)))
        .collect();
    match paging {
        Some(paging) => ok(StatusCode::OK, envelope(items, &paging)),
        None => {
            let limit = params
                .get("limit")
                .and_then(|l| l.trim().parse::<usize>().ok())
                .unwrap_or(usize::MAX);
            ok(
                StatusCode::OK,
                Value::Array(items.into_iter().take(limit).collect()),
            )
        }
    }
}

/// `DELETE /data/projects/{id}/entity-links/{link}`: 200 with the link.
pub async fn remove_from_project(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path((id, link_id)): Path<(String, String)>,
) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &st, &headers)?;
    let project_id = text(managed_project(&st, &caller, &id)?, "id").to_owned();
    let link_id = path_id(&link_id)?;
    let index = position(&st.entity_links, &link_id)
        .filter(|i| {
            entity_project(&st, text(&st.entity_links[*i], "entity_in_id"))
                == Some(project_id.as_str())
        })
        .ok_or(ApiError::NotFound)?;
    let link = st.entity_links.remove(index);
    ok(
        StatusCode::OK,
        Value::Object(serialize(&ENTITY_LINK, &link, false)),
    )
}

pub async fn list(
    State(shared): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let st = shared.lock();
    let caller = authenticate(&shared, &st, &headers)?;
    caller.require_admin()?;
    let params = Params::parse(raw.as_deref());
    let rows: Vec<&Record> = st
        .entity_links
        .iter()
        .filter(|l| matches(&ENTITY_LINK, l, &params))
        .collect();
    listing(rows, &params, |l| serialize(&ENTITY_LINK, l, false))
}

pub async fn get_one(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let st = shared.lock();
    let caller = authenticate(&shared, &st, &headers)?;
    let id = path_id(&id)?;
    let link = find(&st.entity_links, &id).ok_or(ApiError::NotFound)?;
    caller.require_admin()?;
    ok(
        StatusCode::OK,
        Value::Object(serialize(&ENTITY_LINK, link, true)),
    )
}

/// Both ends must exist and a pair can only be linked once.
fn check_link(st: &Store, link: &Record, self_id: &str) -> Result<(), ApiError> {
    for key in ["entity_in_id", "entity_out_id"] {
        let id = text(link, key);
        if find(&st.entities, id).is_none() {
            return Err(ApiError::plain(format!(
                "Key ({key})=({id}) is not present in table \"entity\"."
            )));
        }
    }
    let (entity_in, entity_out) = (text(link, "entity_in_id"), text(link, "entity_out_id"));
    if st.entity_links.iter().any(|l| {
        text(l, "id") != self_id
            && text(l, "entity_in_id") == entity_in
            && text(l, "entity_out_id") == entity_out
    }) {
        return Err(ApiError::duplicate());
    }
    Ok(())
}

pub async fn create(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &st, &headers)?;
    if !caller.is_manager() {
        return Err(ApiError::Forbidden);
    }
    let body = json_body(&body)?;
    let now = clock::now();
    let mut link = build(&ENTITY_LINK, &body, &clock::naive(now))?;
    check_link(&st, &link, "")?;
    link.insert(
        PRECISE_CREATED_AT.into(),
        Value::String(clock::naive_micro(now)),
    );
    let out = serialize(&ENTITY_LINK, &link, false);
    st.entity_links.push(link);
    ok(StatusCode::CREATED, Value::Object(out))
}

pub async fn update(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &st, &headers)?;
    let body = json_body(&body)?;
    let id = path_id(&id)?;
    let index = position(&st.entity_links, &id).ok_or(ApiError::NotFound)?;
    if !caller.is_manager() {
        return Err(ApiError::Forbidden);
    }
    let changes = validate_update(&ENTITY_LINK, &body, PROTECTED)?;
    let mut updated = st.entity_links[index].clone();
    schema::apply(&mut updated, changes, &clock::naive(clock::now()));
    check_link(&st, &updated, &id)?;
    let out = serialize(&ENTITY_LINK, &updated, false);
    st.entity_links[index] = updated;
    ok(StatusCode::OK, Value::Object(out))
}

/// `DELETE /data/entity-links/{id}` (gazu's `delete_entity_link`): 204.
pub async fn remove(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let mut st = shared.lock();
    let caller = authenticate(&shared, &st, &headers)?;
    let id = path_id(&id)?;
    let index = position(&st.entity_links, &id).ok_or(ApiError::NotFound)?;
    if !caller.is_manager() {
        return Err(ApiError::Forbidden);
    }
    st.entity_links.remove(index);
    no_content()
}
