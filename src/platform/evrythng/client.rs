//! Talking to the EVRYTHNG API: the operator key, bare in `Authorization`
//! as the official SDK sends it, and lists that follow the `Link` header
//! page by page.

use reqwest::header::{ACCEPT, HeaderMap};
use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::model::Secret;
use crate::platform::http::{Http, Retry};
use crate::platform::{PlatformError, Progress};

/// The largest page the API serves.
pub const PER_PAGE: usize = 100;
/// A list longer than this is refused rather than paged forever.
const MAX_PAGES: usize = 10_000;

/// The `ErrorResponseDocument`: `{status, errors: [reason], code, moreInfo}`.
pub fn message_of(body: &Value) -> Option<String> {
    let reasons: Vec<&str> = body
        .get("errors")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

pub struct Client {
    http: Http,
    key: Secret,
    per_page: usize,
}

impl Client {
    pub fn new(
        base_url: &str,
        limits: impl Into<crate::platform::http::Limits>,
        key: Secret,
    ) -> Result<Self, PlatformError> {
        Ok(Self {
            http: Http::new(base_url, limits, message_of)?,
            key,
            per_page: PER_PAGE,
        })
    }

    pub fn set_page_size(&mut self, per_page: usize) {
        self.per_page = per_page.clamp(1, PER_PAGE);
    }

    pub const fn page_size(&self) -> usize {
        self.per_page
    }

    fn authed(&self, req: RequestBuilder) -> RequestBuilder {
        req.header("Authorization", self.key.expose())
            .header(ACCEPT, "application/json")
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.authed(self.http.client().request(method, self.http.url(path)))
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<Response, PlatformError> {
        let mut req = self.request(method, path);
        if let Some(body) = body {
            req = req.json(body);
        }
        self.http.send(req, retry).await
    }

    pub async fn json<T: DeserializeOwned + Send + 'static>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<T, PlatformError> {
        let mut req = self.request(method, path);
        if let Some(body) = body {
            req = req.json(body);
        }
        self.http.json(req, retry).await
    }

    /// Every item of a list: the first page, then each `rel="next"` link
    /// in turn (they are opaque, so pages cannot be fetched at once).
    /// `query` is sent on the first page; the links carry it on.
    pub async fn list_all<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        query: &[(&str, String)],
        progress: &Progress,
    ) -> Result<Vec<T>, PlatformError> {
        let mut query: Vec<(&str, String)> = query.to_vec();
        query.push(("perPage", self.per_page.to_string()));
        let mut req = self.request(Method::GET, path).query(&query);
        let mut items: Vec<T> = Vec::new();
        for _ in 0..MAX_PAGES {
            let resp = self.http.send(req, Retry::Idempotent).await?;
            let headers = resp.headers().clone();
            let bytes = self.http.body(resp, self.http.max_body()).await?;
            let page: Vec<T> = super::super::http::decode_off_thread(bytes, |e| {
                format!("a list page is not the expected JSON array ({e})")
            })
            .await?;
            items.extend(page);
            let total = headers
                .get("X-Result-Count")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok());
            progress(items.len(), total);
            match next_link(&headers) {
                Some(url) => {
                    self.check_origin(&url)?;
                    req = self.authed(self.http.client().get(url));
                }
                None => return Ok(items),
            }
        }
        Err(PlatformError::Decode(format!(
            "the list did not end after {MAX_PAGES} pages"
        )))
    }

    /// The key goes only where the tenant points: a link to another host
    /// is refused instead of followed.
    fn check_origin(&self, url: &str) -> Result<(), PlatformError> {
        let base = self.http.url("");
        let origin = |u: &str| -> Option<String> {
            let (scheme, rest) = u.split_once("://")?;
            let host = rest.split(['/', '?', '#']).next()?;
            Some(format!(
                "{}://{}",
                scheme.to_ascii_lowercase(),
                host.to_ascii_lowercase()
            ))
        };
        match (origin(&base), origin(url)) {
            (Some(a), Some(b)) if a == b => Ok(()),
            _ => Err(PlatformError::Decode(format!(
                "the next-page link points away from {base}: {url}"
            ))),
        }
    }
}

/// The `rel="next"` URL of a `Link` header, decoded: the API encodes the
/// whole URL, as evrythng.js expects.
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("Link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|part| {
            let (target, params) = part.split_once(';')?;
            let is_next = params
                .split(';')
                .any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"));
            let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
            is_next.then(|| percent_decode(target))
        })
}

fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn the_next_link_is_decoded_whole() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "Link",
            HeaderValue::from_static(
                "<http%3A%2F%2Fh%3A1%2Fprojects%3Ffilter%3Dtags%253Da%26page%3D2>; rel=\"next\"",
            ),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("http://h:1/projects?filter=tags%3Da&page=2")
        );
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn error_bodies_read_as_their_reasons() {
        let body = serde_json::json!({"status": 404, "errors": ["The requested resource was not found."], "code": "1", "moreInfo": "x"});
        assert_eq!(
            message_of(&body).as_deref(),
            Some("The requested resource was not found.")
        );
        assert_eq!(message_of(&serde_json::json!({"message": "m"})), None);
    }
}
