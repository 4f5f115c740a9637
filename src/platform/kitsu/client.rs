//! Talking to Zou: log in with email and password (or take a bot token
//! as given), send every call with `Authorization: Bearer`, and when Zou
//! says the access token expired, refresh it once, or log in again (the
//! shared token session decides when).
//!
//! Tokens live in memory only and travel in headers only; nothing here
//! logs them.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

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
    second: Mutex<SecondFactor>,
    timeout: Duration,
}

/// What the last login learnt of the account's second factor, and the
/// code the user gave for the next one.
#[derive(Default)]
struct SecondFactor {
    /// `totp` or `email_otp`: the field the next code goes in.
    method: Option<String>,
    code: Option<Secret>,
    /// When Zou was last asked to mail a code, so that the calls that all
    /// met the same refusal ask once.
    mailed: Option<Instant>,
}

/// A code mailed this recently is still on its way; Zou's last five minutes.
const MAIL_AGAIN_AFTER: Duration = Duration::from_mins(1);

/// Zou's recovery codes are ten letters and digits; authenticator and
/// email codes are six digits.
fn is_recovery_code(code: &str) -> bool {
    code.len() == 10
        && code.bytes().all(|b| b.is_ascii_alphanumeric())
        && !code.bytes().all(|b| b.is_ascii_digit())
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
    pub fn new(http: Http, credentials: Credentials, timeout: Duration) -> Self {
        Self {
            http,
            credentials,
            session: TokenSession::new(),
            second: Mutex::new(SecondFactor::default()),
            timeout,
        }
    }

    /// The email of the account Portico logs in as; none for a bot token.
    pub fn signed_in(&self) -> Option<&str> {
        match &self.credentials {
            Credentials::Login { email, .. } => Some(email),
            Credentials::Bot(_) => None,
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

    fn second(&self) -> std::sync::MutexGuard<'_, SecondFactor> {
        self.second.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `code` for the next login, which Zou asked a second factor of.
    pub fn offer_code(&self, code: Secret) {
        self.second().code = Some(code);
    }

    async fn log_in(&self, email: &str, password: &Secret) -> Result<Token, PlatformError> {
        let mut body = json!({ "email": email, "password": password.expose() });
        let (code, method) = {
            let mut second = self.second();
            (second.code.take(), second.method.clone())
        };
        if let Some(code) = &code {
            let field = if is_recovery_code(code.expose()) {
                "recovery_code"
            } else {
                method.as_deref().unwrap_or("totp")
            };
            body[field] = json!(code.expose());
        }
        let req = self
            .http
            .client()
            .post(self.http.url("/auth/login"))
            .json(&body);
        // Sent once, and read here whatever the status: Zou's refusals say
        // in their keys whether a second factor is missing or wrong. An
        // emailed code is good once, so this is never retried.
        let resp = req.send().await.map_err(|e| {
            if e.is_timeout() {
                PlatformError::Timeout(self.timeout)
            } else {
                PlatformError::Network(format!("logging in: {}", e.without_url()))
            }
        })?;
        let status = resp.status();
        let bytes = self.http.body(resp, self.http.max_body()).await?;
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(self.refused(email, status.as_u16(), &answer).await);
        }
        let answer: LoginAnswer = serde_json::from_value(answer)
            .map_err(|e| PlatformError::Decode(format!("login answer: {e}")))?;
        if answer.two_factor_authentication_required {
            return Err(PlatformError::Auth(
                "Kitsu requires this account to set up two-factor authentication first; \
                 do that in Kitsu, or configure a bot token"
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

    /// Why Zou refused the login. A missing second factor remembers which
    /// code the account takes (asking Zou to mail one when that is how the
    /// account gets them) and says so in a [`PlatformError::SecondFactor`].
    async fn refused(&self, email: &str, status: u16, answer: &Value) -> PlatformError {
        let said = super::message_of(answer);
        if answer.get("wrong_OTP").and_then(Value::as_bool) == Some(true) {
            return PlatformError::SecondFactor(format!(
                "Kitsu refused the code ({}); enter a new one",
                said.as_deref()
                    .unwrap_or("wrong two-factor authentication code")
            ));
        }
        if answer.get("missing_OTP").and_then(Value::as_bool) == Some(true) {
            let enabled: Vec<&str> = answer
                .get("two_factor_authentication_enabled")
                .and_then(Value::as_array)
                .map(|m| m.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let preferred = answer
                .get("preferred_two_factor_authentication")
                .and_then(Value::as_str);
            let method = [preferred, Some("totp"), Some("email_otp")]
                .into_iter()
                .flatten()
                .find(|m| matches!(*m, "totp" | "email_otp") && enabled.contains(m));
            let Some(method) = method else {
                return PlatformError::Auth(
                    "Kitsu asks this account for a security key, which Portico cannot use; \
                     enter a recovery code, or configure a bot token"
                        .into(),
                );
            };
            self.second().method = Some(method.to_string());
            if method == "email_otp" {
                self.mail_code(email).await;
                return PlatformError::SecondFactor(format!(
                    "Kitsu mailed a login code to {email}; enter it (or a recovery code)"
                ));
            }
            return PlatformError::SecondFactor(
                "Kitsu asks for the code from your authenticator app (or a recovery code)".into(),
            );
        }
        let message = said.unwrap_or_else(|| format!("login refused ({status})"));
        match status {
            // A refused login is a 400 from Zou, an inactive account a 401:
            // for the user both are auth failures.
            400 | 401 | 403 => PlatformError::Auth(message),
            _ => PlatformError::Api { status, message },
        }
    }

    /// `GET /auth/email-otp?email=`, at most once a minute.
    async fn mail_code(&self, email: &str) {
        {
            let mut second = self.second();
            if second
                .mailed
                .is_some_and(|at| at.elapsed() < MAIL_AGAIN_AFTER)
            {
                return;
            }
            second.mailed = Some(Instant::now());
        }
        let req = self
            .http
            .client()
            .get(self.http.url("/auth/email-otp"))
            .query(&[("email", email)]);
        // Zou answers the same whether or not it mailed; a failure shows as
        // a code that never comes, and the prompt offers recovery codes.
        let _ = self.http.send(req, Retry::Never).await;
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
