//! Zou's JWT session: log in with email and password (or take a bot token
//! as given), send every call with `Authorization: Bearer`, and when Zou
//! says the access token expired, refresh it once, or log in again.
//!
//! Tokens live in memory only and travel in headers only; nothing here
//! logs them.

use reqwest::{Method, RequestBuilder, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::model::Secret;
use crate::platform::PlatformError;
use crate::platform::http::{Http, Retry};

pub enum Credentials {
    Login {
        email: String,
        password: Secret,
    },
    /// A bot's token: it cannot be refreshed, only reissued in Kitsu.
    Bot(Secret),
}

#[derive(Default)]
struct Tokens {
    access: Option<Secret>,
    refresh: Option<Secret>,
}

#[derive(Deserialize)]
struct LoginAnswer {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    two_factor_authentication_required: bool,
}

#[derive(Deserialize)]
struct RefreshAnswer {
    access_token: String,
}

pub struct Session {
    http: Http,
    credentials: Credentials,
    // One lock for login and refresh, so concurrent lists that all meet an
    // expired token renew it once, not once each.
    tokens: Mutex<Tokens>,
}

/// True when Zou rejected a call because the access token's time is up.
/// Zou answers 401 `{"error":true,"message":"Signature has expired"}`;
/// flask-jwt-extended's own handler says `{"msg":"Token has expired"}`, and
/// gazu also treats a 422 with that message as expiry.
pub fn is_expired(err: &PlatformError) -> bool {
    let message = match err {
        PlatformError::Auth(message) => message,
        PlatformError::Api {
            status: 422,
            message,
        } => message,
        _ => return false,
    };
    let message = message.to_ascii_lowercase();
    message.contains("signature has expired") || message.contains("token has expired")
}

impl Session {
    pub fn new(http: Http, credentials: Credentials) -> Self {
        Session {
            http,
            credentials,
            tokens: Mutex::new(Tokens::default()),
        }
    }

    pub fn http(&self) -> &Http {
        &self.http
    }

    /// A request carrying `token`, for calls made as someone else (a bot's
    /// freshly issued token being checked).
    pub fn request_as(&self, method: Method, path: &str, token: &Secret) -> RequestBuilder {
        self.http
            .client()
            .request(method, self.http.url(path))
            .bearer_auth(token.expose())
    }

    /// Sends a call as the session's user, renewing an expired token and
    /// retrying once. A retry after expiry is safe even for creates: Zou
    /// refused the first attempt before doing anything.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<Response, PlatformError> {
        self.renewing(|token| {
            self.http
                .send(self.build(method.clone(), path, body, &token), retry)
        })
        .await
    }

    /// Like [`Session::send`], decoding the JSON answer.
    pub async fn json<T: DeserializeOwned + Send + 'static>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<T, PlatformError> {
        self.renewing(|token| {
            self.http
                .json(self.build(method.clone(), path, body, &token), retry)
        })
        .await
    }

    async fn renewing<T, F, Fut>(&self, call: F) -> Result<T, PlatformError>
    where
        F: Fn(Secret) -> Fut,
        Fut: Future<Output = Result<T, PlatformError>>,
    {
        let token = self.access().await?;
        match call(token.clone()).await {
            Err(err) if is_expired(&err) => {
                self.renew(&token).await?;
                call(self.access().await?).await
            }
            other => other,
        }
    }

    fn build(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        token: &Secret,
    ) -> RequestBuilder {
        let req = self.request_as(method, path, token);
        match body {
            Some(body) => req.json(body),
            None => req,
        }
    }

    /// The current access token, logging in first when there is none.
    async fn access(&self) -> Result<Secret, PlatformError> {
        let mut tokens = self.tokens.lock().await;
        if let Some(access) = &tokens.access {
            return Ok(access.clone());
        }
        match &self.credentials {
            Credentials::Bot(token) => {
                tokens.access = Some(token.clone());
                Ok(token.clone())
            }
            Credentials::Login { email, password } => {
                *tokens = self.login(email, password).await?;
                tokens
                    .access
                    .clone()
                    .ok_or_else(|| PlatformError::Auth("login gave no access token".into()))
            }
        }
    }

    /// Replaces `stale` after Zou said it expired: the refresh token first,
    /// a new login when that fails too.
    async fn renew(&self, stale: &Secret) -> Result<(), PlatformError> {
        let mut tokens = self.tokens.lock().await;
        if tokens.access.as_ref() != Some(stale) {
            // Another call renewed it while this one waited for the lock.
            return Ok(());
        }
        let (email, password) = match &self.credentials {
            Credentials::Bot(_) => {
                return Err(PlatformError::Auth(
                    "the bot token has expired; issue a new one for this bot in Kitsu".into(),
                ));
            }
            Credentials::Login { email, password } => (email, password),
        };
        if let Some(refresh) = tokens.refresh.clone()
            && let Ok(access) = self.refresh_with(&refresh).await
        {
            tokens.access = Some(access);
            return Ok(());
        }
        *tokens = self.login(email, password).await?;
        Ok(())
    }

    /// Trades the refresh token for a new access token now, logging in
    /// first if the session has not started.
    pub async fn refresh(&self) -> Result<(), PlatformError> {
        self.access().await?;
        let mut tokens = self.tokens.lock().await;
        let refresh = tokens.refresh.clone().ok_or_else(|| {
            PlatformError::Unsupported("a bot token session has no refresh token".into())
        })?;
        tokens.access = Some(self.refresh_with(&refresh).await?);
        Ok(())
    }

    async fn refresh_with(&self, refresh: &Secret) -> Result<Secret, PlatformError> {
        let req = self.request_as(Method::GET, "/auth/refresh-token", refresh);
        let answer: RefreshAnswer = self.http.json(req, Retry::Idempotent).await?;
        Ok(Secret::new(answer.access_token))
    }

    async fn login(&self, email: &str, password: &Secret) -> Result<Tokens, PlatformError> {
        let req = self
            .http
            .client()
            .post(self.http.url("/auth/login"))
            .json(&json!({ "email": email, "password": password.expose() }));
        // A refused login is a 400 from Zou; for the user it is an auth failure.
        let answer: LoginAnswer = match self.http.json(req, Retry::Idempotent).await {
            Ok(answer) => answer,
            Err(PlatformError::Api {
                status: 400,
                message,
            }) => return Err(PlatformError::Auth(message)),
            Err(err) => return Err(err),
        };
        if answer.two_factor_authentication_required {
            return Err(PlatformError::Auth(
                "this account requires two-factor authentication; configure a bot token instead"
                    .into(),
            ));
        }
        let access = answer
            .access_token
            .ok_or_else(|| PlatformError::Auth("login gave no access token".into()))?;
        Ok(Tokens {
            access: Some(Secret::new(access)),
            refresh: answer.refresh_token.map(Secret::new),
        })
    }
}
