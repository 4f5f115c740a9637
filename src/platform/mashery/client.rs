//! Talking to Mashery V3: the token grant (HTTP Basic with the V3 API key
//! and secret, password or refresh grant), bearer calls under `/v3/rest`
//! paced to the key's QPS, the gateway's throttling codes, and lists read
//! page by page (`offset` is a page index) from `X-Total-Count`.

use std::sync::Mutex as SyncMutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, HeaderMap};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::wire::{OAuthError, RestError, TokenGrant, ValidationError};
use crate::model::Secret;
use crate::platform::http::{Http, Retry, decode_off_thread, decode_problem};
use crate::platform::pages::{self, Identified};
use crate::platform::session::{Renew, Token, TokenSession};
use crate::platform::{PlatformError, Progress};

const TOKEN: &str = "/v3/token";
const REST: &str = "/v3/rest";
const ERROR_CODE: &str = "X-Mashery-Error-Code";
const OVER_QPS: &str = "ERR_403_DEVELOPER_OVER_QPS";
const OVER_RATE: &str = "ERR_403_DEVELOPER_OVER_RATE";
/// The QPS a Mashery V3 API key gets unless the tenant says otherwise.
pub const DEFAULT_QPS: u32 = 2;
/// Mashery's own default page size.
pub const PAGE_SIZE: usize = 100;
const MAX_PAGE_SIZE: usize = 1000;
/// Pages requested at once; the pacer still spaces them to the QPS.
const CONCURRENT_PAGES: usize = 4;
/// Over-QPS refusals waited out before giving up on one call.
const QPS_PATIENCE: u32 = 20;
const TRANSIENT_ATTEMPTS: u32 = 3;

/// What a Mashery tenant logs in with. The username is not secret but is
/// kept with the rest so the grant is built in one place.
pub struct Credentials {
    api_key: Secret,
    api_secret: Secret,
    username: String,
    password: Secret,
    area_id: String,
}

impl Credentials {
    pub const fn new(
        api_key: Secret,
        api_secret: Secret,
        username: String,
        password: Secret,
        area_id: String,
    ) -> Self {
        Self {
            api_key,
            api_secret,
            username,
            password,
            area_id,
        }
    }
}

/// Spaces calls so they never leave faster than the QPS, with a tenth
/// of slack for the jitter between leaving here and reaching the gateway.
struct Pacer {
    interval: Duration,
    next: SyncMutex<Instant>,
}

impl Pacer {
    fn new(qps: u32) -> Self {
        let qps = qps.max(1);
        Self {
            interval: Duration::from_secs(1) * 11 / (10 * qps),
            next: SyncMutex::new(Instant::now()),
        }
    }

    async fn wait(&self) {
        let at = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let at = (*next).max(Instant::now());
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }
}

pub struct Client {
    http: Http,
    creds: Credentials,
    session: TokenSession,
    pacer: Pacer,
    page_size: usize,
    timeout: Duration,
}

/// The human part of a REST error body.
fn message_of(body: &Value) -> Option<String> {
    if let Ok(v) = serde_json::from_value::<ValidationError>(body.clone()) {
        let parts: Vec<String> = v
            .errors
            .iter()
            .map(|p| {
                format!(
                    "{}: {}",
                    p.property.as_deref().unwrap_or("body"),
                    p.message.as_deref().unwrap_or("refused")
                )
            })
            .collect();
        return Some(parts.join("; "));
    }
    serde_json::from_value::<RestError>(body.clone())
        .ok()
        .and_then(|e| e.error_message)
}

fn quota_exhausted() -> PlatformError {
    PlatformError::Api {
        status: 403,
        message: format!(
            "the daily call quota of this Mashery V3 API key is used up ({OVER_RATE}); \
             calls work again when the quota period resets"
        ),
    }
}

fn error_for(status: StatusCode, code: Option<&str>, bytes: &[u8]) -> PlatformError {
    let json = serde_json::from_slice::<Value>(bytes).ok();
    let message = json
        .as_ref()
        .and_then(message_of)
        .or_else(|| code.map(str::to_string))
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_string());
    let validation = json
        .as_ref()
        .is_some_and(|j| j.get("errors").is_some_and(Value::is_array));
    match status {
        StatusCode::UNAUTHORIZED => {
            PlatformError::Auth(format!("Mashery refused the access token ({message})"))
        }
        StatusCode::NOT_FOUND => PlatformError::NotFound(message),
        StatusCode::BAD_REQUEST if validation => {
            PlatformError::Invalid(format!("Mashery refused it: {message}"))
        }
        _ => PlatformError::Api {
            status: status.as_u16(),
            message,
        },
    }
}

fn is_transient(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
    )
}

impl Client {
    pub fn new(
        base_url: &str,
        limits: impl Into<crate::platform::http::Limits>,
        creds: Credentials,
        qps: u32,
    ) -> Result<Self, PlatformError> {
        let limits = limits.into();
        let timeout = limits.timeout();
        // The REST layer's messages are read here, not by the shared client.
        Ok(Self {
            http: Http::new(base_url, limits, message_of)?,
            creds,
            session: TokenSession::new(),
            pacer: Pacer::new(qps),
            page_size: PAGE_SIZE,
            timeout,
        })
    }

    pub fn set_page_size(&mut self, size: usize) {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
    }

    pub const fn page_size(&self) -> usize {
        self.page_size
    }

    fn transport(&self, err: &reqwest::Error) -> PlatformError {
        if err.is_timeout() {
            PlatformError::Timeout(self.timeout)
        } else {
            // The URL in reqwest's message carries no credential: those
            // travel in headers and bodies only.
            PlatformError::Network(err.to_string())
        }
    }

    async fn grant(&self, form: &[(&str, &str)]) -> Result<Token, PlatformError> {
        let req = self
            .http
            .client()
            .post(self.http.url(TOKEN))
            .basic_auth(
                self.creds.api_key.expose(),
                Some(self.creds.api_secret.expose()),
            )
            .header(ACCEPT, "application/json")
            .form(form);
        let started = Instant::now();
        let resp = req.send().await.map_err(|e| self.transport(&e))?;
        let status = resp.status();
        let bytes = self.http.body(resp, self.http.max_body()).await?;
        if !status.is_success() {
            let error = serde_json::from_slice::<OAuthError>(&bytes)
                .map_or_else(|_| status.as_str().to_string(), |e| e.error);
            let user = &self.creds.username;
            return Err(PlatformError::Auth(match error.as_str() {
                "invalid_client" => {
                    "Mashery refused the API key or its secret (invalid_client)".into()
                }
                "invalid_grant" => format!("Mashery refused the login of {user} (invalid_grant)"),
                "invalid_scope" => {
                    format!("area_id is not an area {user} may manage (invalid_scope)")
                }
                other => format!("Mashery refused the token request ({other})"),
            }));
        }
        let grant: TokenGrant = serde_json::from_slice(&bytes)
            .map_err(|e| PlatformError::Decode(format!("token answer: {}", decode_problem(&e))))?;
        Ok(Token::expiring(
            Secret::new(grant.access_token),
            grant.refresh_token.map(Secret::new),
            Duration::from_secs(grant.expires_in.unwrap_or(3600)),
            started,
        ))
    }

    async fn password_grant(&self) -> Result<Token, PlatformError> {
        let c = &self.creds;
        self.grant(&[
            ("grant_type", "password"),
            ("username", c.username.as_str()),
            ("password", c.password.expose()),
            ("scope", c.area_id.as_str()),
        ])
        .await
    }

    /// A new token: the refresh grant when there is one, the password
    /// grant when there is not or it is refused.
    async fn fresh(&self, old: Option<&Token>) -> Result<Token, PlatformError> {
        if let Some(refresh) = old.and_then(Token::refresh) {
            let form = [
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.expose()),
            ];
            if let Ok(token) = self.grant(&form).await {
                return Ok(token);
            }
        }
        self.password_grant().await
    }

    /// One call, paced; over-QPS refusals of idempotent calls are waited
    /// out, as are 502/503/504 and lost connections.
    async fn once(
        &self,
        method: &Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        retry: Retry,
        token: &Secret,
    ) -> Result<(HeaderMap, Vec<u8>), PlatformError> {
        let (mut qps_waits, mut attempt) = (0, 1);
        loop {
            self.pacer.wait().await;
            let mut req = self
                .http
                .client()
                .request(method.clone(), self.http.url(&format!("{REST}{path}")))
                .bearer_auth(token.expose())
                .header(ACCEPT, "application/json");
            if !query.is_empty() {
                req = req.query(query);
            }
            if let Some(body) = body {
                req = req.json(body);
            }
            let resp = match req.send().await {
                Ok(resp) => resp,
                Err(e)
                    if e.is_connect()
                        && retry == Retry::Idempotent
                        && attempt < TRANSIENT_ATTEMPTS =>
                {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(200) * attempt).await;
                    continue;
                }
                Err(e) => return Err(self.transport(&e)),
            };
            let status = resp.status();
            let headers = resp.headers().clone();
            let code = headers
                .get(ERROR_CODE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if status == StatusCode::FORBIDDEN && code.as_deref() == Some(OVER_QPS) {
                // The gateway refused before the API saw it; only calls
                // that may be repeated are sent again, all others report it.
                if retry == Retry::Idempotent && qps_waits < QPS_PATIENCE {
                    qps_waits += 1;
                    tokio::time::sleep(self.pacer.interval).await;
                    continue;
                }
                return Err(PlatformError::RateLimited {
                    retry_after: Some(Duration::from_secs(1)),
                });
            }
            if status == StatusCode::FORBIDDEN && code.as_deref() == Some(OVER_RATE) {
                return Err(quota_exhausted());
            }
            if is_transient(status) && retry == Retry::Idempotent && attempt < TRANSIENT_ATTEMPTS {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(200) * attempt).await;
                continue;
            }
            let bytes = self.http.body(resp, self.http.max_body()).await?;
            if status.is_success() {
                return Ok((headers, bytes));
            }
            return Err(error_for(status, code.as_deref(), &bytes));
        }
    }

    /// A call with the session's token. A refused token is renewed once
    /// and the call made again whatever its method: the gateway checks
    /// the token before the API reads the request.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<(HeaderMap, Vec<u8>), PlatformError> {
        let refused = |err: &PlatformError| matches!(err, PlatformError::Auth(_));
        let method = &method;
        self.session
            .authed(self, refused, |token| async move {
                self.once(method, path, query, body, retry, &token).await
            })
            .await
    }

    pub async fn json<T: DeserializeOwned + Send + 'static>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<T, PlatformError> {
        let (_, bytes) = self.call(method, path, query, body, retry).await?;
        decode_off_thread(bytes, |e| {
            format!("the answer is not the expected JSON ({e})")
        })
        .await
    }

    async fn page<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        query: &[(&str, String)],
        page: usize,
        limit: usize,
    ) -> Result<(Option<usize>, Vec<T>), PlatformError> {
        let mut q = query.to_vec();
        q.push(("limit", limit.to_string()));
        q.push(("offset", page.to_string()));
        let (headers, bytes) = self
            .call(Method::GET, path, &q, None, Retry::Idempotent)
            .await?;
        let total = headers
            .get("X-Total-Count")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let items = decode_off_thread(bytes, |e| {
            format!("a list page is not the expected JSON ({e})")
        })
        .await?;
        Ok((total, items))
    }

    /// Every item: page 0 says the total, the other pages then load
    /// concurrently (the pacer keeps them under the QPS). `query` should
    /// sort, so that pages agree on one order.
    pub async fn list_all<T: DeserializeOwned + Identified + Send + 'static>(
        &self,
        path: &str,
        query: &[(&str, String)],
        progress: &Progress,
    ) -> Result<Vec<T>, PlatformError> {
        let limit = self.page_size;
        let (total, first): (_, Vec<T>) = self.page(path, query, 0, limit).await?;
        let total = total.unwrap_or(first.len());
        progress(first.len(), Some(total));
        let pages = total.div_ceil(limit).max(1);
        let loaded = AtomicUsize::new(first.len());
        pages::rest(first, pages, CONCURRENT_PAGES, |n| {
            let loaded = &loaded;
            async move {
                let (_, items): (_, Vec<T>) = self.page(path, query, n, limit).await?;
                let now = loaded.fetch_add(items.len(), Ordering::SeqCst) + items.len();
                progress(now, Some(total));
                Ok(items)
            }
        })
        .await
    }
}

/// The first token is a password grant; a lapsing or refused one is
/// replaced by the refresh grant when it can be.
impl Renew for Client {
    async fn login(&self) -> Result<Token, PlatformError> {
        self.password_grant().await
    }

    async fn renew(
        &self,
        stale: &Token,
        _refusal: Option<&PlatformError>,
    ) -> Result<Token, PlatformError> {
        self.fresh(Some(stale)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validation_bodies_name_each_property() {
        let body = json!({"errors": [{"property": "name", "message": "may not be blank"}, {"property": "ads", "message": "must be a boolean"}]});
        assert_eq!(
            message_of(&body).as_deref(),
            Some("name: may not be blank; ads: must be a boolean")
        );
        assert_eq!(
            message_of(&json!({"errorCode": 404, "errorMessage": "Not Found"})).as_deref(),
            Some("Not Found")
        );
        let err = error_for(StatusCode::BAD_REQUEST, None, body.to_string().as_bytes());
        assert!(matches!(err, PlatformError::Invalid(m) if m.contains("name: may not be blank")));
    }

    #[test]
    fn the_pacer_spaces_calls_a_little_wider_than_the_qps() {
        assert_eq!(Pacer::new(2).interval, Duration::from_millis(550));
        assert_eq!(Pacer::new(0).interval, Duration::from_millis(1100));
    }
}
