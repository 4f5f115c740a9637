//! EVRYTHNG's error body (ErrorResponseDocument): `{status, errors: [one
//! reason], code, moreInfo}`. `code` is a string in the schema.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

const MORE_INFO: &str = "https://developers.evrythng.com";

#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    reason: String,
}

impl ApiError {
    fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
        }
    }

    /// Bad JSON, an unknown field, a value of the wrong type, a bad query.
    pub fn bad_request(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, reason)
    }

    /// The same answer for a missing key and a wrong one.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Access denied: the API key is missing or not valid.",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Access denied: this API key is not allowed to perform this operation.",
        )
    }

    /// Missing and out of the key's scope read the same, so a key learns
    /// nothing about what it may not see.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "The requested resource was not found.",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "The method is not allowed for this resource.",
        )
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The payload must be valid JSON and the 'Content-type: application/json' header set.",
        )
    }

    pub fn internal(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, reason)
    }

    /// A stable internal code per class of error, as the API gives one.
    const fn code(&self) -> &'static str {
        match self.status.as_u16() {
            400 => "4000001",
            401 => "4010001",
            403 => "4030001",
            404 => "4040001",
            405 => "4050001",
            415 => "4150001",
            _ => "5000001",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "status": self.status.as_u16(),
            "errors": [self.reason],
            "code": self.code(),
            "moreInfo": MORE_INFO,
        });
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
