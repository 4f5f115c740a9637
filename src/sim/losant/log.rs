//! The simulator's request log, not part of Losant's API: every request
//! that reached the tenant (method, path, answer status; never a body, a
//! query string or a header), readable at `GET /_sim/requests`, so a test
//! can prove that a refused change sent nothing.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Value, json};

use super::state::{Logged, Tenant};

const CONTROL: &str = "/_sim/";

pub async fn record(State(tenant): State<Arc<Tenant>>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    if !path.starts_with(CONTROL) {
        tenant.lock().log.push(Logged {
            method,
            path,
            status: res.status().as_u16(),
        });
    }
    res
}

/// `GET /_sim/requests` → `{"requests": [{method, path, status}, ...]}`, oldest first.
pub async fn requests(State(tenant): State<Arc<Tenant>>) -> Json<Value> {
    let state = tenant.lock();
    let list: Vec<Value> = state
        .log
        .iter()
        .map(|l| json!({"method": l.method, "path": l.path, "status": l.status}))
        .collect();
    Json(json!({ "requests": list }))
}
