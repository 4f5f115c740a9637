//! Zou's error bodies. The texts are the ones a real Zou 1.0.97 sends
//! (Werkzeug descriptions behind Zou's handlers, flask-jwt-extended's `msg`
//! bodies), so clients that match on them behave as they would in production.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub const NOT_FOUND: &str = "404 Not Found: The requested URL was not found on the server. \
If you entered the URL manually please check your spelling and try again.";
pub const FORBIDDEN: &str = "You don't have the permission to access the requested resource. \
It is either read-protected or not readable by the server.";
pub const METHOD_NOT_ALLOWED: &str = "The method is not allowed for the requested URL.";
/// Werkzeug's description for `abort(401)`, which Zou raises when a valid
/// token names a person that no longer exists or is inactive.
pub const UNAUTHORIZED: &str = "The server could not verify that you are authorized to access \
the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your \
browser doesn't understand how to supply the credentials required.";
/// Werkzeug's description for a body Flask cannot parse as JSON.
pub const BAD_REQUEST: &str =
    "The browser (or proxy) sent a request that this server could not understand.";
pub const DUPLICATE: &str = "A record with the same unique values already exists.";
pub const MISSING_FIELD: &str = "A required field is missing.";
/// Zou's text for a value the database cannot store in its column.
pub const INVALID_FORMAT: &str = "One of the provided values has an invalid format.";
/// Zou's text for a foreign-key violation, whichever side it comes from.
pub const FK_CONFLICT: &str = "The change conflicts with records referencing this one.";
pub const INTERNAL: &str = "Internal server error.";
pub const UNSUPPORTED_MEDIA: &str = "Did not attempt to load JSON data because the request \
Content-Type was not 'application/json'.";

#[derive(Debug)]
pub enum ApiError {
    NotFound,
    Forbidden,
    MethodNotAllowed,
    /// `abort(401)` from Zou's identity loader.
    Unauthorized,
    /// Unparseable JSON body.
    BadJson,
    /// Zou's `WrongParameterException`: `{"error":true,"message":…,"data":null}`.
    WrongParameter(String),
    /// A database-level failure as the CRUD layer reports it: `{"message":…}`.
    Plain(String),
    /// `{"error":true,"message":…}` with the given status.
    Message(StatusCode, String),
    /// flask-jwt-extended's `{"msg":…}` bodies.
    Jwt(StatusCode, String),
    /// Pydantic validation failure on an auth payload.
    Validation(Vec<(String, String)>),
    /// Any other fixed body.
    Body(StatusCode, Value),
    /// What Zou answers when a handler raises: the real server does this
    /// for a few inputs, and the simulator reproduces those cases.
    Internal,
}

impl ApiError {
    pub fn malformed_id() -> Self {
        Self::WrongParameter("Malformed ID.".into())
    }

    pub fn plain(message: impl Into<String>) -> Self {
        Self::Plain(message.into())
    }

    pub fn duplicate() -> Self {
        Self::Plain(DUPLICATE.into())
    }

    pub fn missing_field() -> Self {
        Self::Plain(MISSING_FIELD.into())
    }

    pub fn invalid_format() -> Self {
        Self::Plain(INVALID_FORMAT.into())
    }

    pub fn fk_conflict() -> Self {
        Self::Plain(FK_CONFLICT.into())
    }

    pub fn wrong(message: impl Into<String>) -> Self {
        Self::WrongParameter(message.into())
    }

    pub fn jwt_unprocessable(message: impl Into<String>) -> Self {
        Self::Jwt(StatusCode::UNPROCESSABLE_ENTITY, message.into())
    }

    pub fn jwt_unauthorized(message: impl Into<String>) -> Self {
        Self::Jwt(StatusCode::UNAUTHORIZED, message.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                json!({"error": true, "message": NOT_FOUND}),
            ),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                json!({"error": true, "message": FORBIDDEN}),
            ),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                json!({"error": true, "message": METHOD_NOT_ALLOWED}),
            ),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                json!({"error": true, "message": UNAUTHORIZED}),
            ),
            Self::BadJson => (
                StatusCode::BAD_REQUEST,
                json!({"error": true, "message": BAD_REQUEST}),
            ),
            Self::WrongParameter(message) => (
                StatusCode::BAD_REQUEST,
                json!({"error": true, "message": message, "data": null}),
            ),
            Self::Plain(message) => (StatusCode::BAD_REQUEST, json!({ "message": message })),
            Self::Message(status, message) => (status, json!({"error": true, "message": message})),
            Self::Jwt(status, message) => (status, json!({ "msg": message })),
            Self::Validation(errors) => {
                let errors: Vec<Value> = errors
                    .into_iter()
                    .map(|(field, message)| json!({"field": field, "message": message}))
                    .collect();
                (
                    StatusCode::BAD_REQUEST,
                    json!({
                        "error": true,
                        "message": "Validation error.",
                        "data": {"errors": errors},
                    }),
                )
            }
            Self::Body(status, body) => (status, body),
            Self::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"error": true, "message": INTERNAL}),
            ),
        };
        (status, Json(body)).into_response()
    }
}

pub type ApiResult = Result<Response, ApiError>;

#[allow(
    clippy::unnecessary_wraps,
    reason = "handlers return it as their ApiResult tail"
)]
pub fn ok(status: StatusCode, body: Value) -> ApiResult {
    Ok((status, Json(body)).into_response())
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "handlers return it as their ApiResult tail"
)]
pub fn no_content() -> ApiResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}
