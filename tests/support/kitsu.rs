//! Raw HTTP to a Zou (real or simulated), for the setup the console does
//! not do and for checking answers byte for byte, independently of the
//! adapter under test.

use reqwest::Method;
use serde_json::{Value, json};

pub struct Raw {
    client: reqwest::Client,
    base: String,
    pub access: String,
    pub refresh: String,
}

/// Status and parsed body (`Null` when empty, `{"raw": text}` when not JSON).
pub type Answer = (u16, Value);

impl Raw {
    pub async fn login(base: &str, email: &str, password: &str) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::new();
        let base = base.trim_end_matches('/').to_string();
        let resp = client
            .post(format!("{base}/auth/login"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("login request");
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.expect("login body");
        assert_eq!(status, 200, "login as {email}: {body}");
        Self {
            client,
            base,
            access: body["access_token"].as_str().expect("access_token").into(),
            refresh: body["refresh_token"]
                .as_str()
                .expect("refresh_token")
                .into(),
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let token = self.access.clone();
        self.call_as(&token, method, path, body).await
    }

    pub async fn call_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut req = self
            .client
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let body = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| json!({ "raw": text }))
        };
        (status, body)
    }

    /// Sends `body` to `path` with no token at all (a login).
    pub async fn call_anonymous(&self, method: Method, path: &str, body: Value) -> Answer {
        let resp = self
            .client
            .request(method.clone(), format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// DELETEs `path`; the caller judges the answer.
    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }

    /// GETs `path` and insists on a 200.
    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// POSTs `body` to `path` and insists on a 201.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.call(Method::POST, path, Some(body.clone())).await;
        assert_eq!(status, 201, "POST {path} {body}: {answer}");
        answer
    }

    /// The id of the production status called `name` ("Open", "Closed").
    pub async fn status_id(&self, name: &str) -> String {
        let statuses = self.get("/data/project-status").await;
        statuses
            .as_array()
            .and_then(|all| all.iter().find(|s| s["name"] == name))
            .and_then(|s| s["id"].as_str())
            .unwrap_or_else(|| panic!("no project status {name}: {statuses}"))
            .to_string()
    }
}
