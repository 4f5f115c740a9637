//! project44's standard v4 error body.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The challenge project44 sends with every 401: both schemes it accepts.
pub(super) const WWW_AUTHENTICATE: &str =
    r#"Basic realm="project44 Security Realm", Bearer realm="project44 Security Realm""#;

/// One v4 error: a summary plus a single detailed message.
pub(super) struct ApiError {
    status: StatusCode,
    error_message: String,
    message: String,
    diagnostic: String,
}

impl ApiError {
    pub(super) fn new(
        status: StatusCode,
        error_message: impl Into<String>,
        message: impl Into<String>,
        diagnostic: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error_message: error_message.into(),
            message: message.into(),
            diagnostic: diagnostic.into(),
        }
    }

    pub(super) fn unauthorized(message: impl Into<String>) -> Self {
        // Spring Security's wording, which project44's gateway answers with.
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Full authentication is required to access this resource.",
            message,
            "Authenticate with HTTP Basic (user credentials) or a Bearer access token.",
        )
    }

    pub(super) fn client_app_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Client application not found.",
            format!("No client application with id '{id}' exists."),
            format!("clientApplication.id={id}"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // A struct rather than `json!` so fields keep project44's order.
        let body = ErrorBody {
            http_status_code: self.status.as_u16(),
            http_message: self.status.canonical_reason().unwrap_or(""),
            error_message: self.error_message,
            errors: [Message {
                severity: "ERROR",
                message: self.message,
                diagnostic: self.diagnostic,
                // project44 tags messages as coming from itself ("SYSTEM") or
                // from a carrier; the simulator only ever speaks for itself.
                source: "SYSTEM",
            }],
            support_reference_id: uuid::Uuid::new_v4().to_string(),
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(WWW_AUTHENTICATE),
            );
        }
        response
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    http_status_code: u16,
    http_message: &'static str,
    error_message: String,
    errors: [Message; 1],
    support_reference_id: String,
}

#[derive(Serialize)]
struct Message {
    severity: &'static str,
    #[allow(
        clippy::struct_field_names,
        reason = "the field mirrors the vendor's JSON key"
    )]
    message: String,
    diagnostic: String,
    source: &'static str,
}
