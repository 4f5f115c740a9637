//! Talking to project44: management calls take HTTP Basic with a tenant
//! user; the token endpoint takes the client's own id and secret.

use reqwest::{Method, RequestBuilder};
use serde_json::Value;

use crate::model::Secret;
use crate::platform::PlatformError;
use crate::platform::http::{Http, Retry};

pub const APPS: &str = "/api/v4/oauth2/client-applications";
const TOKEN: &str = "/api/v4/oauth2/token";

pub struct Client {
    http: Http,
    username: String,
    password: Secret,
}

/// The v4 error body: `errorMessage`, else the first entry of `errors`.
pub fn message_of(body: &Value) -> Option<String> {
    body.get("errorMessage")
        .and_then(Value::as_str)
        .or_else(|| body.pointer("/errors/0/message").and_then(Value::as_str))
        .map(str::to_string)
}

impl Client {
    pub fn new(
        base_url: &str,
        limits: impl Into<crate::platform::http::Limits>,
        username: String,
        password: Secret,
    ) -> Result<Self, PlatformError> {
        Ok(Self {
            http: Http::new(base_url, limits, message_of)?,
            username,
            password,
        })
    }

    pub const fn http(&self) -> &Http {
        &self.http
    }

    /// A management call as the tenant user.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .client()
            .request(method, self.http.url(path))
            .basic_auth(&self.username, Some(self.password.expose()))
    }

    pub fn token_endpoint(&self) -> String {
        self.http.url(TOKEN)
    }

    /// Exchanges a client id and secret for an access token; `Ok(false)`
    /// when the token endpoint rejects them.
    pub async fn verify(&self, client_id: &str, secret: &Secret) -> Result<bool, PlatformError> {
        let req = self
            .http
            .client()
            .post(self.token_endpoint())
            .basic_auth(client_id, Some(secret.expose()))
            .form(&[("grant_type", "client_credentials")]);
        match self.http.send(req, Retry::Idempotent).await {
            Ok(_) => Ok(true),
            Err(PlatformError::Auth(_)) => Ok(false),
            Err(err) => Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn error_message_prefers_error_message() {
        let body = json!({"errorMessage": "Nope", "errors": [{"message": "inner"}]});
        assert_eq!(message_of(&body).as_deref(), Some("Nope"));
        let body = json!({"errors": [{"message": "inner"}]});
        assert_eq!(message_of(&body).as_deref(), Some("inner"));
    }
}
