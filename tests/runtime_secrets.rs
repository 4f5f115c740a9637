//! The runtime's handling of issued secrets, against small local servers:
//! a malformed success answer still has its secret stored, and never
//! quoted; a read-only tenant is sent nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::Request;
use axum::response::IntoResponse;
use portico::app::{Effect, Message};
use portico::audit::Audit;
use portico::config::Config;
use portico::model::Kind;
use portico::platform::{Operation, Outcome, Target};
use portico::runtime::{Runtime, Stores};
use portico::secrets::{Backend, Vault};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const SECRET: &str = "Sx9vQ2mZt7LkP4wR8nB3yC6d";
const PATIENCE: Duration = Duration::from_secs(20);

/// Answers every request with `body` and records each request's path.
async fn serve(body: Value) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |req: Request| {
        let log = log.clone();
        let body = body.clone();
        async move {
            log.lock()
                .expect("log")
                .push(format!("{} {}", req.method(), req.uri().path()));
            Json(body).into_response()
        }
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, seen)
}

struct Harness {
    _dir: tempfile::TempDir,
    vault: Vault,
    audit: std::path::PathBuf,
    runtime: Runtime,
    rx: mpsc::UnboundedReceiver<Message>,
}

fn harness(base: &str, read_only: bool) -> Harness {
    harness_for(&format!(
        r#"
[[tenants]]
name = "p44"
platform = "project44"
base_url = "{base}"
read_only = {read_only}

[tenants.auth]
username = "admin"
password = "the-admin-password"
"#
    ))
}

fn harness_for(text: &str) -> Harness {
    let cfg = Config::parse(text, "<test>").expect("config");
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Vault::with_backend(dir.path().join("issued"), Backend::File);
    let audit = dir.path().join("audit.jsonl");
    let stores = Stores {
        vault: vault.clone(),
        audit: Audit::new(&audit),
    };
    let (tx, rx) = mpsc::unbounded_channel();
    Harness {
        _dir: dir,
        vault,
        audit,
        runtime: Runtime::new(tx, cfg.tenants().to_vec(), stores),
        rx,
    }
}

impl Harness {
    async fn perform(
        &mut self,
        op: Operation,
    ) -> (
        Result<Outcome, String>,
        Option<Result<std::path::PathBuf, String>>,
    ) {
        self.runtime.execute(Effect::Perform {
            tenant: 0,
            request: 1,
            ops: vec![op],
        });
        loop {
            let msg = tokio::time::timeout(PATIENCE, self.rx.recv())
                .await
                .expect("an answer in time")
                .expect("channel open");
            if let Message::Performed { result, saved, .. } = msg {
                return (*result, saved);
            }
        }
    }

    fn audit_text(&self) -> String {
        std::fs::read_to_string(&self.audit).unwrap_or_default()
    }
}

fn rotate() -> Operation {
    Operation::Rotate {
        target: Target {
            kind: Kind::ClientApp,
            id: "app1".into(),
            name: "Robot".into(),
            parent: None,
        },
        previous: None,
    }
}

fn everything_said(outcome: &Outcome) -> String {
    let mut text = outcome.summary.clone();
    for check in &outcome.checks {
        text.push('\n');
        text.push_str(&check.label);
    }
    text
}

#[tokio::test]
async fn a_malformed_new_secret_answer_still_stores_the_secret_and_never_quotes_it() {
    let (base, _) = serve(json!({"id": "app1", "name": null, "secret": SECRET})).await;
    let mut h = harness(&base, false);
    let (result, saved) = h.perform(rotate()).await;
    let outcome = result.expect("the rotation went through: the secret is shown");
    let said = everything_said(&outcome);
    assert!(!said.contains(SECRET), "{said}");
    assert!(said.contains("safe in Portico's store"), "{said}");
    assert!(said.contains("malformed"), "{said}");
    assert!(outcome.checks.iter().any(|c| !c.passed));
    assert_eq!(
        outcome.secret.as_ref().map(|s| s.secret.expose()),
        Some(SECRET),
        "the user still gets the secret"
    );
    let path = saved.expect("saved").expect("stored");
    let pending = h.vault.pending().expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].path, path);
    assert_eq!(pending[0].issued.secret.expose(), SECRET);
    assert_eq!(pending[0].resource, "app1");
    let record = std::fs::read_to_string(&path).expect("record");
    assert!(!record.contains(SECRET), "the record is sealed: {record}");
    let audit = h.audit_text();
    assert!(!audit.contains(SECRET), "{audit}");
    let line: Value = serde_json::from_str(audit.lines().next().expect("a line")).expect("json");
    assert_eq!(line["action"], "rotate");
    assert_eq!(line["resource_id"], "app1");
    assert_eq!(line["outcome"], "ok");
}

#[tokio::test]
async fn a_malformed_create_answer_files_the_secret_under_the_new_id() {
    let (base, _) = serve(json!({"id": "new-app", "name": 42, "secret": SECRET})).await;
    let mut h = harness(&base, false);
    let (result, _) = h
        .perform(Operation::Create {
            kind: Kind::ClientApp,
            parent: None,
            values: vec![("name".into(), "Robot".into())],
        })
        .await;
    let outcome = result.expect("created");
    assert!(!everything_said(&outcome).contains(SECRET));
    assert_eq!(outcome.created.as_deref(), Some("new-app"));
    let pending = h.vault.pending().expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].resource, "new-app");
    let audit = h.audit_text();
    assert!(!audit.contains(SECRET));
    let line: Value = serde_json::from_str(audit.lines().next().expect("a line")).expect("json");
    assert_eq!(line["action"], "create");
    assert_eq!(line["resource_id"], "new-app");
    assert_eq!(line["resource_name"], "Robot");
}

#[tokio::test]
async fn a_success_body_that_is_not_json_is_not_quoted() {
    // A wrong content shape: an array where an object belongs.
    let (base, _) = serve(json!([SECRET])).await;
    let mut h = harness(&base, false);
    let (result, saved) = h.perform(rotate()).await;
    let err = result.expect_err("nothing to recover");
    assert!(!err.contains(SECRET), "{err}");
    assert!(saved.is_none());
    let audit = h.audit_text();
    assert!(!audit.contains(SECRET), "{audit}");
    assert!(audit.contains("\"failed\""), "{audit}");
}

#[tokio::test]
async fn a_read_only_tenant_is_sent_no_request() {
    let (base, seen) = serve(json!({"id": "app1", "name": "x", "secret": SECRET})).await;
    let mut h = harness(&base, true);
    let (result, _) = h.perform(rotate()).await;
    let err = result.expect_err("refused");
    assert!(err.contains("read-only"), "{err}");
    assert_eq!(seen.lock().expect("log").len(), 0, "no request left");
}

#[tokio::test]
async fn a_change_in_flight_holds_up_quitting_until_its_secret_is_stored() {
    // The new-secret answer waits until the test lets it go.
    let (release, released) = tokio::sync::watch::channel(false);
    let app = axum::Router::new().fallback(move || {
        let mut released = released.clone();
        async move {
            let _ = released.wait_for(|r| *r).await;
            Json(json!({"id": "app1", "name": "Robot", "secret": SECRET})).into_response()
        }
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut h = harness(&base, false);
    assert_eq!(h.runtime.unsettled(), 0);
    h.runtime.execute(Effect::Perform {
        tenant: 0,
        request: 7,
        ops: vec![rotate()],
    });
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while h.runtime.unsettled() == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the change never counted"
        );
        tokio::task::yield_now().await;
    }
    assert!(h.vault.pending().expect("pending").is_empty());
    release.send_replace(true);
    let msg = tokio::time::timeout(PATIENCE, h.rx.recv())
        .await
        .expect("answered")
        .expect("open");
    assert!(
        matches!(msg, Message::Performed { request: 7, .. }),
        "{msg:?}"
    );
    assert_eq!(h.runtime.unsettled(), 0);
    assert_eq!(h.vault.pending().expect("pending").len(), 1);
}

#[tokio::test]
async fn a_malformed_bot_token_answer_still_stores_the_token() {
    // Reads describe a bot; the regeneration answer has a broken field.
    let app = axum::Router::new().fallback(|req: Request| async move {
        let body = if req.method() == axum::http::Method::PUT {
            json!({"id": "bot1", "is_bot": "not-a-bool", "access_token": SECRET})
        } else {
            json!({"id": "bot1", "is_bot": true, "first_name": "Exporter", "expiration_date": null})
        };
        Json(body).into_response()
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut h = harness_for(&format!(
        r#"
[[tenants]]
name = "kitsu"
platform = "kitsu"
base_url = "{base}/api"

[tenants.auth]
token = "the-admin-bot-token"
"#
    ));
    let (result, saved) = h
        .perform(Operation::Rotate {
            target: Target {
                kind: Kind::Bot,
                id: "bot1".into(),
                name: "Exporter".into(),
                parent: None,
            },
            previous: None,
        })
        .await;
    let outcome = result.expect("the token reaches the user");
    assert!(!everything_said(&outcome).contains(SECRET));
    assert!(saved.expect("saved").is_ok());
    let pending = h.vault.pending().expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].issued.secret.expose(), SECRET);
    assert_eq!(pending[0].resource, "bot1");
    assert!(!h.audit_text().contains(SECRET));
}
