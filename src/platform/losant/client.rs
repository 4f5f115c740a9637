//! Talking to the Losant API: bearer tokens (a configured one, or one got
//! by logging in and renewed once when it is refused, through the shared
//! token session) and lists that span
//! several pages, fetched concurrently.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::header::ACCEPT;
use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::wire::{AuthedDevice, AuthedUser, Page};
use crate::model::Secret;
use crate::platform::http::{Http, Retry};
use crate::platform::pages::{self, Identified};
use crate::platform::session::{Renew, Token, TokenSession};
use crate::platform::{FieldError, PlatformError, Progress};

/// The API version Losant's own clients pin.
const ACCEPT_VERSION: &str = "^1.30.0";
const LOGIN: &str = "/auth/user";
/// Losant's default page size, which every list route accepts.
pub const PER_PAGE: usize = 100;
/// The largest page size the route table allows.
const MAX_PER_PAGE: usize = 1000;
/// Pages in flight at once: enough to hide latency on a big list without
/// hammering the API.
const CONCURRENT_PAGES: usize = 6;

/// How the tenant proves who it is.
pub enum Auth {
    /// A long-lived API token, used as is.
    Token(Secret),
    /// A user login; the token it yields is held in memory only.
    Login { email: String, password: Secret },
}

pub struct Client {
    http: Http,
    auth: Auth,
    session: TokenSession,
    per_page: usize,
}

/// The Losant error body: `{type, message}`.
pub fn message_of(body: &Value) -> Option<String> {
    let kind = body.get("type").and_then(Value::as_str);
    let message = body.get("message").and_then(Value::as_str);
    match (kind, message) {
        // "Unauthorized: Unauthorized" says nothing twice.
        (Some(kind), Some(message)) if !message.starts_with(kind) => {
            Some(format!("{kind}: {message}"))
        }
        (_, Some(message)) => Some(message.to_string()),
        (Some(kind), None) => Some(kind.to_string()),
        (None, None) => None,
    }
}

/// The `validationErrors` of a Losant refusal, each keyed by the top
/// property it names ("pubTopics.0" is about `pubTopics`), which is also
/// the key of the form field that set it.
pub fn fields_of(body: &Value) -> Vec<FieldError> {
    // A hostile server must not fill a form with thousands of lines.
    const MAX_ERRORS: usize = 20;
    const MAX_CHARS: usize = 300;
    let Some(list) = body.get("validationErrors").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|entry| {
            let name = entry.get("name").and_then(Value::as_str)?;
            let field = name.split('.').next().filter(|f| !f.is_empty())?;
            let message = entry
                .get("message")
                .and_then(Value::as_str)
                .or_else(|| entry.get("type").and_then(Value::as_str))
                .unwrap_or("is not valid");
            let mut text: String = message.chars().take(MAX_CHARS).collect();
            if message.chars().nth(MAX_CHARS).is_some() {
                text.push('…');
            }
            Some(FieldError::new(field, text))
        })
        .take(MAX_ERRORS)
        .collect()
}

impl Client {
    pub fn new(
        base_url: &str,
        limits: impl Into<crate::platform::http::Limits>,
        auth: Auth,
    ) -> Result<Self, PlatformError> {
        Ok(Self {
            http: Http::new(base_url, limits, message_of)?.with_fields(fields_of),
            auth,
            session: TokenSession::new(),
            per_page: PER_PAGE,
        })
    }

    pub fn set_page_size(&mut self, per_page: usize) {
        self.per_page = per_page.clamp(1, MAX_PER_PAGE);
    }

    pub const fn page_size(&self) -> usize {
        self.per_page
    }

    async fn log_in(&self, email: &str, password: &Secret) -> Result<Secret, PlatformError> {
        let req = self
            .http
            .client()
            .post(self.http.url(LOGIN))
            .header(ACCEPT, "application/json")
            .header("Accept-Version", ACCEPT_VERSION)
            .json(&json!({ "email": email, "password": password.expose() }));
        // A repeated login only mints a second token: safe to retry.
        let user: AuthedUser = match self.http.json(req, Retry::Idempotent).await {
            Ok(user) => user,
            Err(PlatformError::Auth(message)) => {
                return Err(PlatformError::Auth(format!(
                    "Losant refused the login of {email} ({message})"
                )));
            }
            Err(err) => return Err(err),
        };
        Ok(Secret::new(user.token))
    }

    fn build(
        &self,
        method: &Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        token: &Secret,
    ) -> RequestBuilder {
        let mut req = self
            .http
            .client()
            .request(method.clone(), self.http.url(path))
            .bearer_auth(token.expose())
            .header(ACCEPT, "application/json")
            .header("Accept-Version", ACCEPT_VERSION);
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        req
    }

    /// Runs `call` with the current token. A refused login token is
    /// renewed once and the call made again, whatever its method: Losant
    /// checks the token before it reads the request, so a 401 proves
    /// nothing was done.
    async fn authed<T, F, R>(&self, call: F) -> Result<T, PlatformError>
    where
        F: Fn(Secret) -> R,
        R: Future<Output = Result<T, PlatformError>>,
    {
        let refused = |err: &PlatformError| matches!(err, PlatformError::Auth(_));
        self.session.authed(self, refused, call).await
    }

    /// Sends one call whose answer body does not matter.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<Response, PlatformError> {
        self.authed(|token| {
            let req = self.build(&method, path, &[], body, &token);
            self.http.send(req, retry)
        })
        .await
    }

    /// Sends one call and decodes its JSON answer.
    pub async fn json<T: DeserializeOwned + Send + 'static>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<T, PlatformError> {
        self.authed(|token| {
            let req = self.build(&method, path, query, body, &token);
            self.http.json(req, retry)
        })
        .await
    }

    /// `POST /auth/device`: a device login with an access key. No bearer
    /// token: the key and secret are the credentials. Never retried, so a
    /// refused secret is reported once.
    pub async fn authenticate_device(&self, body: &Value) -> Result<AuthedDevice, PlatformError> {
        let req = self
            .http
            .client()
            .post(self.http.url("/auth/device"))
            .header(ACCEPT, "application/json")
            .header("Accept-Version", ACCEPT_VERSION)
            .json(body);
        self.http.json(req, Retry::Never).await
    }

    /// The scopes of a configured API token, as its JWT says them; `None`
    /// for a user login (`all.User`) or a token that does not say.
    pub fn token_scopes(&self) -> Option<Vec<String>> {
        match &self.auth {
            Auth::Token(token) => super::scopes::of_token(token.expose()),
            Auth::Login { .. } => None,
        }
    }

    async fn page<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        sort: (&str, &str),
        page: usize,
        per_page: usize,
    ) -> Result<Page<T>, PlatformError> {
        let query = [
            ("sortField", sort.0.to_string()),
            ("sortDirection", sort.1.to_string()),
            ("page", page.to_string()),
            ("perPage", per_page.to_string()),
        ];
        self.json(Method::GET, path, &query, None, Retry::Idempotent)
            .await
    }

    /// Every item of a collection: page 0 first, which tells how many
    /// there are, then the remaining pages concurrently. `sort` is
    /// (field, direction), passed explicitly so pages agree on one order.
    pub async fn list_all<T: DeserializeOwned + Identified + Send + 'static>(
        &self,
        path: &str,
        sort: (&str, &str),
        tally: &Tally,
    ) -> Result<Vec<T>, PlatformError> {
        let first: Page<T> = self.page(path, sort, 0, self.per_page).await?;
        let total = first.total_count;
        // The server may cap the page size: count pages in what it used.
        let per_page = first
            .per_page
            .filter(|n| *n > 0)
            .unwrap_or(self.per_page)
            .min(self.per_page);
        tally.first_page(first.items.len(), total);
        let pages = total.div_ceil(per_page).max(1);
        pages::rest(first.items, pages, CONCURRENT_PAGES, |n| async move {
            let page: Page<T> = self.page(path, sort, n, per_page).await?;
            tally.more(page.items.len());
            Ok(page.items)
        })
        .await
    }
}

/// A configured API token is used as is and cannot be renewed; a login
/// is simply made again.
impl Renew for Client {
    async fn login(&self) -> Result<Token, PlatformError> {
        match &self.auth {
            Auth::Token(token) => Ok(Token::new(token.clone(), None)),
            Auth::Login { email, password } => {
                Ok(Token::new(self.log_in(email, password).await?, None))
            }
        }
    }

    async fn renew(
        &self,
        _stale: &Token,
        refusal: Option<&PlatformError>,
    ) -> Result<Token, PlatformError> {
        match (&self.auth, refusal) {
            (Auth::Token(_), Some(PlatformError::Auth(message))) => Err(PlatformError::Auth(
                format!("Losant rejected the API token ({message})"),
            )),
            (Auth::Token(_), Some(other)) => Err(other.clone()),
            _ => self.login().await,
        }
    }
}

/// Progress across one or more lists loaded together. The total is
/// reported once the first page of every list has said its own.
pub struct Tally {
    progress: Progress,
    loaded: AtomicUsize,
    total: AtomicUsize,
    unknown: AtomicUsize,
}

impl Tally {
    pub fn new(progress: Progress, lists: usize) -> Self {
        Self {
            progress,
            loaded: AtomicUsize::new(0),
            total: AtomicUsize::new(0),
            unknown: AtomicUsize::new(lists),
        }
    }

    fn first_page(&self, items: usize, total: usize) {
        self.total.fetch_add(total, Ordering::SeqCst);
        let unknown = self
            .unknown
            .fetch_sub(1, Ordering::SeqCst)
            .saturating_sub(1);
        // An empty list says nothing new unless it completes the total.
        if items > 0 || unknown == 0 {
            self.more(items);
        }
    }

    fn more(&self, items: usize) {
        let loaded = self.loaded.fetch_add(items, Ordering::SeqCst) + items;
        let total =
            (self.unknown.load(Ordering::SeqCst) == 0).then(|| self.total.load(Ordering::SeqCst));
        (self.progress)(loaded, total);
    }
}
