//! Departments (`/data/departments`), read through Zou's generic CRUD
//! routes, and the department ids a person may be given.

use axum::extract::{Path, RawQuery};
use serde_json::{Value, json};

use super::auth::Call;
use super::crud::{self, found};
use super::errors::ApiResult;
use super::query::Params;
use super::schema::{DEPARTMENT, Record, seeded, text};

/// Zou 1.0.97's `init-data` departments with their colours.
const INIT_DATA: &[(&str, &str)] = &[
    ("Modeling", "#78909C"),
    ("Animation", "#009688"),
    ("FX", "#26C6DA"),
    ("Compositing", "#F06292"),
    ("Concept", "#8D6E63"),
    ("Layout", "#7CB342"),
];

pub fn seed(mut at: impl FnMut() -> String) -> Vec<Record> {
    INIT_DATA
        .iter()
        .map(|(name, color)| seeded(&DEPARTMENT, json!({"name": name, "color": color}), &at()))
        .collect()
}

/// Zou links a person to the departments it can find and silently drops
/// the other ids (ids that are not UUIDs were refused before this).
pub fn known(departments: &[Record], wanted: &Value) -> Value {
    let ids = wanted.as_array().map(Vec::as_slice).unwrap_or_default();
    let kept: Vec<Value> = ids
        .iter()
        .filter(|id| {
            id.as_str()
                .is_some_and(|id| departments.iter().any(|d| text(d, "id") == id))
        })
        .cloned()
        .collect();
    Value::Array(kept)
}

pub async fn list(call: Call, RawQuery(raw): RawQuery) -> ApiResult {
    let (st, _caller) = call.session()?;
    let params = Params::parse(raw.as_deref());
    crud::list(&st.departments, &DEPARTMENT, &params, false, |_| true)
}

pub async fn get_one(call: Call, Path(id): Path<String>) -> ApiResult {
    let (st, _caller) = call.session()?;
    crud::one(&DEPARTMENT, found(&st.departments, &id)?)
}
