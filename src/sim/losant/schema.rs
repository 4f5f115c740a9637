//! Request bodies are checked against Losant's own Post/Patch schemas
//! (copies in `schemas/`, MIT, see `schemas/LICENSE`), so the simulator
//! rejects exactly what the real API's schemas reject.

use std::sync::OnceLock;

use axum::body::Bytes;
use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, Validator};
use serde_json::Value;

use super::error::{ApiError, ApiResult, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    UserCredentials,
    ApplicationPost,
    ApplicationPatch,
    CertificatePost,
    CertificatePatch,
    AuthorityPost,
    AuthorityPatch,
    KeyPost,
    KeyPatch,
    TokenPost,
    TokenPatch,
    DeviceCredentials,
}

const ALL: [Body; 12] = [
    Body::UserCredentials,
    Body::ApplicationPost,
    Body::ApplicationPatch,
    Body::CertificatePost,
    Body::CertificatePatch,
    Body::AuthorityPost,
    Body::AuthorityPatch,
    Body::KeyPost,
    Body::KeyPatch,
    Body::TokenPost,
    Body::TokenPatch,
    Body::DeviceCredentials,
];

impl Body {
    const fn source(self) -> &'static str {
        match self {
            Self::UserCredentials => include_str!("schemas/userCredentials.json"),
            Self::ApplicationPost => include_str!("schemas/applicationPost.json"),
            Self::ApplicationPatch => include_str!("schemas/applicationPatch.json"),
            Self::CertificatePost => include_str!("schemas/applicationCertificatePost.json"),
            Self::CertificatePatch => include_str!("schemas/applicationCertificatePatch.json"),
            Self::AuthorityPost => {
                include_str!("schemas/applicationCertificateAuthorityPost.json")
            }
            Self::AuthorityPatch => {
                include_str!("schemas/applicationCertificateAuthorityPatch.json")
            }
            Self::KeyPost => include_str!("schemas/applicationKeyPost.json"),
            Self::KeyPatch => include_str!("schemas/applicationKeyPatch.json"),
            Self::TokenPost => include_str!("schemas/applicationApiTokenPost.json"),
            Self::TokenPatch => include_str!("schemas/apiTokenPatch.json"),
            Self::DeviceCredentials => include_str!("schemas/deviceCredentials.json"),
        }
    }

    /// The body parameter's name in the route table, used in messages.
    const fn param(self) -> &'static str {
        match self {
            Self::UserCredentials => "credentials",
            Self::ApplicationPost | Self::ApplicationPatch => "application",
            Self::CertificatePost | Self::CertificatePatch => "applicationCertificate",
            Self::AuthorityPost | Self::AuthorityPatch => "applicationCertificateAuthority",
            Self::KeyPost | Self::KeyPatch => "applicationKey",
            Self::TokenPost | Self::TokenPatch => "apiToken",
            Self::DeviceCredentials => "credentials",
        }
    }

    /// Credentials must not be echoed into an error message.
    const fn echoes_values(self) -> bool {
        !matches!(self, Self::UserCredentials | Self::DeviceCredentials)
    }

    fn index(self) -> usize {
        ALL.iter().position(|b| *b == self).unwrap_or(0)
    }
}

fn compile(body: Body) -> Option<Validator> {
    let schema: Value = match serde_json::from_str(body.source()) {
        Ok(v) => v,
        Err(err) => {
            tracing::error!("losant schema {:?} is not JSON: {err}", body);
            return None;
        }
    };
    match jsonschema::options()
        .with_draft(Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
    {
        Ok(v) => Some(v),
        Err(err) => {
            tracing::error!("losant schema {:?} does not compile: {err}", body);
            None
        }
    }
}

fn validator(body: Body) -> Option<&'static Validator> {
    static COMPILED: OnceLock<Vec<Option<Validator>>> = OnceLock::new();
    COMPILED
        .get_or_init(|| ALL.iter().map(|b| compile(*b)).collect())
        .get(body.index())
        .and_then(Option::as_ref)
}

/// Parses a raw request body as JSON and checks it against `body`'s schema.
pub fn parse(body: Body, bytes: &Bytes) -> ApiResult<Value> {
    let value: Value = serde_json::from_slice(bytes).map_err(|err| {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            ApiError::validation(format!("{} is required", body.param()))
        } else {
            ApiError::bad_request(format!("Unexpected JSON in request body: {err}"))
        }
    })?;
    check(body, &value)?;
    Ok(value)
}

/// The property an error is about: the instance path, or for `required`
/// and `additionalProperties` the property the rule names.
fn property(err: &jsonschema::ValidationError<'_>) -> (String, String) {
    let pointer = err.instance_path.as_str().to_string();
    let extra = match &err.kind {
        ValidationErrorKind::Required { property } => property.as_str().map(str::to_string),
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected.first().cloned(),
        _ => None,
    };
    let pointer = match extra {
        Some(name) => format!("{pointer}/{name}"),
        None => pointer,
    };
    let dotted = pointer.trim_start_matches('/').replace('/', ".");
    (dotted, pointer)
}

fn field_error(body: Body, err: &jsonschema::ValidationError<'_>) -> FieldError {
    let (name, id) = property(err);
    let rule = err
        .schema_path
        .as_str()
        .rsplit('/')
        .next()
        .unwrap_or("schema")
        .to_string();
    let message = if body.echoes_values() {
        clip(&err.to_string())
    } else {
        format!("does not satisfy {rule}")
    };
    FieldError {
        rule,
        name,
        id,
        message,
    }
}

/// A 30 kB PEM that breaks maxLength would otherwise be echoed whole.
fn clip(text: &str) -> String {
    if text.chars().count() > 300 {
        let cut: String = text.chars().take(300).collect();
        format!("{cut}...")
    } else {
        text.to_string()
    }
}

pub fn check(body: Body, value: &Value) -> ApiResult<()> {
    let Some(validator) = validator(body) else {
        return Err(ApiError::internal("Request schema unavailable"));
    };
    let details: Vec<FieldError> = validator
        .iter_errors(value)
        .map(|err| field_error(body, &err))
        .collect();
    match validator.validate(value) {
        Ok(()) => Ok(()),
        Err(err) => {
            let path = err.instance_path.as_str();
            let at = if path.is_empty() {
                body.param().to_string()
            } else {
                format!("{}{}", body.param(), path.replace('/', "."))
            };
            let detail = if body.echoes_values() {
                clip(&err.to_string())
            } else {
                let keyword = err
                    .schema_path
                    .as_str()
                    .rsplit('/')
                    .next()
                    .unwrap_or("schema");
                format!("does not satisfy {keyword}")
            };
            Err(ApiError::invalid(format!("{at}: {detail}"), details))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_schema_compiles() {
        for body in ALL {
            assert!(validator(body).is_some(), "{body:?}");
        }
    }
}
