//! Losant's error body: `{"type": "...", "message": "..."}` (error.json).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    message: String,
    /// validationErrors.json's list, one entry per broken rule.
    details: Vec<FieldError>,
}

/// One entry of `validationErrors`: `name` is the property at fault as a
/// dotted path ("pubTopics.0"), `id` its JSON pointer. Losant's schema
/// does not say what `name` and `id` hold; these are the simulator's reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub rule: String,
    pub name: String,
    pub id: String,
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// A body that breaks the route's schema, every broken rule listed.
    pub fn invalid(message: impl Into<String>, details: Vec<FieldError>) -> Self {
        let mut err = Self::validation(message);
        err.details = details;
        err
    }

    /// A valid token whose scopes do not cover the route. Losant's 403
    /// body is not in the published schemas; the shape is error.json's.
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "Forbidden", "Forbidden")
    }

    /// The same body for a missing, malformed, expired or unknown token and
    /// for wrong credentials: Losant never says which part was wrong.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized")
    }

    /// `what` is the resource's display name, e.g. "Application".
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("{what} was not found"),
        )
    }

    /// A body or query that breaks the route's schema.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Validation", message)
    }

    /// A request that cannot even be read (bad JSON, bad encoding).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "Method not allowed",
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "type": self.kind, "message": self.message });
        if !self.details.is_empty()
            && let Some(obj) = body.as_object_mut()
        {
            let list: Vec<Value> = self
                .details
                .iter()
                .map(|d| json!({"type": d.rule, "name": d.name, "id": d.id, "message": d.message}))
                .collect();
            obj.insert("validationErrors".into(), Value::Array(list));
        }
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
