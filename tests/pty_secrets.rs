//! A new secret is stored the moment it is decoded: quitting, or being
//! told to stop, while the console is still verifying it loses nothing.
//! The simulator's token endpoint is held shut so verification is in
//! flight for as long as the test needs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::path::Path;
use std::time::Duration;

use portico::sim::project44::{TokenGate, demo_config, router_with_token_gate};
use support::pty::{PATIENCE, Pty};

struct Gated {
    base: String,
    gate: TokenGate,
    _server: tokio::task::JoinHandle<()>,
}

async fn gated_simulator() -> Gated {
    let gate = TokenGate::closed();
    let app = axum::Router::new().nest("/project44", router_with_token_gate(gate.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Gated {
        base,
        gate,
        _server: server,
    }
}

fn write_config(home: &Path, base: &str) -> String {
    let path = home.join("config.toml");
    std::fs::write(&path, demo_config(base)).expect("write config");
    path.to_string_lossy().into_owned()
}

/// Presses R, y and waits until the new secret is being verified.
fn rotate_and_hold(pty: &mut Pty, gate: &TokenGate) {
    pty.wait_for("TMS Integration - Oracle OTM");
    pty.send("R");
    pty.wait_for("The old secret stops working at once.");
    pty.send("y");
    let handle = tokio::runtime::Handle::current();
    handle
        .block_on(tokio::time::timeout(PATIENCE, gate.arrived()))
        .expect("the console checks the new secret at the token endpoint");
}

fn pending_files(data: &Path) -> Vec<serde_json::Value> {
    let dir = data.join("issued");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the store exists") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).expect("readable");
            out.push(serde_json::from_str(&text).expect("a JSON record"));
        }
    }
    out
}

fn audit_lines(data: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(data.join("audit.jsonl"))
        .expect("the audit log exists")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect()
}

/// The stored secret is the one the simulator issued: it gets a token.
async fn token_accepted(base: &str, client_id: &str, secret: &str) -> bool {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    client
        .post(format!("{base}/project44/na/api/v4/oauth2/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token request")
        .status()
        .is_success()
}

/// After portico has gone, the store holds exactly one pending secret,
/// the one the simulator issued, and the audit log records the rotation.
async fn assert_kept(sim: &Gated, data: &Path) -> (String, String) {
    let records = pending_files(data);
    assert_eq!(records.len(), 1, "one pending secret: {records:?}");
    let record = &records[0];
    let client_id = record["public_id"].as_str().expect("client id").to_string();
    let secret = record["secret"].as_str().expect("secret").to_string();
    assert!(!secret.is_empty());
    let audit = audit_lines(data);
    let rotation = audit
        .iter()
        .find(|l| l["action"] == "rotate")
        .unwrap_or_else(|| panic!("a rotate line in {audit:?}"));
    assert_eq!(rotation["resource_id"], client_id.as_str());
    assert_eq!(rotation["resource_name"], "TMS Integration - Oracle OTM");
    assert_eq!(rotation["outcome"], "ok");
    assert_eq!(rotation["tenant"], "p44-na");
    assert_eq!(rotation["platform"], "project44");
    let whole = std::fs::read_to_string(data.join("audit.jsonl")).expect("audit");
    assert!(
        !whole.contains(&secret),
        "the audit log never holds the secret"
    );
    sim.gate.open();
    assert!(
        token_accepted(&sim.base, &client_id, &secret).await,
        "the stored secret is the one the simulator issued"
    );
    (client_id, secret)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_during_verification_keeps_the_new_secret_and_offers_it_again() {
    let sim = gated_simulator().await;
    let home = tempfile::tempdir().expect("tempdir");
    let config = write_config(home.path(), &sim.base);
    let data = home.path().join("data");
    tokio::task::block_in_place(|| {
        let mut pty = Pty::portico(&["--config", &config], home.path(), &[], 40, 140);
        rotate_and_hold(&mut pty, &sim.gate);
        pty.send("q");
        let (ok, _) = pty.wait_exit();
        assert!(ok, "portico exits with success");
    });
    let (_, secret) = assert_kept(&sim, &data).await;

    // The next start offers the pending secret again; confirming it is
    // stored erases Portico's copy.
    tokio::task::block_in_place(|| {
        let mut pty = Pty::portico(&["--config", &config], home.path(), &[], 40, 140);
        pty.wait_for("Pending since");
        pty.wait_for("not confirmed stored");
        pty.send("v");
        pty.wait_for(&secret);
        pty.send("\r");
        pty.wait_for("erased Portico's copy of the secret");
        pty.send("q");
        let (ok, _) = pty.wait_exit();
        assert!(ok, "portico exits with success");
    });
    assert_eq!(pending_files(&data).len(), 0, "confirming erased the copy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_verification_keeps_the_new_secret() {
    let sim = gated_simulator().await;
    let home = tempfile::tempdir().expect("tempdir");
    let config = write_config(home.path(), &sim.base);
    let data = home.path().join("data");
    tokio::task::block_in_place(|| {
        let mut pty = Pty::portico(&["--config", &config], home.path(), &[], 40, 140);
        rotate_and_hold(&mut pty, &sim.gate);
        let pid = pty.pid().expect("pid");
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let (ok, _) = pty.wait_exit();
        assert!(ok, "portico stops cleanly on SIGTERM");
    });
    assert_kept(&sim, &data).await;
}
