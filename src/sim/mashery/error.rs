//! Mashery's error answers. The REST layer speaks `{errorCode, errorMessage}`
//! and, for refused bodies, `{errors:[{property, message}]}`; the gateway in
//! front of it (token checks, throttling) answers with an
//! `X-Mashery-Error-Code` header and a one-line HTML body; the token
//! endpoint answers OAuth 2 `{"error": ...}` bodies.

use axum::Json;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub const ERROR_CODE_HEADER: &str = "X-Mashery-Error-Code";
pub const NOT_AUTHORIZED: &str = "ERR_403_NOT_AUTHORIZED";
pub const OVER_QPS: &str = "ERR_403_DEVELOPER_OVER_QPS";
pub const OVER_RATE: &str = "ERR_403_DEVELOPER_OVER_RATE";

#[derive(Debug, Clone)]
pub enum ApiError {
    Rest {
        status: StatusCode,
        message: String,
    },
    Validation(Vec<(String, String)>),
    Gateway {
        status: StatusCode,
        code: &'static str,
        body: &'static str,
        authenticate: Option<String>,
    },
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: Option<&'static str>,
        authenticate: Option<String>,
    },
}

impl ApiError {
    pub fn not_found() -> Self {
        Self::Rest {
            status: StatusCode::NOT_FOUND,
            message: "Not Found".into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::Rest {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn method_not_allowed() -> Self {
        Self::Rest {
            status: StatusCode::METHOD_NOT_ALLOWED,
            message: "Method Not Allowed".into(),
        }
    }

    pub fn invalid(property: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![(property.to_string(), message.into())])
    }

    /// The bearer check: `error` is `None` when no token was sent at all.
    pub fn bearer(realm: &str, error: Option<&str>) -> Self {
        let authenticate = match error {
            Some(e) => format!("Bearer realm=\"{realm}\", error=\"{e}\""),
            None => format!("Bearer realm=\"{realm}\""),
        };
        Self::Gateway {
            status: StatusCode::UNAUTHORIZED,
            code: NOT_AUTHORIZED,
            body: "<h1>Not Authorized</h1>",
            authenticate: Some(authenticate),
        }
    }

    pub const fn over_qps() -> Self {
        Self::Gateway {
            status: StatusCode::FORBIDDEN,
            code: OVER_QPS,
            body: "<h1>Developer Over Qps</h1>",
            authenticate: None,
        }
    }

    pub const fn over_rate() -> Self {
        Self::Gateway {
            status: StatusCode::FORBIDDEN,
            code: OVER_RATE,
            body: "<h1>Developer Over Rate</h1>",
            authenticate: None,
        }
    }

    /// Unknown API key or wrong secret: Mashery never says which.
    pub fn invalid_client(realm: &str) -> Self {
        Self::OAuth {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: None,
            authenticate: Some(format!("Basic realm=\"{realm}\"")),
        }
    }

    pub const fn oauth(error: &'static str, description: &'static str) -> Self {
        Self::OAuth {
            status: StatusCode::BAD_REQUEST,
            error,
            description: Some(description),
            authenticate: None,
        }
    }
}

fn header(resp: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Rest { status, message } => (
                status,
                Json(json!({ "errorCode": status.as_u16(), "errorMessage": message })),
            )
                .into_response(),
            Self::Validation(errors) => {
                let errors: Vec<_> = errors
                    .into_iter()
                    .map(|(property, message)| json!({ "property": property, "message": message }))
                    .collect();
                (StatusCode::BAD_REQUEST, Json(json!({ "errors": errors }))).into_response()
            }
            Self::Gateway {
                status,
                code,
                body,
                authenticate,
            } => {
                let mut resp = (status, body).into_response();
                header(&mut resp, CONTENT_TYPE.as_str(), "text/html");
                header(&mut resp, ERROR_CODE_HEADER, code);
                if let Some(a) = authenticate {
                    header(&mut resp, WWW_AUTHENTICATE.as_str(), &a);
                }
                resp
            }
            Self::OAuth {
                status,
                error,
                description,
                authenticate,
            } => {
                let body = match description {
                    Some(d) => json!({ "error": error, "error_description": d }),
                    None => json!({ "error": error }),
                };
                let mut resp = (status, Json(body)).into_response();
                header(&mut resp, ERROR_CODE_HEADER, NOT_AUTHORIZED);
                header(&mut resp, CACHE_CONTROL.as_str(), "no-store");
                if let Some(a) = authenticate {
                    header(&mut resp, WWW_AUTHENTICATE.as_str(), &a);
                }
                resp
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
