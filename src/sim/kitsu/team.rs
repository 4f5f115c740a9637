//! A production's team (`/data/projects/{id}/team`): who works on it. A
//! person outside every team of a production cannot see it unless they are
//! a studio manager.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::auth::Call;
use super::clock;
use super::crud::{found, located};
use super::errors::{ApiError, ApiResult, no_content, ok};
use super::path_id;
use super::schema::{PROJECT, ROLES, ids, serialize};

/// The team, in the full presentation for managers, minimal otherwise,
/// each with its per-production role (null: the person's own role).
pub async fn list(call: Call, Path(id): Path<String>) -> ApiResult {
    let (st, caller) = call.session()?;
    let project = caller.reading(found(&st.projects, &id)?)?;
    let members: Vec<Value> = ids(project, "team")
        .iter()
        .filter_map(|person| st.person(person))
        .map(|person| {
            let mut out = if caller.is_manager() {
                st.person_safe(person, true)
            } else {
                st.person_minimal(person)
            };
            out.insert("project_role".into(), Value::Null);
            Value::Object(out)
        })
        .collect();
    ok(StatusCode::OK, Value::Array(members))
}

/// `{"person_id", "role"?}` adds a person (again is a no-op) and answers
/// the production's columns without its relations, 201, as Zou 1.0.97 does.
pub async fn add(call: Call, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let body = call.json(&body)?;
    let (_, index) = located(&st.projects, &id)?;
    caller.managing(&st.projects[index])?;
    let Some(Value::String(raw_person)) = body.get("person_id") else {
        return Err(ApiError::Validation(vec![(
            "person_id".into(),
            "Field required".into(),
        )]));
    };
    if let Some(role) = body.get("role").filter(|r| !r.is_null()) {
        let allowed = role
            .as_str()
            .is_some_and(|r| r != "admin" && ROLES.contains(&r));
        if !allowed {
            return Err(ApiError::wrong("Invalid role for a production team."));
        }
    }
    let person = path_id(raw_person)?;
    if st.person(&person).is_none() {
        return Err(ApiError::wrong(format!(
            "Person with id {person} not found"
        )));
    }
    let project = &mut st.projects[index];
    let mut team = ids(project, "team");
    if !team.contains(&person) {
        team.push(person);
        project.insert("team".into(), json!(team));
        project.insert(
            "updated_at".into(),
            Value::String(clock::naive(clock::now())),
        );
    }
    ok(
        StatusCode::CREATED,
        Value::Object(serialize(&PROJECT, project, false)),
    )
}

/// Removing someone who is not in the team is a no-op; both answer 204.
pub async fn remove(call: Call, Path((id, person)): Path<(String, String)>) -> ApiResult {
    let (mut st, caller) = call.session()?;
    let (_, index) = located(&st.projects, &id)?;
    caller.managing(&st.projects[index])?;
    let person = path_id(&person)?;
    let project = &mut st.projects[index];
    let team: Vec<String> = ids(project, "team")
        .into_iter()
        .filter(|p| *p != person)
        .collect();
    project.insert("team".into(), json!(team));
    no_content()
}
