//! A proxy in front of the simulator that mutates what it answers to
//! reads, so each adapter decodes near-miss versions of real answers
//! through its real HTTP path (token exchange, paging, caps) unchanged.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::mutate::Mutator;

#[derive(Default)]
enum Weather {
    /// Answers pass through unchanged.
    #[default]
    Clear,
    Mutating(Box<Mutator>),
    /// Every read is answered with this body (a saved crash input).
    Fixed(Vec<u8>),
}

pub struct Proxy {
    upstream: String,
    own: Mutex<String>,
    client: reqwest::Client,
    weather: Mutex<Weather>,
    /// The read bodies served since the last [`Proxy::take_served`].
    served: Mutex<Vec<Vec<u8>>>,
}

impl Proxy {
    pub fn new(upstream: String) -> Arc<Self> {
        Arc::new(Self {
            upstream,
            own: Mutex::new(String::new()),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            weather: Mutex::new(Weather::Clear),
            served: Mutex::new(Vec::new()),
        })
    }

    pub fn router(self: &Arc<Self>) -> axum::Router {
        axum::Router::new()
            .fallback(forward)
            .with_state(Arc::clone(self))
    }

    /// Where the proxy itself listens, so absolute links in answers are
    /// pointed back at it.
    pub fn listening_at(&self, base: &str) {
        base.clone_into(&mut self.own.lock().expect("lock"));
    }

    pub fn clear(&self) {
        *self.weather.lock().expect("lock") = Weather::Clear;
    }

    pub fn mutate(&self, seed: u64) {
        *self.weather.lock().expect("lock") = Weather::Mutating(Box::new(Mutator::new(seed)));
    }

    pub fn fixed(&self, body: Vec<u8>) {
        *self.weather.lock().expect("lock") = Weather::Fixed(body);
    }

    pub fn take_served(&self) -> Vec<Vec<u8>> {
        std::mem::take(&mut *self.served.lock().expect("lock"))
    }

    fn weather(&self, body: Vec<u8>) -> Vec<u8> {
        let out = match &mut *self.weather.lock().expect("lock") {
            Weather::Clear => return body,
            Weather::Mutating(m) => m.mutate(&body),
            Weather::Fixed(fixed) => fixed.clone(),
        };
        self.served.lock().expect("lock").push(out.clone());
        out
    }
}

fn replace(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    if from.is_empty() {
        return bytes.to_vec();
    }
    let (from, to) = (from.as_bytes(), to.as_bytes());
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

async fn forward(State(proxy): State<Arc<Proxy>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 16 << 20).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let path = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut out = proxy
        .client
        .request(parts.method.clone(), format!("{}{path}", proxy.upstream))
        .body(body.to_vec());
    for (name, value) in &parts.headers {
        if name != header::HOST && name != header::CONTENT_LENGTH {
            out = out.header(name, value);
        }
    }
    let Ok(resp) = out.send().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.unwrap_or_default();
    let own = proxy.own.lock().expect("lock").clone();
    let bytes = replace(&bytes, &proxy.upstream, &own);
    let bytes = if parts.method == Method::GET {
        proxy.weather(bytes)
    } else {
        bytes
    };
    let mut answer = Response::builder().status(status);
    for (name, value) in &headers {
        if name == header::CONTENT_LENGTH || name == header::TRANSFER_ENCODING {
            continue;
        }
        if name == header::LOCATION || name == header::LINK {
            let moved = replace(value.as_bytes(), &proxy.upstream, &own);
            answer = answer.header(name, moved);
        } else {
            answer = answer.header(name, value);
        }
    }
    answer
        .body(Body::from(bytes))
        .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
}
