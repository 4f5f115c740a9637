//! `/applications/{applicationId}/certificates[/{applicationCertificateId}]`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::certs::{self, CertInfo};
use super::collection::{self, Item, item_accessors};
use super::error::{ApiError, ApiResult};
use super::format::now;
use super::listing::{CERTIFICATES, ListRoute};
use super::request::{self, OneId, QueryPairs, RawBody, TwoIds};
use super::schema::Body;
use super::state::{Application, Certificate, Meta, Tenant};

impl Item for Certificate {
    const WHAT: &'static str = "Application certificate";
    const LIST: ListRoute = CERTIFICATES;

    item_accessors!(certificates);

    fn to_json(&self) -> Value {
        let mut out = self.meta.json(
            &self.props,
            "applicationCertificateId",
            &self.application_id,
        );
        out.insert("certificateInfo".into(), self.info.to_json());
        Value::Object(out)
    }
}

fn parse_pem(props: &Map<String, Value>) -> ApiResult<Option<CertInfo>> {
    match props.get("certificate").and_then(Value::as_str) {
        None => Ok(None),
        Some(pem) => certs::parse_single(pem).map(Some).map_err(|err| {
            ApiError::validation(format!("applicationCertificate.certificate: {err}"))
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
    let mut props = request::checked(body, Body::CertificatePost)?;
    let info = parse_pem(&props)?
        .ok_or_else(|| ApiError::validation("applicationCertificate.certificate is required"))?;
    request::default(&mut props, "status", json!("active"));
    collection::default_topics(&mut props);
    let cert = Certificate {
        meta: Meta::new(now()),
        application_id: app_id.clone(),
        props,
        info,
    };
    collection::insert(&tenant, &app_id, cert)
}

pub async fn patch(
    State(tenant): State<Arc<Tenant>>,
    path: TwoIds,
    q: QueryPairs,
    body: RawBody,
) -> ApiResult<Json<Value>> {
    let (app_id, id) = collection::ids::<Certificate>(path, q)?;
    // The Patch schema has no deviceIds/deviceTags and forbids extra
    // properties, so sending either is a 400 here.
    let patch = request::checked(body, Body::CertificatePatch)?;
    let info = parse_pem(&patch)?;
    collection::update(&tenant, &app_id, &id, patch, |cert: &mut Certificate| {
        if let Some(info) = info {
            cert.info = info;
        }
    })
}
