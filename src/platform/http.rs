//! The HTTP client every adapter shares: timeouts, retries of idempotent
//! calls, 429 handling and error bodies turned into [`PlatformError`]s.

use std::marker::PhantomData;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::PlatformError;
use crate::model::Secret;

/// Whether a request may be sent again when its answer is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    Idempotent,
    Never,
}

const ATTEMPTS: u32 = 3;
/// A longer Retry-After is reported to the user instead of freezing a pane.
const MAX_WAIT: Duration = Duration::from_secs(5);

/// Pulls the human message out of a vendor error body.
pub type MessageOf = fn(&Value) -> Option<String>;

#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    base: String,
    timeout: Duration,
    message_of: MessageOf,
}

impl Http {
    pub fn new(
        base_url: &str,
        timeout: Duration,
        message_of: MessageOf,
    ) -> Result<Self, PlatformError> {
        // reqwest is built without a default crypto provider; ring builds
        // twice as fast as aws-lc. A second install is a harmless no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("portico/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| PlatformError::Network(e.to_string()))?;
        Ok(Http {
            client,
            base: base_url.trim_end_matches('/').to_string(),
            timeout,
            message_of,
        })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends `req`, retrying only when `retry` allows it, and turns any
    /// non-success answer into an error.
    pub async fn send(&self, req: RequestBuilder, retry: Retry) -> Result<Response, PlatformError> {
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
                Ok(resp) if resp.status() == StatusCode::TOO_MANY_REQUESTS => {
                    match retry_after(resp.headers()) {
                        None => backoff(attempt),
                        Some(wait) if wait <= MAX_WAIT => wait,
                        Some(_) => return self.finish(result).await,
                    }
                }
                Ok(resp) if is_transient(resp.status()) => backoff(attempt),
                Err(err) if err.is_connect() => backoff(attempt),
                _ => return self.finish(result).await,
            };
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Sends and decodes a JSON body.
    pub async fn json<T: DeserializeOwned>(
        &self,
        req: RequestBuilder,
        retry: Retry,
    ) -> Result<T, PlatformError> {
        let resp = self.send(req, retry).await?;
        let status = resp.status();
        // The client's timeout also covers the body, so a server that stalls
        // after its headers must read as a timeout, not a network fault.
        let bytes = resp.bytes().await.map_err(|e| {
            if e.is_timeout() {
                PlatformError::Timeout(self.timeout)
            } else {
                PlatformError::Network(e.to_string())
            }
        })?;
        parse(status, &bytes)
    }

    async fn finish(&self, result: reqwest::Result<Response>) -> Result<Response, PlatformError> {
        let resp = result.map_err(|e| self.transport(e))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let retry = retry_after(resp.headers());
        let body = resp.text().await.unwrap_or_default();
        Err(error_for(status, &body, retry, self.message_of))
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
        text.push_str(&format!(" ({})", context.join(": ")));
    }
    if let Some(url) = url {
        text.push_str(&format!(" at {url}"));
    }
    text
}

fn is_transient(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
    )
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(200 * u64::from(attempt))
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
    pub fn take_secret(&mut self) -> Option<Secret> {
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
        Ok(json) => message_of(&json).unwrap_or_else(|| excerpt(body)),
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
            .map(|a| a.port())
            .unwrap_or(9);
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
