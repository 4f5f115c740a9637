//! The HTTP client every adapter shares: timeouts, retries of idempotent
//! calls with jittered backoff, 429 handling, a cap on every body read,
//! decoding off the async worker threads, and error bodies turned into
//! [`PlatformError`]s.
use std::fmt::Write as _;

use std::marker::PhantomData;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::{FieldError, PlatformError};
use crate::model::Secret;

mod budget;

pub use budget::Budget;

/// Whether a request may be sent again when its answer is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    Idempotent,
    Never,
}

const ATTEMPTS: u32 = 3;
/// A longer Retry-After is reported to the user instead of freezing a pane.
const MAX_WAIT: Duration = Duration::from_secs(5);
/// The first backoff; each retry doubles it, up to `MAX_BACKOFF`.
const BASE_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// A 429 that names no wait gets this, doubled per retry, jittered.
const THROTTLE_BACKOFF: Duration = Duration::from_secs(1);
/// The default cap on an answer body.
pub const DEFAULT_MAX_BODY: usize = 8 << 20;
/// The most pages one list reads: a server that always says "next", or
/// claims a total of billions, is stopped here.
pub const MAX_PAGES: usize = 5_000;
/// Error bodies are read only this far: the message is near the start.
const MAX_ERROR_BODY: usize = 64 << 10;

/// How long a tenant's calls may take and how much they may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    timeout: Duration,
    max_body: usize,
}

impl Limits {
    pub fn new(timeout: Duration, max_body: usize) -> Self {
        Self {
            timeout,
            max_body: max_body.max(1),
        }
    }

    pub const fn timeout(&self) -> Duration {
        self.timeout
    }

    pub const fn max_body(&self) -> usize {
        self.max_body
    }
}

impl From<Duration> for Limits {
    fn from(timeout: Duration) -> Self {
        Self::new(timeout, DEFAULT_MAX_BODY)
    }
}

/// Makes the allocator give large buffers back to the system when they
/// are freed. glibc raises its mmap threshold after each large free, so
/// without this, answer bodies of a few MiB come from the arena heaps of
/// whichever threads read them and stay resident after they are gone;
/// a fixed threshold also caps the arenas per thread. Call once, first.
pub fn return_large_buffers() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters, before any thread
    // but this one exists.
    unsafe {
        let _ = libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 10);
        let _ = libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Pulls the human message out of a vendor error body.
pub type MessageOf = fn(&Value) -> Option<String>;

/// Pulls the per-field complaints out of a vendor error body, keyed by
/// the form fields they are about.
pub type FieldsOf = fn(&Value) -> Vec<FieldError>;

#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    base: String,
    timeout: Duration,
    max_body: usize,
    message_of: MessageOf,
    fields_of: Option<FieldsOf>,
    budget: Budget,
}

impl Http {
    pub fn new(
        base_url: &str,
        limits: impl Into<Limits>,
        message_of: MessageOf,
    ) -> Result<Self, PlatformError> {
        let limits = limits.into();
        let timeout = limits.timeout();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(super::tls::shared().map_err(PlatformError::Network)?)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("portico/", env!("CARGO_PKG_VERSION")))
            // A redirect loop ends here, not in ten hops of the same answer.
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .map_err(|e| PlatformError::Network(e.to_string()))?;
        Ok(Self {
            client,
            base: base_url.trim_end_matches('/').to_string(),
            timeout,
            max_body: limits.max_body(),
            message_of,
            fields_of: None,
            budget: Budget::shared(),
        })
    }

    /// Reads field errors out of refusals too, for a vendor whose error
    /// bodies list them.
    #[must_use]
    pub fn with_fields(mut self, fields_of: FieldsOf) -> Self {
        self.fields_of = Some(fields_of);
        self
    }

    /// Reads bodies within `budget` instead of the process-wide one.
    #[must_use]
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    pub const fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends `req`, retrying only when `retry` allows it, and turns any
    /// non-success answer into an error.
    pub async fn send(&self, req: RequestBuilder, retry: Retry) -> Result<Response, PlatformError> {
        // Redacted here, where the line is made; bodies are never logged.
        if tracing::enabled!(tracing::Level::DEBUG)
            && let Some(Ok(built)) = req.try_clone().map(RequestBuilder::build)
        {
            tracing::debug!(
                method = %built.method(),
                url = %crate::logging::url(built.url().as_str()),
                headers = %crate::logging::headers(built.headers()),
                ?retry,
                "request"
            );
        }
        let mut attempt = 1;
        loop {
            let copy = match retry {
                Retry::Idempotent if attempt < ATTEMPTS => req.try_clone(),
                _ => None,
            };
            let Some(copy) = copy else {
                return self.finish(req.send().await).await;
            };
            let result = copy.send().await;
            let wait = match &result {
                Ok(resp) => match retry_wait(resp.status(), resp.headers(), attempt) {
                    Some(wait) => wait,
                    None => return self.finish(result).await,
                },
                // A reset or refused connection may well work next time; a
                // timeout already cost the whole budget once.
                Err(err) if !err.is_timeout() => backoff(attempt),
                Err(_) => return self.finish(result).await,
            };
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Sends and decodes a JSON body.
    pub async fn json<T: DeserializeOwned + Send + 'static>(
        &self,
        req: RequestBuilder,
        retry: Retry,
    ) -> Result<T, PlatformError> {
        let resp = self.send(req, retry).await?;
        let status = resp.status();
        let (bytes, reserved) = self.budgeted_body(resp, self.max_body).await?;
        // Decoding a large page is CPU work: off the async workers, so the
        // UI task that shares them answers keys meanwhile. The body keeps
        // its share of the budget until it is decoded and dropped.
        tokio::task::spawn_blocking(move || {
            let parsed = parse(status, &bytes);
            drop((bytes, reserved));
            parsed
        })
        .await
        .map_err(|_| PlatformError::Decode("decoding the answer failed".into()))?
    }

    /// Reads a body of at most `cap` bytes. A longer one, or one that never
    /// ends, is dropped at the cap: its connection closes with it. Past its
    /// first MiB a body waits for room in the budget all bodies share.
    pub async fn body(&self, resp: Response, cap: usize) -> Result<Vec<u8>, PlatformError> {
        self.budgeted_body(resp, cap).await.map(|(bytes, _)| bytes)
    }

    async fn budgeted_body(
        &self,
        mut resp: Response,
        cap: usize,
    ) -> Result<(Vec<u8>, Option<budget::Reserved>), PlatformError> {
        let length = resp.content_length();
        if length.is_some_and(|n| n > cap as u64) {
            return Err(too_large(cap));
        }
        let known = length.and_then(|n| usize::try_from(n).ok());
        // With a length, its whole need is reserved and allocated at once;
        // without, the first MiB is free and the cap is reserved past it.
        let mut reserved = match known {
            Some(n) => self.reserve(n).await?,
            None => None,
        };
        let mut out = Vec::with_capacity(known.unwrap_or(0).min(cap));
        loop {
            // The client's timeout also covers the body, so a server that
            // stalls after its headers reads as a timeout, not a network fault.
            let chunk = resp.chunk().await.map_err(|e| {
                if e.is_timeout() {
                    PlatformError::Timeout(self.timeout)
                } else {
                    PlatformError::Network(format!("the answer broke off: {}", cause_first(&e)))
                }
            })?;
            let Some(chunk) = chunk else {
                return Ok((out, reserved));
            };
            let need = out.len() + chunk.len();
            if need > cap {
                return Err(too_large(cap));
            }
            if known.is_none() && reserved.is_none() && need > budget::FREE_BYTES {
                reserved = self.reserve(cap).await?;
                // Room for the cap at once: no doubling, no copy of copies.
                // Untouched capacity costs no resident memory.
                out.reserve_exact(cap - out.len());
            }
            out.extend_from_slice(&chunk);
        }
    }

    /// Waits, within the tenant's timeout, for `bytes` to fit the budget.
    async fn reserve(&self, bytes: usize) -> Result<Option<budget::Reserved>, PlatformError> {
        tokio::time::timeout(self.timeout, self.budget.reserve(bytes))
            .await
            .map_err(|_| PlatformError::Timeout(self.timeout))
    }

    /// The cap on a success body for this tenant.
    pub const fn max_body(&self) -> usize {
        self.max_body
    }

    async fn finish(&self, result: reqwest::Result<Response>) -> Result<Response, PlatformError> {
        let resp = result.map_err(|e| self.transport(e))?;
        let status = resp.status();
        tracing::debug!(%status, "answer");
        if status.is_success() {
            return Ok(resp);
        }
        let retry = retry_after(resp.headers());
        let body = match self.body(resp, MAX_ERROR_BODY).await {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(_) => String::new(),
        };
        let err = error_for(status, &body, retry, self.message_of);
        Err(match (err, self.fields_of) {
            (PlatformError::Api { status, message }, Some(fields_of)) => {
                with_fields(status, message, &body, fields_of)
            }
            (err, _) => err,
        })
    }

    fn transport(&self, err: reqwest::Error) -> PlatformError {
        if err.is_timeout() {
            PlatformError::Timeout(self.timeout)
        } else if err.is_decode() {
            PlatformError::Decode(err.to_string())
        } else {
            // reqwest's message names the URL. Credentials travel in headers
            // and bodies, and the config refuses userinfo, but a password
            // must never reach a message even so.
            let mut err = err;
            if let Some(url) = err.url_mut()
                && url.password().is_some()
            {
                let _ = url.set_password(Some("***"));
            }
            PlatformError::Network(cause_first(&err))
        }
    }
}

/// The innermost cause first ("Connection refused"), then what was being
/// done, then the address: a status line cut short still shows why.
/// The URL loses any query string; credentials travel in headers and
/// bodies only, but a query is where a careless server would put one.
fn cause_first(err: &reqwest::Error) -> String {
    let mut chain = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        chain.push(inner.to_string());
        source = inner.source();
    }
    let top = err.to_string();
    // reqwest's own text names the URL; it is given once, at the end.
    let top = match top.find(" for url (") {
        Some(at) => top[..at].to_string(),
        None => top,
    };
    let url = err.url().map(|u| {
        let mut u = u.clone();
        u.set_query(None);
        u.set_fragment(None);
        u.to_string()
    });
    let mut text = chain.pop().unwrap_or_else(|| top.clone());
    let context: Vec<&str> = std::iter::once(top.as_str())
        .chain(chain.iter().map(String::as_str))
        .filter(|c| *c != text)
        .collect();
    if !context.is_empty() {
        let _ = write!(text, " ({})", context.join(": "));
    }
    if let Some(url) = url {
        let _ = write!(text, " at {url}");
    }
    text
}

/// The error for a list that would need more than [`MAX_PAGES`] pages.
pub fn too_many_pages() -> PlatformError {
    PlatformError::Decode(format!(
        "the list did not end after {MAX_PAGES} pages; Portico stopped reading it"
    ))
}

fn too_large(cap: usize) -> PlatformError {
    PlatformError::Decode(format!(
        "the answer is larger than {} and was cut off (max_body_mib in the tenant's config)",
        size(cap)
    ))
}

fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

fn is_transient(status: StatusCode) -> bool {
    matches!(
        status,
        // A 500 is the server's own fault and asking again rarely helps.
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
    )
}

/// How long to wait before sending an idempotent call again after this
/// answer, or `None` when the answer stands.
fn retry_wait(status: StatusCode, headers: &HeaderMap, attempt: u32) -> Option<Duration> {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return match retry_after(headers) {
            None => Some(jitter(doubled(THROTTLE_BACKOFF, attempt).min(MAX_WAIT))),
            Some(wait) if wait <= MAX_WAIT => Some(wait),
            Some(_) => None,
        };
    }
    is_transient(status).then(|| backoff(attempt))
}

/// Exponential backoff with jitter, so many clients refused at once do not
/// come back at once.
fn backoff(attempt: u32) -> Duration {
    jitter(doubled(BASE_BACKOFF, attempt).min(MAX_BACKOFF))
}

fn doubled(base: Duration, attempt: u32) -> Duration {
    base.saturating_mul(1 << attempt.saturating_sub(1).min(8))
}

/// Somewhere between half of `wait` and all of it.
fn jitter(wait: Duration) -> Duration {
    let half = wait / 2;
    half + half.mul_f64(rand::random::<f64>())
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Decodes a success body, naming what was wrong with a broken one. The
/// body itself is never quoted: a success may carry a secret.
fn parse<T: DeserializeOwned>(status: StatusCode, bytes: &[u8]) -> Result<T, PlatformError> {
    serde_json::from_slice(bytes).map_err(|e| {
        PlatformError::Decode(format!(
            "HTTP {} body is not the expected JSON ({})",
            status.as_u16(),
            decode_problem(&e)
        ))
    })
}

/// Decodes a JSON body on a blocking thread; `describe` words the
/// problem, given what serde found wrong without the values it quotes.
pub async fn decode_off_thread<T: DeserializeOwned + Send + 'static>(
    bytes: Vec<u8>,
    describe: fn(String) -> String,
) -> Result<T, PlatformError> {
    tokio::task::spawn_blocking(move || {
        serde_json::from_slice(&bytes)
            .map_err(|e| PlatformError::Decode(describe(decode_problem(&e))))
    })
    .await
    .map_err(|_| PlatformError::Decode("decoding the answer failed".into()))?
}

/// What serde found wrong, without the values it would quote: an
/// "invalid type" message repeats the offending string, which may be a
/// secret. Field names come from the schema and are safe to show.
pub fn decode_problem(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let named = ["missing field", "unknown field", "duplicate field"]
        .iter()
        .any(|p| text.starts_with(p));
    let what = if named {
        text.split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string()
    } else {
        match err.classify() {
            serde_json::error::Category::Data => "a field has the wrong type or value".into(),
            serde_json::error::Category::Syntax => "not valid JSON".into(),
            serde_json::error::Category::Eof => "the body ends early".into(),
            serde_json::error::Category::Io => "the body could not be read".into(),
        }
    };
    if err.line() > 0 {
        format!("{what} at line {} column {}", err.line(), err.column())
    } else {
        what
    }
}

/// For an answer that should carry a secret but cannot be read at all:
/// the user must know a secret may have been issued and lost.
pub fn unreadable_secret(err: PlatformError) -> PlatformError {
    match err {
        PlatformError::Decode(message) => PlatformError::Decode(format!(
            "{message}; any secret it carried could not be read, so check the \
             resource on the platform"
        )),
        other => other,
    }
}

/// Names the one field of an answer that carries a secret.
pub trait SecretField {
    const NAME: &'static str;
}

/// A success answer that carries a secret. The secret is taken out while
/// decoding, whatever shape the rest has, so it can be stored before
/// anything else is checked; the rest decodes separately and fails
/// without quoting the body.
pub struct SecretBody<F> {
    secret: Option<Secret>,
    rest: Map<String, Value>,
    field: PhantomData<fn() -> F>,
}

impl<F: SecretField> SecretBody<F> {
    /// Takes the secret out; a second call returns `None`.
    pub const fn take_secret(&mut self) -> Option<Secret> {
        self.secret.take()
    }

    /// A plain text field of the answer, such as the new resource's id.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.rest.get(key).and_then(Value::as_str)
    }

    /// Decodes everything but the secret into `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, PlatformError> {
        serde_json::from_value(Value::Object(self.rest.clone())).map_err(|e| {
            PlatformError::Decode(format!("the answer is malformed ({})", decode_problem(&e)))
        })
    }
}

impl<'de, F: SecretField> Deserialize<'de> for SecretBody<F> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SecretBodyVisitor(PhantomData))
    }
}

struct SecretBodyVisitor<F>(PhantomData<fn() -> F>);

impl<'de, F: SecretField> Visitor<'de> for SecretBodyVisitor<F> {
    type Value = SecretBody<F>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut secret = None;
        let mut rest = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == F::NAME {
                // A secret of the wrong type is no secret; keep reading.
                secret = map.next_value::<Value>().map(|v| match v {
                    Value::String(text) => Some(Secret::new(text)),
                    _ => None,
                })?;
            } else {
                rest.insert(key, map.next_value()?);
            }
        }
        Ok(SecretBody {
            secret,
            rest,
            field: PhantomData,
        })
    }
}

/// A refusal whose body names the fields at fault; any other stays as it was.
fn with_fields(status: u16, message: String, body: &str, fields_of: FieldsOf) -> PlatformError {
    let fields = match serde_json::from_str::<Value>(body) {
        Ok(json) if (400..500).contains(&status) => fields_of(&json),
        _ => Vec::new(),
    };
    if fields.is_empty() {
        PlatformError::Api { status, message }
    } else {
        PlatformError::Rejected {
            status,
            message,
            fields,
        }
    }
}

/// Maps a failed answer to an error carrying the vendor's own message.
fn error_for(
    status: StatusCode,
    body: &str,
    retry: Option<Duration>,
    message_of: MessageOf,
) -> PlatformError {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return PlatformError::RateLimited { retry_after: retry };
    }
    let message = match serde_json::from_str::<Value>(body) {
        // A vendor's message is shown in a pane: one short line of it.
        Ok(json) => message_of(&json).map_or_else(|| excerpt(body), bounded_message),
        Err(_) if body.trim().is_empty() => {
            status.canonical_reason().unwrap_or("error").to_string()
        }
        Err(_) => format!("non-JSON body: {}", excerpt(body)),
    };
    match status {
        StatusCode::UNAUTHORIZED => PlatformError::Auth(message),
        StatusCode::NOT_FOUND => PlatformError::NotFound(message),
        _ => PlatformError::Api {
            status: status.as_u16(),
            message,
        },
    }
}

/// The vendor's own message, kept whole unless it is far longer than any
/// real one: a hostile server must not put megabytes into a pane.
fn bounded_message(mut message: String) -> String {
    const MAX: usize = 1000;
    if let Some((at, _)) = message.char_indices().nth(MAX) {
        message.truncate(at);
        message.push('…');
    }
    message
}

/// A short, single-line piece of a body for an error message.
fn excerpt(body: &str) -> String {
    let line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 160 {
        let cut: String = line.chars().take(160).collect();
        format!("{cut}…")
    } else {
        line
    }
}

/// Percent-encodes one path segment: ids come from the server, and a
/// hostile one must not reshape the path.
pub fn segment(raw: &str) -> Result<String, PlatformError> {
    // URL parsers resolve `.` and `..` even percent-encoded (`%2e%2e`), and an
    // empty segment names the collection, so no encoding keeps these in place.
    if matches!(raw, "" | "." | "..") {
        return Err(PlatformError::Invalid(format!(
            "{raw:?} is not a usable id in a URL path"
        )));
    }
    Ok(raw
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(segment("abc123"), Ok("abc123".to_string()));
        assert_eq!(segment("../x y"), Ok("..%2Fx%20y".to_string()));
        for dotted in ["", ".", ".."] {
            assert!(matches!(segment(dotted), Err(PlatformError::Invalid(_))));
        }
    }

    struct Token;
    impl SecretField for Token {
        const NAME: &'static str = "secret";
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct App {
        id: String,
        name: String,
    }

    #[test]
    fn a_secret_survives_a_malformed_answer_and_is_never_quoted() {
        let body = br#"{"id": "app1", "name": null, "secret": "sUp3rS3cretValue"}"#;
        let mut parsed: SecretBody<Token> = parse(StatusCode::OK, body).expect("an object");
        assert_eq!(parsed.text("id"), Some("app1"));
        let err = parsed
            .decode::<App>()
            .expect_err("name is null")
            .to_string();
        assert!(!err.contains("sUp3rS3cretValue"), "{err}");
        assert_eq!(
            parsed.take_secret().map(|s| s.expose().to_string()),
            Some("sUp3rS3cretValue".into())
        );
    }

    #[test]
    fn decode_errors_quote_no_value_of_a_success_body() {
        // serde would say `invalid type: string "sUp3rS3cret", expected u32`.
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Wrong {
            secret: u32,
        }
        let body = br#"{"secret": "sUp3rS3cret"}"#;
        let err = parse::<Wrong>(StatusCode::OK, body).expect_err("wrong type");
        let text = err.to_string();
        assert!(!text.contains("sUp3rS3cret"), "{text}");
        assert!(text.contains("wrong type"), "{text}");
        let err = parse::<Wrong>(StatusCode::OK, b"not json sUp3rS3cret").expect_err("syntax");
        assert!(!err.to_string().contains("sUp3rS3cret"), "{err}");
        let err = parse::<App>(StatusCode::OK, br#"{"id": "x"}"#).expect_err("missing");
        assert!(err.to_string().contains("missing field `name`"), "{err}");
    }

    #[test]
    fn backoff_is_jittered_doubling_and_bounded() {
        for attempt in 1..6 {
            let full = doubled(BASE_BACKOFF, attempt).min(MAX_BACKOFF);
            for _ in 0..50 {
                let wait = backoff(attempt);
                assert!(wait >= full / 2 && wait <= full, "{attempt}: {wait:?}");
            }
        }
        assert_eq!(doubled(BASE_BACKOFF, 1), BASE_BACKOFF);
        assert_eq!(doubled(BASE_BACKOFF, 40).min(MAX_BACKOFF), MAX_BACKOFF);
    }

    #[test]
    fn a_429_waits_as_asked_or_a_bounded_while() {
        let mut headers = HeaderMap::new();
        let bare = retry_wait(StatusCode::TOO_MANY_REQUESTS, &headers, 1).expect("retried");
        assert!(
            bare >= THROTTLE_BACKOFF / 2 && bare <= THROTTLE_BACKOFF,
            "{bare:?}"
        );
        let later = retry_wait(StatusCode::TOO_MANY_REQUESTS, &headers, 9).expect("retried");
        assert!(later <= MAX_WAIT, "{later:?}");
        headers.insert(RETRY_AFTER, "2".parse().expect("header"));
        assert_eq!(
            retry_wait(StatusCode::TOO_MANY_REQUESTS, &headers, 1),
            Some(Duration::from_secs(2))
        );
        headers.insert(RETRY_AFTER, "600".parse().expect("header"));
        assert_eq!(retry_wait(StatusCode::TOO_MANY_REQUESTS, &headers, 1), None);
        assert!(retry_wait(StatusCode::SERVICE_UNAVAILABLE, &headers, 1).is_some());
        assert_eq!(retry_wait(StatusCode::BAD_REQUEST, &headers, 1), None);
        assert_eq!(retry_wait(StatusCode::CONFLICT, &headers, 1), None);
    }

    #[test]
    fn excerpt_is_one_short_line() {
        let long = "a\nb ".repeat(200);
        let cut = excerpt(&long);
        assert!(!cut.contains('\n'));
        assert!(cut.chars().count() <= 161);
    }

    #[tokio::test]
    async fn an_unreachable_server_names_the_cause_first_and_the_url_last() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_or(9, |a| a.port());
        let http = Http::new(
            &format!("http://127.0.0.1:{port}"),
            Duration::from_secs(5),
            |_| None,
        )
        .expect("client");
        let url = format!("http://127.0.0.1:{port}/api/things?token=s3cret");
        let err = http
            .client()
            .get(&url)
            .send()
            .await
            .expect_err("nothing listens there");
        let text = cause_first(&err);
        assert!(
            text.to_lowercase().starts_with("connection refused"),
            "{text}"
        );
        assert!(
            text.ends_with(&format!(" at http://127.0.0.1:{port}/api/things")),
            "{text}"
        );
        assert!(!text.contains("s3cret"), "{text}");
        assert_eq!(text.matches("127.0.0.1").count(), 1, "{text}");
    }
}
