//! Talking to Zou: log in with email and password (or take a bot token
//! as given), send every call with `Authorization: Bearer`, and when Zou
//! says the access token expired, refresh it once, or log in again (the
//! shared token session decides when).
//!
//! Tokens live in memory only and travel in headers only; nothing here
//! logs them.

use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::wire::{LoginAnswer, RefreshAnswer};
use crate::model::Secret;
use crate::platform::PlatformError;
use crate::platform::http::{Http, Retry};
use crate::platform::session::{Renew, Token, TokenSession};

pub enum Credentials {
    Login {
        email: String,
        password: Secret,
    },
    /// A bot's token: it cannot be refreshed, only reissued in Kitsu.
    Bot(Secret),
}

pub struct Client {
    http: Http,
    credentials: Credentials,
    session: TokenSession,
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

impl Client {
    pub fn new(http: Http, credentials: Credentials) -> Self {
        Self {
            http,
            credentials,
            session: TokenSession::new(),
        }
    }

    pub const fn http(&self) -> &Http {
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

    /// Like [`Client::send`], decoding the JSON answer.
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
        self.session.authed(self, is_expired, call).await
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

    /// Trades the refresh token for a new access token now, logging in
    /// first if the session has not started.
    pub async fn refresh(&self) -> Result<(), PlatformError> {
        self.session
            .replace(self, |current| {
                let refresh = current.refresh().cloned();
                async move {
                    let refresh = refresh.ok_or_else(|| {
                        PlatformError::Unsupported(
                            "a bot token session has no refresh token".into(),
                        )
                    })?;
                    let access = self.refresh_with(&refresh).await?;
                    Ok(Token::new(access, Some(refresh)))
                }
            })
            .await
    }

    async fn refresh_with(&self, refresh: &Secret) -> Result<Secret, PlatformError> {
        let req = self.request_as(Method::GET, "/auth/refresh-token", refresh);
        let answer: RefreshAnswer = self.http.json(req, Retry::Idempotent).await?;
        Ok(Secret::new(answer.access_token))
    }

    async fn log_in(&self, email: &str, password: &Secret) -> Result<Token, PlatformError> {
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
        Ok(Token::new(
            Secret::new(access),
            answer.refresh_token.map(Secret::new),
        ))
    }
}

/// A bot's token is used as is: only Kitsu can issue it anew. A person's
/// expired token is refreshed, and when that fails too, the person logs
/// in again.
impl Renew for Client {
    async fn login(&self) -> Result<Token, PlatformError> {
        match &self.credentials {
            Credentials::Bot(token) => Ok(Token::new(token.clone(), None)),
            Credentials::Login { email, password } => self.log_in(email, password).await,
        }
    }

    async fn renew(
        &self,
        stale: &Token,
        _refusal: Option<&PlatformError>,
    ) -> Result<Token, PlatformError> {
        let Credentials::Login { email, password } = &self.credentials else {
            return Err(PlatformError::Auth(
                "the bot token has expired; issue a new one for this bot in Kitsu".into(),
            ));
        };
        if let Some(refresh) = stale.refresh()
            && let Ok(access) = self.refresh_with(refresh).await
        {
            return Ok(Token::new(access, Some(refresh.clone())));
        }
        self.log_in(email, password).await
    }
}
