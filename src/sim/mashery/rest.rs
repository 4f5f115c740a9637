//! Handler plumbing shared by the REST resources: JSON bodies, list
//! answers with `X-Total-Count`, and field-by-field validation.

use axum::Json;
use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult};

pub const TOTAL_COUNT: &str = "X-Total-Count";

pub type Params = axum::extract::Query<Vec<(String, String)>>;

pub fn object(bytes: &Bytes) -> ApiResult<Map<String, Value>> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request("the body must be a JSON object")),
        Err(e) => Err(ApiError::bad_request(format!("malformed JSON: {e}"))),
    }
}

pub fn listed(total: usize, items: Vec<Value>) -> Response {
    (
        [(TOTAL_COUNT, total.to_string())],
        Json(Value::Array(items)),
    )
        .into_response()
}

/// Validation errors gathered over a whole body, so a client sees every
/// refused property at once.
#[derive(Default)]
pub struct Problems(Vec<(String, String)>);

impl Problems {
    pub fn add(&mut self, property: &str, message: impl Into<String>) {
        self.0.push((property.to_string(), message.into()));
    }

    pub fn finish(self) -> ApiResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }

    /// An optional integer: absent keeps, `null` clears.
    #[allow(
        clippy::option_option,
        reason = "absent keeps, null clears, a value sets: three states"
    )]
    pub fn int(&mut self, body: &Map<String, Value>, key: &str) -> Option<Option<i64>> {
        match body.get(key)? {
            Value::Null => Some(None),
            v => {
                if let Some(n) = v.as_i64().filter(|n| *n >= 0) {
                    Some(Some(n))
                } else {
                    self.add(key, "must be a non-negative integer");
                    None
                }
            }
        }
    }

    pub fn boolean(&mut self, body: &Map<String, Value>, key: &str) -> Option<bool> {
        if let Value::Bool(b) = body.get(key)? {
            Some(*b)
        } else {
            self.add(key, "must be a boolean");
            None
        }
    }

    /// A string: absent keeps, `null` clears, anything else is refused.
    #[allow(
        clippy::option_option,
        reason = "absent keeps, null clears, a value sets: three states"
    )]
    pub fn string(&mut self, body: &Map<String, Value>, key: &str) -> Option<Option<String>> {
        match body.get(key)? {
            Value::Null => Some(None),
            Value::String(s) => Some(Some(s.clone())),
            _ => {
                self.add(key, "must be a string");
                None
            }
        }
    }
}
