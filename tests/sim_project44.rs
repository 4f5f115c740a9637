//! The project44 simulator over real HTTP: client applications, the token
//! endpoint, secret rotation, auth failures, tenant isolation and demo config.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::collections::BTreeSet;

use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const CHALLENGE: &str =
    r#"Basic realm="project44 Security Realm", Bearer realm="project44 Security Realm""#;

struct Sim {
    _running: portico::sim::Running,
    client: Client,
    base: String,
}

impl Sim {
    async fn start() -> Result<Self, Box<dyn std::error::Error>> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let running = portico::platform::registry::start_simulator("127.0.0.1:0".parse()?).await?;
        let base = running.base_url();
        Ok(Self {
            _running: running,
            client: Client::builder().build()?,
            base,
        })
    }

    fn url(&self, region: &str, path: &str) -> String {
        format!("{}/project44/{region}/api/v4/{path}", self.base)
    }

    fn apps_url(&self, region: &str) -> String {
        self.url(region, "oauth2/client-applications")
    }

    fn app_url(&self, region: &str, id: &str) -> String {
        format!("{}/{id}", self.apps_url(region))
    }

    fn admin(&self, method: reqwest::Method, region: &str, url: String) -> reqwest::RequestBuilder {
        self.client
            .request(method, url)
            .basic_auth(admin_user(region), Some(admin_password(region)))
    }

    async fn admin_send(
        &self,
        method: reqwest::Method,
        region: &str,
        url: String,
    ) -> Result<Response, reqwest::Error> {
        self.admin(method, region, url).send().await
    }

    async fn list(&self, region: &str) -> Result<Vec<Value>, Box<dyn std::error::Error>> {
        let resp = self
            .admin_send(reqwest::Method::GET, region, self.apps_url(region))
            .await?;
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = resp.json().await?;
        assert_eq!(keys(&body), set(&["clientApplications"]));
        Ok(body["clientApplications"]
            .as_array()
            .ok_or("clientApplications is not an array")?
            .clone())
    }

    async fn create(&self, region: &str, name: &str) -> Result<Value, Box<dyn std::error::Error>> {
        let resp = self
            .admin(reqwest::Method::POST, region, self.apps_url(region))
            .json(&json!({ "name": name }))
            .send()
            .await?;
        assert_eq!(resp.status(), StatusCode::CREATED);
        let body: Value = resp.json().await?;
        assert_eq!(keys(&body), set(&["id", "name", "secret"]));
        assert_eq!(body["name"], name);
        Ok(body)
    }

    async fn token_basic(
        &self,
        region: &str,
        id: &str,
        secret: &str,
    ) -> Result<Response, reqwest::Error> {
        self.client
            .post(self.url(region, "oauth2/token"))
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
    }

    async fn token_form(
        &self,
        region: &str,
        id: &str,
        secret: &str,
    ) -> Result<Response, reqwest::Error> {
        self.client
            .post(self.url(region, "oauth2/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
            ])
            .send()
            .await
    }

    async fn bearer_check(&self, region: &str, token: &str) -> Result<Response, reqwest::Error> {
        self.client
            .get(self.url(region, "capacityproviders/accountgroups"))
            .bearer_auth(token)
            .send()
            .await
    }
}

fn admin_user(region: &str) -> String {
    format!("admin@{region}.portico.demo")
}

fn admin_password(region: &str) -> String {
    format!("portico-demo-{region}")
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {value}"))
}

fn is_alphanumeric(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Checks a response is the project44 v4 error body with `status`, and
/// returns the body for further checks.
async fn assert_v4_error(resp: Response, status: u16, reason: &str) -> Value {
    assert_eq!(resp.status().as_u16(), status);
    let body: Value = resp.json().await.expect("error body is JSON");
    assert_eq!(
        keys(&body),
        set(&[
            "httpStatusCode",
            "httpMessage",
            "errorMessage",
            "errors",
            "supportReferenceId"
        ]),
        "{body}"
    );
    assert_eq!(body["httpStatusCode"], status);
    assert_eq!(body["httpMessage"], reason);
    assert!(!str_of(&body, "errorMessage").is_empty());
    assert!(!str_of(&body, "supportReferenceId").is_empty());
    let errors = body["errors"].as_array().expect("errors is an array");
    assert_eq!(errors.len(), 1);
    assert_eq!(
        keys(&errors[0]),
        set(&["severity", "message", "diagnostic", "source"])
    );
    assert_eq!(errors[0]["severity"], "ERROR");
    body
}

async fn assert_unauthorized(resp: Response) {
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert_eq!(challenge.as_deref(), Some(CHALLENGE));
    assert_v4_error(resp, 401, "Unauthorized").await;
}

async fn access_token(resp: Response) -> Result<String, Box<dyn std::error::Error>> {
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await?;
    assert_eq!(
        keys(&body),
        set(&["access_token", "token_type", "expires_in"])
    );
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 43200);
    let token = str_of(&body, "access_token");
    assert!(token.len() >= 32);
    Ok(token.to_owned())
}

#[tokio::test]
async fn list_has_envelope_and_realistic_seed_per_region() -> TestResult {
    let sim = Sim::start().await?;
    let mut all_ids = BTreeSet::new();
    for (region, count) in [("na", 8), ("eu", 5), ("sandbox", 4)] {
        let apps = sim.list(region).await?;
        assert_eq!(apps.len(), count, "{region}");
        let names: BTreeSet<&str> = apps.iter().map(|a| str_of(a, "name")).collect();
        assert_eq!(names.len(), count, "seeded names are distinct in {region}");
        for app in &apps {
            assert_eq!(keys(app), set(&["id", "name"]), "no secret in the list");
            let id = str_of(app, "id");
            assert!(is_alphanumeric(id) && (20..=32).contains(&id.len()), "{id}");
            assert!(all_ids.insert(id.to_owned()), "ids differ across tenants");
        }
    }
    let na = sim.list("na").await?;
    assert!(
        na.iter()
            .any(|a| a["name"] == "TMS Integration - Oracle OTM")
    );
    Ok(())
}

#[tokio::test]
async fn create_returns_secret_once_then_never_again() -> TestResult {
    let sim = Sim::start().await?;
    let created = sim.create("na", "Carrier Onboarding Portal").await?;
    let id = str_of(&created, "id");
    let secret = str_of(&created, "secret");
    assert!(is_alphanumeric(id) && (20..=32).contains(&id.len()));
    assert!(is_alphanumeric(secret) && secret.len() >= 32);

    let resp = sim
        .admin_send(reqwest::Method::GET, "na", sim.app_url("na", id))
        .await?;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await?;
    assert_eq!(
        body,
        json!({ "id": id, "name": "Carrier Onboarding Portal" })
    );

    let apps = sim.list("na").await?;
    assert_eq!(apps.len(), 9);
    let listed = apps
        .iter()
        .find(|a| a["id"] == id)
        .ok_or("created app not listed")?;
    assert_eq!(keys(listed), set(&["id", "name"]));

    // The secret it showed really is the app's credential.
    access_token(sim.token_basic("na", id, secret).await?).await?;
    Ok(())
}

#[tokio::test]
async fn rename_changes_only_the_name() -> TestResult {
    let sim = Sim::start().await?;
    let created = sim.create("eu", "Rail ETA Feed").await?;
    let id = str_of(&created, "id");
    let secret = str_of(&created, "secret");

    // Read-only fields in the body are ignored; the path names the app.
    let resp = sim
        .admin(reqwest::Method::PUT, "eu", sim.app_url("eu", id))
        .json(&json!({ "name": "Rail ETA Feed v2", "id": "SomeOtherId123", "secret": "chosen" }))
        .send()
        .await?;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await?;
    assert_eq!(body, json!({ "id": id, "name": "Rail ETA Feed v2" }));

    let resp = sim
        .admin_send(reqwest::Method::GET, "eu", sim.app_url("eu", id))
        .await?;
    assert_eq!(resp.json::<Value>().await?["name"], "Rail ETA Feed v2");

    access_token(sim.token_basic("eu", id, secret).await?).await?;
    assert_unauthorized(sim.token_basic("eu", id, "chosen").await?).await;

    let resp = sim
        .admin(
            reqwest::Method::PUT,
            "eu",
            sim.app_url("eu", "NoSuchApp0000000000000"),
        )
        .json(&json!({ "name": "x" }))
        .send()
        .await?;
    assert_v4_error(resp, 404, "Not Found").await;
    Ok(())
}

#[tokio::test]
async fn delete_answers_204_then_404() -> TestResult {
    let sim = Sim::start().await?;
    let created = sim.create("sandbox", "Short-lived Relay").await?;
    let id = str_of(&created, "id");
    let token = access_token(
        sim.token_basic("sandbox", id, str_of(&created, "secret"))
            .await?,
    )
    .await?;

    let resp = sim
        .admin_send(
            reqwest::Method::DELETE,
            "sandbox",
            sim.app_url("sandbox", id),
        )
        .await?;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(resp.bytes().await?.is_empty());

    let resp = sim
        .admin_send(reqwest::Method::GET, "sandbox", sim.app_url("sandbox", id))
        .await?;
    let body = assert_v4_error(resp, 404, "Not Found").await;
    assert_ne!(body["errorMessage"], body["supportReferenceId"]);

    let resp = sim
        .admin_send(
            reqwest::Method::DELETE,
            "sandbox",
            sim.app_url("sandbox", id),
        )
        .await?;
    assert_v4_error(resp, 404, "Not Found").await;

    assert_eq!(sim.list("sandbox").await?.len(), 4);
    // Deleting the app deletes its app user, so its tokens go with it.
    assert_unauthorized(sim.bearer_check("sandbox", &token).await?).await;
    Ok(())
}

#[tokio::test]
async fn new_secret_invalidates_old_secret_but_not_old_tokens() -> TestResult {
    let sim = Sim::start().await?;
    let created = sim.create("na", "Rotating Integration").await?;
    let id = str_of(&created, "id");
    let old_secret = str_of(&created, "secret");
    let old_token = access_token(sim.token_basic("na", id, old_secret).await?).await?;

    let resp = sim
        .admin_send(
            reqwest::Method::POST,
            "na",
            format!("{}/new-secret", sim.app_url("na", id)),
        )
        .await?;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let rotated: Value = resp.json().await?;
    assert_eq!(keys(&rotated), set(&["id", "name", "secret"]));
    assert_eq!(rotated["id"], id);
    assert_eq!(rotated["name"], "Rotating Integration");
    let new_secret = str_of(&rotated, "secret");
    assert!(is_alphanumeric(new_secret) && new_secret.len() >= 32);
    assert_ne!(new_secret, old_secret);

    assert_unauthorized(sim.token_basic("na", id, old_secret).await?).await;
    assert_unauthorized(sim.token_form("na", id, old_secret).await?).await;
    let via_basic = access_token(sim.token_basic("na", id, new_secret).await?).await?;
    let via_form = access_token(sim.token_form("na", id, new_secret).await?).await?;
    assert_ne!(via_basic, via_form);

    for token in [&old_token, &via_basic, &via_form] {
        let resp = sim.bearer_check("na", token).await?;
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = resp.json().await?;
        assert!(body["accountGroups"].is_array(), "{body}");
    }
    assert_unauthorized(sim.bearer_check("na", "not-a-token").await?).await;
    let resp = sim
        .client
        .get(sim.url("na", "capacityproviders/accountgroups"))
        .send()
        .await?;
    assert_unauthorized(resp).await;

    let resp = sim
        .admin_send(
            reqwest::Method::POST,
            "na",
            format!(
                "{}/new-secret",
                sim.app_url("na", "Unknown0000000000000000")
            ),
        )
        .await?;
    assert_v4_error(resp, 404, "Not Found").await;
    Ok(())
}

#[tokio::test]
async fn token_endpoint_rejects_bad_requests() -> TestResult {
    let sim = Sim::start().await?;
    let created = sim.create("na", "Token Checks").await?;
    let id = str_of(&created, "id");
    let secret = str_of(&created, "secret");
    let token_url = sim.url("na", "oauth2/token");

    for form in [
        // Credentials in both places at once.
        &[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ][..],
        &[("grant_type", "password")],
        &[("scope", "read")],
    ] {
        let resp = sim
            .client
            .post(&token_url)
            .basic_auth(id, Some(secret))
            .form(form)
            .send()
            .await?;
        assert_v4_error(resp, 400, "Bad Request").await;
    }

    assert_unauthorized(
        sim.token_form("na", "UnknownClient0000000000", secret)
            .await?,
    )
    .await;
    let resp = sim
        .client
        .post(&token_url)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await?;
    assert_unauthorized(resp).await;

    let resp = sim
        .client
        .post(&token_url)
        .basic_auth(id, Some(secret))
        .json(&json!({ "grant_type": "client_credentials" }))
        .send()
        .await?;
    assert_v4_error(resp, 415, "Unsupported Media Type").await;

    // The deprecated path still issues working tokens.
    let resp = sim
        .client
        .post(sim.url("na", "oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await?;
    let token = access_token(resp).await?;
    assert_eq!(
        sim.bearer_check("na", &token).await?.status(),
        StatusCode::OK
    );
    Ok(())
}

#[tokio::test]
async fn client_app_routes_demand_the_tenant_admin() -> TestResult {
    let sim = Sim::start().await?;
    let created = sim.create("na", "Auth Checks").await?;
    let id = str_of(&created, "id");
    let token = access_token(
        sim.token_basic("na", id, str_of(&created, "secret"))
            .await?,
    )
    .await?;
    let url = sim.apps_url("na");

    assert_unauthorized(sim.client.get(&url).send().await?).await;
    for (user, password) in [
        ("someone@na.portico.demo", "portico-demo-na"),
        ("admin@na.portico.demo", "wrong"),
        // Another region's admin is a stranger here.
        ("admin@eu.portico.demo", "portico-demo-eu"),
        // Client credentials are not a user either.
        (id, str_of(&created, "secret")),
    ] {
        let resp = sim.client.get(&url).basic_auth(user, Some(password));
        assert_unauthorized(resp.send().await?).await;
    }
    // A valid access token is still the wrong kind of credential.
    assert_unauthorized(sim.client.get(&url).bearer_auth(&token).send().await?).await;
    // Mutations are guarded too, and nothing changes.
    assert_unauthorized(
        sim.client
            .delete(sim.app_url("na", id))
            .basic_auth("admin@na.portico.demo", Some("wrong"))
            .send()
            .await?,
    )
    .await;
    assert_unauthorized(
        sim.client
            .post(&url)
            .json(&json!({ "name": "Sneaky" }))
            .send()
            .await?,
    )
    .await;
    assert_eq!(sim.list("na").await?.len(), 9);
    Ok(())
}

#[tokio::test]
async fn tenants_are_isolated() -> TestResult {
    let sim = Sim::start().await?;
    let created = sim.create("na", "NA Only").await?;
    let id = str_of(&created, "id");
    let secret = str_of(&created, "secret");

    let resp = sim
        .admin_send(reqwest::Method::GET, "eu", sim.app_url("eu", id))
        .await?;
    assert_v4_error(resp, 404, "Not Found").await;
    assert_unauthorized(sim.token_basic("eu", id, secret).await?).await;

    let token = access_token(sim.token_basic("na", id, secret).await?).await?;
    assert_unauthorized(sim.bearer_check("eu", &token).await?).await;
    assert_eq!(
        sim.bearer_check("na", &token).await?.status(),
        StatusCode::OK
    );

    assert_eq!(sim.list("eu").await?.len(), 5);
    assert_eq!(sim.list("sandbox").await?.len(), 4);
    Ok(())
}

#[tokio::test]
async fn bad_bodies_get_the_v4_error() -> TestResult {
    let sim = Sim::start().await?;
    let url = sim.apps_url("sandbox");
    let raw = |body: &'static str| {
        sim.admin(reqwest::Method::POST, "sandbox", url.clone())
            .header("content-type", "application/json")
            .body(body)
    };

    for body in [
        r#"{"name":"#,
        "not json",
        "",
        "{}",
        r#"{"name":""}"#,
        r#"{"name":"   "}"#,
        r#"{"name":5}"#,
        r#"{"name":null}"#,
        r#"["name"]"#,
    ] {
        let resp = raw(body).send().await?;
        assert_v4_error(resp, 400, "Bad Request").await;
    }

    let resp = sim
        .admin(reqwest::Method::POST, "sandbox", url.clone())
        .header("content-type", "text/plain")
        .body(r#"{"name":"Plain"}"#)
        .send()
        .await?;
    assert_v4_error(resp, 415, "Unsupported Media Type").await;

    let first = str_of(&sim.list("sandbox").await?[0], "id").to_owned();
    let resp = sim
        .admin(
            reqwest::Method::PUT,
            "sandbox",
            sim.app_url("sandbox", &first),
        )
        .header("content-type", "application/json")
        .body("{name: unquoted}")
        .send()
        .await?;
    assert_v4_error(resp, 400, "Bad Request").await;

    let resp = sim
        .admin_send(
            reqwest::Method::GET,
            "sandbox",
            sim.url("sandbox", "oauth2/no-such-thing"),
        )
        .await?;
    assert_v4_error(resp, 404, "Not Found").await;

    assert_eq!(sim.list("sandbox").await?.len(), 4);
    Ok(())
}

#[tokio::test]
async fn demo_config_parses_and_its_credentials_work() -> TestResult {
    let sim = Sim::start().await?;
    let text = portico::sim::project44::demo_config(&sim.base);
    let doc: toml::Table = toml::from_str(&text)?;
    assert_eq!(doc.keys().collect::<Vec<_>>(), ["tenants"]);
    let tenants = doc["tenants"].as_array().ok_or("tenants is not an array")?;
    assert_eq!(tenants.len(), 3);

    let expected = [
        ("p44-na", "cyan", "na"),
        ("p44-eu", "blue", "eu"),
        ("p44-sandbox", "yellow", "sandbox"),
    ];
    for (tenant, (name, color, region)) in tenants.iter().zip(expected) {
        assert_eq!(tenant["name"].as_str(), Some(name));
        assert_eq!(tenant["platform"].as_str(), Some("project44"));
        assert_eq!(tenant["color"].as_str(), Some(color));
        let base_url = tenant["base_url"].as_str().ok_or("base_url")?;
        assert_eq!(base_url, format!("{}/project44/{region}", sim.base));
        assert_eq!(
            tenant.get("read_only").and_then(toml::Value::as_bool),
            (region == "sandbox").then_some(false)
        );
        let auth = tenant["auth"].as_table().ok_or("auth is not a table")?;
        let username = auth["username"].as_str().ok_or("username")?;
        let password = auth["password"].as_str().ok_or("password")?;

        let resp = sim
            .client
            .get(format!("{base_url}/api/v4/oauth2/client-applications"))
            .basic_auth(username, Some(password))
            .send()
            .await?;
        assert_eq!(resp.status(), StatusCode::OK, "{name}");
        let body: Value = resp.json().await?;
        assert!(body["clientApplications"].is_array());
    }

    // The crate-level config carries the same blocks.
    assert!(portico::platform::registry::demo_config(&sim.base).contains(&text));
    Ok(())
}
