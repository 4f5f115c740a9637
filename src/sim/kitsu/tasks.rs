//! Task types (`/data/task-types`), read through Zou's generic CRUD routes.

use axum::extract::{Path, RawQuery};
use serde_json::json;

use super::auth::Call;
use super::crud::{self, found};
use super::errors::ApiResult;
use super::query::Params;
use super::schema::{Record, TASK_TYPE, seeded};

/// Zou 1.0.97's `init-data` task types, in the order it lists them: the
/// concept step, asset steps, shot steps and edit, each with its colour and
/// its priority within its entity.
const INIT_DATA: &[(&str, &str, i64, &str)] = &[
    ("Concept", "#8D6E63", 1, "Concept"),
    ("Concept", "#8D6E63", 1, "Asset"),
    ("Modeling", "#78909C", 2, "Asset"),
    ("Shading", "#64B5F6", 3, "Asset"),
    ("Rigging", "#9CCC65", 4, "Asset"),
    ("Storyboard", "#43A047", 1, "Shot"),
    ("Layout", "#7CB342", 2, "Shot"),
    ("Animation", "#009688", 3, "Shot"),
    ("Lighting", "#F9A825", 4, "Shot"),
    ("FX", "#26C6DA", 5, "Shot"),
    ("Rendering", "#F06292", 6, "Shot"),
    ("Compositing", "#ff5252", 7, "Shot"),
    ("Edit", "#9b298c", 8, "Edit"),
];

pub fn seed(mut at: impl FnMut() -> String) -> Vec<Record> {
    INIT_DATA
        .iter()
        .map(|(name, color, priority, entity)| {
            seeded(
                &TASK_TYPE,
                json!({
                    "name": name,
                    "color": color,
                    "priority": priority,
                    "for_entity": entity,
                }),
                &at(),
            )
        })
        .collect()
}

pub async fn list(call: Call, RawQuery(raw): RawQuery) -> ApiResult {
    let (st, _caller) = call.session()?;
    let params = Params::parse(raw.as_deref());
    crud::list(&st.task_types, &TASK_TYPE, &params, false, |_| true)
}

pub async fn get_one(call: Call, Path(id): Path<String>) -> ApiResult {
    let (st, _caller) = call.session()?;
    crud::one(&TASK_TYPE, found(&st.task_types, &id)?)
}
