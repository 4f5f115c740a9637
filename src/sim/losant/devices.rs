//! `GET /applications/{applicationId}/devices`, as far as a device login
//! needs: which devices there are, their class and tags. Devices are
//! seeded and cannot be created or changed here.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult};
use super::listing::{self, DEVICES, Listed};
use super::request::{self, OneId, QueryPairs};
use super::state::{Device, Tenant};

impl Listed for Device {
    fn id(&self) -> &str {
        &self.id
    }

    fn field(&self, name: &str) -> String {
        match name {
            "name" => self.name.clone(),
            "id" => self.id.clone(),
            _ => String::new(),
        }
    }
}

fn to_json(device: &Device, app_id: &str) -> Value {
    let tags: Vec<Value> = device
        .tags
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect();
    json!({
        "id": device.id,
        "deviceId": device.id,
        "applicationId": app_id,
        "name": device.name,
        "deviceClass": device.device_class,
        "tags": tags,
    })
}

pub async fn list(
    State(tenant): State<Arc<Tenant>>,
    path: OneId,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let app_id = request::one_id(path, "Application")?;
    let params = DEVICES.parse(&request::query(q)?)?;
    let state = tenant.lock();
    let app = state
        .application(&app_id)
        .ok_or_else(|| ApiError::not_found("Application"))?;
    let (page, total) = listing::select(&app.devices, &params);
    let items = page.iter().map(|d| to_json(d, &app_id)).collect();
    Ok(Json(listing::envelope(
        items,
        total,
        &params,
        Some(&app_id),
    )))
}
