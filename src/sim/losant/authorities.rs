//! `/applications/{applicationId}/certificate-authorities[/{applicationCertificateAuthorityId}]`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::certs::{self, CertInfo};
use super::collection::{self, Item, item_accessors};
use super::error::{ApiError, ApiResult};
use super::format::now;
use super::listing::{AUTHORITIES, ListRoute};
use super::request::{self, OneId, QueryPairs, RawBody, TwoIds};
use super::schema::Body;
use super::state::{Application, Authority, Meta, Tenant};

impl Item for Authority {
    const WHAT: &'static str = "Application certificate authority";
    const LIST: ListRoute = AUTHORITIES;

    item_accessors!(authorities);

    fn to_json(&self) -> Value {
        let mut out = self.meta.json(
            &self.props,
            "applicationCertificateAuthorityId",
            &self.application_id,
        );
        out.insert(
            "caInfo".into(),
            Value::Array(self.info.iter().map(CertInfo::to_json).collect()),
        );
        Value::Object(out)
    }
}

/// One `caInfo` entry per certificate in the bundle, each parsed for real.
fn parse_bundle(props: &Map<String, Value>) -> ApiResult<Option<Vec<CertInfo>>> {
    match props.get("caBundle").and_then(Value::as_str) {
        None => Ok(None),
        Some(pem) => certs::parse_bundle(pem).map(Some).map_err(|err| {
            ApiError::validation(format!("applicationCertificateAuthority.caBundle: {err}"))
        }),
    }
}

pub async fn create(
    State(tenant): State<Arc<Tenant>>,
    path: OneId,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let app_id = request::one_id(path, "Application")?;
    request::query(q)?;
    let mut props = request::checked(body, Body::AuthorityPost)?;
    let info = parse_bundle(&props)?.ok_or_else(|| {
        ApiError::validation("applicationCertificateAuthority.caBundle is required")
    })?;
    request::default(&mut props, "status", json!("active"));
    let ca = Authority {
        meta: Meta::new(now()),
        application_id: app_id.clone(),
        props,
        info,
    };
    collection::insert(&tenant, &app_id, ca)
}

pub async fn patch(
    State(tenant): State<Arc<Tenant>>,
    path: TwoIds,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<Json<Value>> {
    let (app_id, id) = collection::ids::<Authority>(path, q)?;
    let patch = request::checked(body, Body::AuthorityPatch)?;
    let info = parse_bundle(&patch)?;
    collection::update(&tenant, &app_id, &id, patch, |ca: &mut Authority| {
        if let Some(info) = info {
            ca.info = info;
        }
    })
}
