//! EVRYTHNG from the console, against a simulator of its own: create a
//! project and an application in it through the forms, read the
//! application's trusted key masked, then delete the project with its
//! name typed and see it gone, on screen and at the API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use serde_json::Value;
use support::pty::Pty;
use support::sim::Standalone;

const TENANT: &str = "evrythng-us";
const PROJECT: &str = "PTY Provenance";
const APP: &str = "PTY Scanner";

/// The tenant's API address and operator key, as the printed config gives them.
fn tenant_api(config: &str) -> (String, String) {
    let config = portico::config::Config::parse(config, "config.toml").expect("config");
    let tenant = config.tenant(TENANT).expect("the US tenant");
    let key = tenant
        .auth()
        .get("api_key")
        .expect("api_key")
        .resolve()
        .expect("a literal key");
    (tenant.base_url().to_string(), key.as_str().to_string())
}

/// Raw reads of the simulated API, apart from the console.
struct Api {
    base: String,
    key: String,
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Api {
    fn new(config: &str) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (base, key) = tenant_api(config);
        Self {
            base,
            key,
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime"),
            http: reqwest::Client::new(),
        }
    }

    /// Status and JSON body of `GET path`.
    fn get(&self, path: &str, query: &[(&str, &str)]) -> (u16, Value) {
        self.runtime.block_on(async {
            let resp = self
                .http
                .get(format!("{}{path}", self.base))
                .header("Authorization", &self.key)
                .query(query)
                .send()
                .await
                .expect("get");
            let status = resp.status().as_u16();
            (status, resp.json().await.unwrap_or(Value::Null))
        })
    }

    /// The projects whose name is exactly `name`.
    fn projects_named(&self, name: &str) -> Vec<Value> {
        let filter = format!("name={name}");
        let (status, body) = self.get("/projects", &[("filter", &filter)]);
        assert_eq!(status, 200, "{body}");
        body.as_array().cloned().expect("a list")
    }
}

fn id_of(doc: &Value) -> String {
    doc["id"].as_str().expect("id").to_string()
}

#[test]
fn a_project_and_its_application_are_made_read_and_deleted_from_the_console() {
    let sim = Standalone::start(&[]);
    let api = Api::new(sim.config());
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(&config, sim.config()).expect("write config");
    let config = config.to_str().expect("utf-8 path");
    let mut pty = Pty::portico(
        &["--config", config, "--tenant", TENANT],
        home.path(),
        &[],
        50,
        200,
    );
    pty.wait_for("Cold Chain");

    // A project from the form; the console selects what it made.
    pty.send("n");
    pty.wait_for("New project");
    pty.send(&format!("{PROJECT}\r"));
    pty.wait_for(&format!("created project \"{PROJECT}\""));
    pty.wait_for(&format!("┃{PROJECT}"));
    let made = api.projects_named(PROJECT);
    assert_eq!(made.len(), 1, "one project made: {made:?}");
    let project = id_of(&made[0]);

    // The list spans pages, so `/` asks the server; the one project it
    // finds is the selection the next pane creates under.
    pty.send(&format!("/{PROJECT}\r"));
    pty.wait_gone("Cold Chain");
    pty.wait_for(&format!("┃{PROJECT}"));

    // An application in it, from the Applications pane's own form.
    pty.send("\t");
    pty.send("n");
    pty.wait_for("New application");
    pty.send(&format!("{APP}\r"));
    pty.wait_for(&format!("created application \"{APP}\""));
    pty.wait_for(&format!("┃{APP}"));
    let (status, apps) = api.get(&format!("/projects/{project}/applications"), &[]);
    assert_eq!(status, 200, "{apps}");
    let apps = apps.as_array().cloned().expect("a list");
    assert_eq!(apps.len(), 1, "{apps:?}");
    assert_eq!(apps[0]["name"], APP);
    let app = id_of(&apps[0]);

    // Its trusted key, read on request and shown masked.
    pty.send("\t");
    pty.wait_for("Trusted application key");
    pty.send("j");
    pty.send("\r");
    pty.wait_for("read the trusted application key");
    let (status, secret) = api.get(
        &format!("/projects/{project}/applications/{app}/secretKey"),
        &[],
    );
    assert_eq!(status, 200, "{secret}");
    let secret = secret["secretApiKey"].as_str().expect("secretApiKey");
    let masked = "•".repeat(secret.chars().count().clamp(8, 40));
    pty.wait_for(&format!("secret: {masked}"));
    assert!(!pty.contents().contains(secret), "the key is masked");
    pty.send("\x1b");
    pty.wait_gone(&format!("secret: {masked}"));

    // Back on the project, a pane at a time (Esc steps left): deleting
    // it asks for its name, whatever the tenant.
    pty.send("\x1b");
    pty.wait_for(&format!("┃{APP}"));
    pty.send("\x1b");
    pty.wait_for(&format!("┃{PROJECT}"));
    pty.send("d");
    pty.wait_for(&format!("type \"{PROJECT}\""));
    pty.wait_for("cannot be undone");
    pty.send(&format!("{PROJECT}\r"));
    pty.wait_for(&format!("deleted project \"{PROJECT}\""));
    pty.wait_gone(&format!("┃{PROJECT}"));

    // Gone at the API too, with its applications.
    assert!(api.projects_named(PROJECT).is_empty());
    let (status, _) = api.get(&format!("/projects/{project}"), &[]);
    assert_eq!(status, 404);
    let (status, _) = api.get(&format!("/projects/{project}/applications/{app}"), &[]);
    assert_eq!(status, 404);

    pty.send("q");
    let (ok, _) = pty.wait_exit();
    assert!(ok, "portico exits with success");
}
