//! The HTTP client every adapter shares: timeouts, retries of idempotent
//! calls, 429 handling and error bodies turned into [`PlatformError`]s.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::PlatformError;

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

/// Decodes a success body, naming what was wrong with a broken one.
fn parse<T: DeserializeOwned>(status: StatusCode, bytes: &[u8]) -> Result<T, PlatformError> {
    serde_json::from_slice(bytes).map_err(|e| {
        PlatformError::Decode(format!(
            "HTTP {} body is not the expected JSON ({e}): {}",
            status.as_u16(),
            excerpt(&String::from_utf8_lossy(bytes))
        ))
    })
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
