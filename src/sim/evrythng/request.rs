//! Request bodies and query strings, refused with EVRYTHNG's own error
//! body instead of axum's plain-text rejections.
//!
//! Bodies are checked against the vendor's `ProjectDocument` and
//! `ApplicationDocument` schemas (copies in `schemas/`), which forbid
//! unknown fields. A `null` field means "unchanged": a third-party client
//! sends every field of the document on an update, nulls included.

use std::sync::OnceLock;

use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::http::HeaderMap;
use jsonschema::Validator;
use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult};
use crate::sim::http::is_json;

pub type QueryPairs = Result<Query<Vec<(String, String)>>, QueryRejection>;
pub type RawBody = Result<Bytes, BytesRejection>;

pub fn query(q: QueryPairs) -> ApiResult<Vec<(String, String)>> {
    q.map(|Query(pairs)| pairs)
        .map_err(|err| ApiError::bad_request(err.body_text()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Project,
    Application,
}

/// Fields the server owns: accepted (a client may send back what it
/// read) and ignored.
const SERVER_OWNED: [&str; 6] = [
    "id",
    "createdAt",
    "updatedAt",
    "shortDomains",
    "project",
    "appApiKey",
];

impl Document {
    const fn source(self) -> &'static str {
        match self {
            Self::Project => include_str!("schemas/ProjectDocument.json"),
            Self::Application => include_str!("schemas/ApplicationDocument.json"),
        }
    }

    const fn slot(self, create: bool) -> usize {
        match (self, create) {
            (Self::Project, true) => 0,
            (Self::Project, false) => 1,
            (Self::Application, true) => 2,
            (Self::Application, false) => 3,
        }
    }
}

/// An update takes a subset of the document, so it drops `required`.
fn compile(doc: Document, create: bool) -> Option<Validator> {
    let mut schema: Value = match serde_json::from_str(doc.source()) {
        Ok(v) => v,
        Err(err) => {
            tracing::error!("evrythng schema {doc:?} is not JSON: {err}");
            return None;
        }
    };
    if !create && let Some(map) = schema.as_object_mut() {
        map.remove("required");
    }
    match jsonschema::validator_for(&schema) {
        Ok(v) => Some(v),
        Err(err) => {
            tracing::error!("evrythng schema {doc:?} does not compile: {err}");
            None
        }
    }
}

fn validator(doc: Document, create: bool) -> Option<&'static Validator> {
    static COMPILED: OnceLock<Vec<Option<Validator>>> = OnceLock::new();
    COMPILED
        .get_or_init(|| {
            [
                (Document::Project, true),
                (Document::Project, false),
                (Document::Application, true),
                (Document::Application, false),
            ]
            .into_iter()
            .map(|(d, c)| compile(d, c))
            .collect()
        })
        .get(doc.slot(create))
        .and_then(Option::as_ref)
}

/// The settable fields of a create (`create`) or update body.
pub fn document(
    headers: &HeaderMap,
    raw: RawBody,
    doc: Document,
    create: bool,
) -> ApiResult<Map<String, Value>> {
    let bytes = raw.map_err(|err| ApiError::bad_request(err.body_text()))?;
    if !is_json(headers) {
        return Err(ApiError::unsupported_media_type());
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("A request body is required."));
    }
    let value: Value = serde_json::from_slice(&bytes).map_err(|err| {
        ApiError::bad_request(format!("The request body is not valid JSON: {err}"))
    })?;
    let Value::Object(mut map) = value else {
        return Err(ApiError::bad_request(
            "The request body must be a JSON object.",
        ));
    };
    map.retain(|_, v| !v.is_null());
    let Some(validator) = validator(doc, create) else {
        return Err(ApiError::internal("Document schema unavailable"));
    };
    let checked = Value::Object(map);
    if let Some(err) = validator.iter_errors(&checked).next() {
        let at = err.instance_path.as_str();
        let at = if at.is_empty() {
            String::new()
        } else {
            format!(" at {}", at.trim_start_matches('/').replace('/', "."))
        };
        return Err(ApiError::bad_request(format!(
            "Invalid document{at}: {err}"
        )));
    }
    let Value::Object(mut map) = checked else {
        return Ok(Map::new());
    };
    map.retain(|k, _| !SERVER_OWNED.contains(&k.as_str()));
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_documents_compile_for_create_and_update() {
        for doc in [Document::Project, Document::Application] {
            assert!(validator(doc, true).is_some());
            assert!(validator(doc, false).is_some());
        }
    }
}
