//! Load and fault knobs for the simulator: latency, jitter, a failure
//! rate, a request-rate limit answered the way the vendor answers it, and
//! chaos (broken connections, truncated and malformed bodies, wrong
//! content types, huge and endless bodies, redirect loops).
//!
//! They wrap a vendor's router as one middleware layer, so every route of
//! that vendor, token endpoints included, sees the same weather.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use rand::Rng;

/// How a vendor says "too many requests".
pub type Throttled = fn() -> Response;

/// The knobs, all off by default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Knobs {
    latency: Duration,
    jitter: Duration,
    fail_rate: f64,
    throttle_qps: Option<u32>,
    chaos: bool,
    only: Vec<String>,
    /// Every n-th request whose path contains the text fails, counted
    /// from the first: a failure a test can predict exactly.
    fail_every: Option<(String, u32)>,
    /// Applications seeded per tenant on top of the demo's own.
    scale: usize,
}

impl Knobs {
    pub const fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    pub const fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// The share of requests, 0 to 1, answered with a 5xx.
    pub const fn fail_rate(mut self, rate: f64) -> Self {
        self.fail_rate = if rate.is_finite() {
            rate.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// Requests per second a vendor takes before it throttles.
    pub fn throttle(mut self, qps: Option<u32>) -> Self {
        self.throttle_qps = qps.filter(|q| *q > 0);
        self
    }

    pub const fn chaos(mut self, on: bool) -> Self {
        self.chaos = on;
        self
    }

    /// Answers the n-th, 2n-th, ... request whose path contains `part`
    /// with a 503, counting from the first such request.
    pub fn fail_every(mut self, part: impl Into<String>, n: u32) -> Self {
        self.fail_every = (n > 0).then(|| (part.into(), n));
        self
    }

    /// Limits the knobs to these vendors (by their simulator name); empty
    /// means every vendor.
    pub fn only(mut self, vendors: Vec<String>) -> Self {
        self.only = vendors;
        self
    }

    /// Seeds `n` more applications in every tenant of the vendors the
    /// knobs apply to, with certificates and keys in proportion.
    pub const fn scale(mut self, n: usize) -> Self {
        self.scale = n;
        self
    }

    /// How many applications to add per tenant of `vendor`. Load is not a
    /// fault, so it holds even when every fault knob is off.
    pub fn scale_for(&self, vendor: &str) -> usize {
        if self.only.is_empty() || self.only.iter().any(|v| v == vendor) {
            self.scale
        } else {
            0
        }
    }

    /// Whether no fault is set; [`Self::scale`] is load, not a fault.
    pub fn is_off(&self) -> bool {
        self.latency.is_zero()
            && self.jitter.is_zero()
            && self.fail_rate == 0.0
            && self.throttle_qps.is_none()
            && !self.chaos
            && self.fail_every.is_none()
    }

    pub fn applies_to(&self, vendor: &str) -> bool {
        !self.is_off() && (self.only.is_empty() || self.only.iter().any(|v| v == vendor))
    }

    /// Wraps `router` in these knobs, throttling with `throttled`.
    pub fn wrap(&self, router: axum::Router, throttled: Throttled) -> axum::Router {
        let faults = Arc::new(Faults {
            knobs: self.clone(),
            throttled,
            window: Mutex::new((Instant::now(), 0)),
            matched: AtomicU32::new(0),
        });
        router.layer(middleware::from_fn_with_state(faults, apply))
    }
}

/// The usual answer: 429 with `Retry-After`.
pub fn too_many_requests() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, "1")],
        axum::Json(serde_json::json!({"message": "Too many requests"})),
    )
        .into_response()
}

struct Faults {
    knobs: Knobs,
    throttled: Throttled,
    /// Start of the current one-second window and requests seen in it.
    window: Mutex<(Instant, u32)>,
    /// Requests seen so far that `fail_every` counts.
    matched: AtomicU32,
}

impl Faults {
    fn fails_by_count(&self, path: &str) -> bool {
        let Some((part, n)) = &self.knobs.fail_every else {
            return false;
        };
        if !path.contains(part.as_str()) {
            return false;
        }
        let seen = self.matched.fetch_add(1, Ordering::SeqCst) + 1;
        seen.is_multiple_of(*n)
    }

    fn over_rate(&self, qps: u32) -> bool {
        let mut window = self
            .window
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        if now.duration_since(window.0) >= Duration::from_secs(1) {
            *window = (now, 0);
        }
        window.1 += 1;
        window.1 > qps
    }
}

/// One kind of misbehaviour `--chaos` mixes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chaos {
    /// The connection drops right after the headers.
    Reset,
    /// Fewer bytes than `Content-Length` promised, then the connection drops.
    Truncated,
    MalformedJson,
    WrongContentType,
    /// 50 MB of a JSON array.
    Huge,
    /// A body that never ends.
    Endless,
    /// A redirect to itself.
    RedirectLoop,
}

impl Chaos {
    pub const ALL: [Self; 7] = [
        Self::Reset,
        Self::Truncated,
        Self::MalformedJson,
        Self::WrongContentType,
        Self::Huge,
        Self::Endless,
        Self::RedirectLoop,
    ];

    /// The misbehaving answer to a request for `path`.
    pub fn response(self, path: &str) -> Response {
        match self {
            Self::Reset => broken(0, Bytes::new()),
            Self::Truncated => broken(4096, Bytes::from_static(b"{\"data\": [{\"id\": \"a\"")),
            Self::MalformedJson => json_typed(Body::from("{\"data\": [{\"id\": \"a\",, ]")),
            Self::WrongContentType => (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html")],
                "<html><body>Service temporarily moved</body></html>",
            )
                .into_response(),
            Self::Huge => json_typed(huge_body(50_000_000)),
            Self::Endless => json_typed(endless_body()),
            Self::RedirectLoop => {
                // 307 keeps the method, so a POST loops as a GET would
                // instead of turning into a GET the route refuses.
                let mut resp = StatusCode::TEMPORARY_REDIRECT.into_response();
                if let Ok(location) = HeaderValue::from_str(path) {
                    resp.headers_mut().insert(header::LOCATION, location);
                }
                resp
            }
        }
    }
}

async fn apply(State(faults): State<Arc<Faults>>, req: Request, next: Next) -> Response {
    let knobs = &faults.knobs;
    let delay = knobs.latency
        + if knobs.jitter.is_zero() {
            Duration::ZERO
        } else {
            knobs.jitter.mul_f64(rand::rng().random::<f64>())
        };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(qps) = knobs.throttle_qps
        && faults.over_rate(qps)
    {
        return (faults.throttled)();
    }
    // Decide everything random before awaiting: the generator is not Send.
    let (fail, chaos) = {
        let mut rng = rand::rng();
        let fail = knobs.fail_rate > 0.0 && rng.random_bool(knobs.fail_rate);
        let chaos = (knobs.chaos && rng.random_bool(0.5))
            .then(|| Chaos::ALL[rng.random_range(0..Chaos::ALL.len())]);
        (fail, chaos)
    };
    let knob = if fail {
        Some("--fail-rate")
    } else if faults.fails_by_count(req.uri().path()) {
        Some("--fail-every")
    } else {
        None
    };
    if let Some(knob) = knob {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"message": format!("simulated failure ({knob})")})),
        )
            .into_response();
    }
    if let Some(chaos) = chaos {
        // Wrapped outside the vendor's nesting, the path is the full one
        // the client asked for, so the loop points at itself.
        let uri = req.uri().clone();
        let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
        return chaos.response(&path);
    }
    next.run(req).await
}

fn json_typed(body: Body) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// A body that promises `promised` bytes, sends `sent` and then fails, so
/// the server drops the connection mid-answer.
fn broken(promised: usize, sent: Bytes) -> Response {
    let chunks = stream::iter([
        Ok::<Bytes, std::io::Error>(sent),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "simulated reset",
        )),
    ]);
    let mut resp = json_typed(Body::from_stream(chunks));
    if let Ok(length) = HeaderValue::from_str(&promised.max(1).to_string()) {
        resp.headers_mut().insert(header::CONTENT_LENGTH, length);
    }
    resp
}

const CHUNK: usize = 64 * 1024;

fn filler() -> Bytes {
    let mut chunk = Vec::with_capacity(CHUNK);
    while chunk.len() + 8 <= CHUNK {
        chunk.extend_from_slice(b"\"xxxx\", ");
    }
    chunk.resize(CHUNK, b' ');
    Bytes::from(chunk)
}

/// A JSON array of about `size` bytes, streamed without a length.
fn huge_body(size: usize) -> Body {
    let fill = filler();
    let chunks = size / CHUNK;
    let parts = std::iter::once(Bytes::from_static(b"["))
        .chain(std::iter::repeat_n(fill, chunks))
        .chain(std::iter::once(Bytes::from_static(b"\"end\"]")));
    Body::from_stream(stream::iter(parts.map(Ok::<Bytes, std::io::Error>)))
}

/// A JSON array that never closes. Each chunk waits a little, so the
/// stream costs the simulator almost nothing however long it runs.
fn endless_body() -> Body {
    let fill = filler();
    let first = Bytes::from_static(b"[");
    let chunks = stream::unfold(Some(first), move |next| {
        let fill = fill.clone();
        async move {
            let chunk = if let Some(first) = next {
                first
            } else {
                tokio::time::sleep(Duration::from_millis(1)).await;
                fill
            };
            Some((Ok::<Bytes, std::io::Error>(chunk), None))
        }
    });
    Body::from_stream(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::float_cmp, reason = "fail_rate is clamped to exact constants")]
    fn knobs_off_apply_nowhere() {
        let off = Knobs::default();
        assert!(off.is_off());
        assert!(!off.applies_to("mashery"));
        let slow = Knobs::default().latency(Duration::from_millis(5));
        assert!(slow.applies_to("mashery"));
        let only = slow.only(vec!["losant".into()]);
        assert!(only.applies_to("losant"));
        assert!(!only.applies_to("mashery"));
        assert_eq!(Knobs::default().fail_rate(f64::NAN).fail_rate, 0.0);
        assert_eq!(Knobs::default().fail_rate(3.0).fail_rate, 1.0);
        assert!(!Knobs::default().fail_every("x", 2).is_off());
        assert!(Knobs::default().fail_every("x", 0).is_off());
    }

    #[test]
    fn fail_every_counts_only_matching_paths() {
        let faults = Faults {
            knobs: Knobs::default().fail_every("/new-secret", 3),
            throttled: too_many_requests,
            window: Mutex::new((Instant::now(), 0)),
            matched: AtomicU32::new(0),
        };
        let fails: Vec<bool> = [
            "/a/new-secret",
            "/list",
            "/b/new-secret",
            "/c/new-secret",
            "/d/new-secret",
        ]
        .iter()
        .map(|p| faults.fails_by_count(p))
        .collect();
        assert_eq!(fails, [false, false, false, true, false]);
    }
}
