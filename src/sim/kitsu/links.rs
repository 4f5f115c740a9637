//! Entity links (casting: which entity contains which, how many times).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::auth::{Call, Caller};
use super::clock;
use super::crud::{self, changed, found, located};
use super::errors::{ApiError, ApiResult, no_content, ok};
use super::query::{DEFAULT_LIMIT, Paging, Params, envelope};
use super::schema::{self, ENTITY_LINK, Record, build, serialize, text};
use super::store::{Store, find, position};

const PROTECTED: &[&str] = &["id", "created_at", "updated_at"];

/// Internal key holding the creation time with microseconds.
pub const PRECISE_CREATED_AT: &str = "created_at_precise";

/// The project listing builds its dicts by hand: microsecond `created_at`,
/// no `updated_at`.
fn project_view(link: &Record) -> Map<String, Value> {
    let mut out = Map::new();
    for key in [
        "id",
        "entity_in_id",
        "entity_out_id",
        "nb_occurences",
        "label",
        "data",
    ] {
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

/// The production named in the path, if the caller manages it. A path id
/// that is not a UUID finds no production (404 on the real server too).
fn managed_project<'a>(
    st: &'a Store,
    caller: &Caller,
    raw_id: &str,
) -> Result<&'a Record, ApiError> {
    let id = schema::normalize_id(raw_id).ok_or(ApiError::NotFound)?;
    caller.managing(find(&st.projects, &id).ok_or(ApiError::NotFound)?)
}

/// `GET /data/projects/{id}/entity-links[?page&limit]`, oldest first.
/// Without `page`: the hand-built list (microsecond `created_at`, no
/// `updated_at`), capped by `limit` if given. With `page`: Zou's paged
/// envelope around the ordinary serialization; a `limit` that is not a
/// positive integer falls back to 100. The real server fails with a 500
/// whenever `cursor_created_at` is given, and so does the simulator.
pub async fn list_for_project(
    call: Call,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let (st, caller) = call.session()?;
    let project_id = text(managed_project(&st, &caller, &id)?, "id").to_owned();
    let params = Params::parse(raw.as_deref());
    if params
        .get("cursor_created_at")
        .is_some_and(|c| !c.is_empty())
    {
        return Err(ApiError::Internal);
    }
    let page = match params.get("page") {
        None => None,
        Some(p) => Some(
            p.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::wrong("page must be an integer."))?,
        ),
    };
    let limit = params
        .get("limit")
        .and_then(|l| l.trim().parse::<i64>().ok())
        .filter(|l| *l > 0);
    let mut rows: Vec<&Record> = st
        .entity_links
        .iter()
        .filter(|l| entity_project(&st, text(l, "entity_in_id")) == Some(project_id.as_str()))
        .collect();
    rows.sort_by(|a, b| {
        precise(a)
            .cmp(precise(b))
            .then_with(|| text(a, "id").cmp(text(b, "id")))
    });
    if let Some(page) = page {
        let paging = Paging {
            page,
            limit: limit.unwrap_or(DEFAULT_LIMIT),
        };
        let view = |l: &Record| Value::Object(serialize(&ENTITY_LINK, l, false));
        ok(StatusCode::OK, envelope(rows, &paging, view))
    } else {
        let cap = limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        let items: Vec<Value> = rows
            .into_iter()
            .take(cap)
            .map(|l| Value::Object(project_view(l)))
            .collect();
        ok(StatusCode::OK, Value::Array(items))
    }
}

/// `DELETE /data/projects/{id}/entity-links/{link}`: 200 with the link.
/// Ids that are not UUIDs make the real server fail with a 500.
pub async fn remove_from_project(
    call: Call,
    Path((id, link_id)): Path<(String, String)>,
) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let (Some(project_id), Some(link_id)) =
        (schema::normalize_id(&id), schema::normalize_id(&link_id))
    else {
        return Err(ApiError::Internal);
    };
    let project_id = text(managed_project(&st, &caller, &project_id)?, "id").to_owned();
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

pub async fn list(call: Call, RawQuery(raw): RawQuery) -> ApiResult {
    let (st, caller) = call.session()?;
    caller.require_admin()?;
    let params = Params::parse(raw.as_deref());
    crud::list(&st.entity_links, &ENTITY_LINK, &params, false, |_| true)
}

pub async fn get_one(call: Call, Path(id): Path<String>) -> ApiResult {
    let (st, caller) = call.session()?;
    let link = found(&st.entity_links, &id)?;
    caller.require_admin()?;
    crud::one(&ENTITY_LINK, link)
}

/// Both ends must exist and a pair can only be linked once. Creating and
/// editing links through the generic routes is for administrators only.
fn check_link(st: &Store, link: &Record, self_id: &str) -> Result<(), ApiError> {
    for key in ["entity_in_id", "entity_out_id"] {
        if find(&st.entities, text(link, key)).is_none() {
            return Err(ApiError::fk_conflict());
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

pub async fn create(call: Call, body: Bytes) -> ApiResult {
    let (mut st, caller) = call.session()?;
    caller.require_admin()?;
    let body = call.json(&body)?;
    let now = clock::now();
    let mut link = build(&ENTITY_LINK, &body, &clock::naive(now))?;
    check_link(&st, &link, "")?;
    link.insert(
        PRECISE_CREATED_AT.into(),
        Value::String(clock::naive_micro(now)),
    );
    crud::insert(&mut st.entity_links, &ENTITY_LINK, link, false)
}

pub async fn update(call: Call, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let body = call.json(&body)?;
    let (id, index) = located(&st.entity_links, &id)?;
    caller.require_admin()?;
    let updated = changed(&ENTITY_LINK, &st.entity_links[index], &body, PROTECTED)?;
    check_link(&st, &updated, &id)?;
    crud::replace(&mut st.entity_links, index, &ENTITY_LINK, updated, false)
}

/// `DELETE /data/entity-links/{id}` (gazu's `delete_entity_link`): 204.
pub async fn remove(call: Call, Path(id): Path<String>) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let (_, index) = located(&st.entity_links, &id)?;
    caller.require_admin()?;
    st.entity_links.remove(index);
    no_content()
}
