//! A new secret is stored the moment it is decoded: quitting, being told
//! to stop, or being killed outright (SIGKILL) while the console is still
//! verifying or delivering it loses nothing, and the next start offers it.
//! The simulator's token endpoint is held shut so verification is in
//! flight for as long as the test needs; a delivery command that blocks
//! does the same for delivery.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::path::Path;
use std::time::Duration;

use portico::secrets::{Backend, Pending, Vault};
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
    write_config_with(home, base, "")
}

/// The demo config with `extra` added to the project44 NA tenant.
fn write_config_with(home: &Path, base: &str, extra: &str) -> String {
    let path = home.join("config.toml");
    let mut text = demo_config(base);
    if !extra.is_empty() {
        // The first tenant is NA; its table ends where the second begins.
        let second = text[1..].find("[[tenants]]").map_or(text.len(), |i| i + 1);
        text.insert_str(second, &format!("{extra}\n"));
    }
    std::fs::write(&path, text).expect("write config");
    path.to_string_lossy().into_owned()
}

/// The store backend is pinned so the run does not depend on whether a
/// keyring answers on this machine.
const STORE: &[(&str, &str)] = &[("PORTICO_SECRET_STORE", "file")];

fn console(config: &str, home: &Path) -> Pty {
    Pty::portico(&["--config", config], home, STORE, 40, 140)
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

fn pending(data: &Path) -> Vec<Pending> {
    Vault::with_backend(data.join("issued"), Backend::File)
        .pending()
        .expect("the store reads")
}

/// Every file under the data dir, as bytes, for grepping.
fn every_file(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(every_file(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, bytes));
        }
    }
    out
}

fn kill9(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
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

/// Whether the process lived long enough to write its audit line: the
/// store comes first by design, so a kill just after it may leave none.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Audited {
    Always,
    IfWritten,
}

/// After portico has gone, the store holds exactly one pending secret,
/// the one the simulator issued, in no file in plaintext, and the audit
/// log records the rotation.
async fn assert_kept(sim: &Gated, data: &Path) -> (String, String) {
    assert_kept_audited(sim, data, Audited::Always).await
}

async fn assert_kept_audited(sim: &Gated, data: &Path, audited: Audited) -> (String, String) {
    let records = pending(data);
    assert_eq!(records.len(), 1, "one pending secret: {records:?}");
    let record = &records[0];
    let client_id = record.issued.public_id.clone().expect("client id");
    let secret = record.issued.secret.expose().to_string();
    assert!(!secret.is_empty());
    if audited == Audited::Always || data.join("audit.jsonl").exists() {
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
    }
    for (path, bytes) in every_file(data) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&secret),
            "{} holds the secret in plaintext",
            path.display()
        );
    }
    sim.gate.open();
    assert!(
        token_accepted(&sim.base, &client_id, &secret).await,
        "the stored secret is the one the simulator issued"
    );
    (client_id, secret)
}

/// The next start offers the pending secret again, byte for byte; confirming
/// it is stored erases Portico's copy.
fn offered_again_then_confirmed(config: &str, home: &Path, secret: &str) {
    let mut pty = console(config, home);
    pty.wait_for("Pending since");
    pty.wait_for("not confirmed stored");
    pty.send("v");
    pty.wait_for(secret);
    pty.send("\r");
    pty.wait_for("erased Portico's copy of the secret");
    pty.send("q");
    let (ok, _) = pty.wait_exit();
    assert!(ok, "portico exits with success");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_during_verification_keeps_the_new_secret_and_offers_it_again() {
    let sim = gated_simulator().await;
    let home = tempfile::tempdir().expect("tempdir");
    let config = write_config(home.path(), &sim.base);
    let data = home.path().join("data");
    tokio::task::block_in_place(|| {
        let mut pty = console(&config, home.path());
        rotate_and_hold(&mut pty, &sim.gate);
        pty.send("q");
        let (ok, _) = pty.wait_exit();
        assert!(ok, "portico exits with success");
    });
    let (_, secret) = assert_kept(&sim, &data).await;
    tokio::task::block_in_place(|| offered_again_then_confirmed(&config, home.path(), &secret));
    assert_eq!(pending(&data).len(), 0, "confirming erased the copy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_verification_keeps_the_new_secret() {
    let sim = gated_simulator().await;
    let home = tempfile::tempdir().expect("tempdir");
    let config = write_config(home.path(), &sim.base);
    let data = home.path().join("data");
    tokio::task::block_in_place(|| {
        let mut pty = console(&config, home.path());
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

/// Killed the moment the record is on disk: the secret has been decoded
/// and filed but not yet checked or drawn.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_right_after_the_secret_is_decoded_keeps_it() {
    let sim = gated_simulator().await;
    let home = tempfile::tempdir().expect("tempdir");
    let config = write_config(home.path(), &sim.base);
    let data = home.path().join("data");
    let store = data.join("issued");
    tokio::task::block_in_place(|| {
        let mut pty = console(&config, home.path());
        pty.wait_for("TMS Integration - Oracle OTM");
        pty.send("R");
        pty.wait_for("The old secret stops working at once.");
        pty.send("y");
        let deadline = std::time::Instant::now() + PATIENCE;
        let filed = || {
            std::fs::read_dir(&store)
                .into_iter()
                .flatten()
                .flatten()
                .any(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    name.ends_with(".json") && !name.starts_with('.')
                })
        };
        while !filed() {
            assert!(std::time::Instant::now() < deadline, "no record was filed");
            std::thread::yield_now();
        }
        kill9(pty.pid().expect("pid"));
        // Verification was held shut, so the screen never got to the secret.
        assert!(
            !pty.contents().contains(" New secret "),
            "{}",
            pty.contents()
        );
        let (ok, _) = pty.wait_exit();
        assert!(!ok, "SIGKILL is not a clean exit");
    });
    let (_, secret) = assert_kept_audited(&sim, &data, Audited::IfWritten).await;
    tokio::task::block_in_place(|| offered_again_then_confirmed(&config, home.path(), &secret));
    assert_eq!(pending(&data).len(), 0, "confirming erased the copy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_verification_keeps_the_new_secret() {
    let sim = gated_simulator().await;
    let home = tempfile::tempdir().expect("tempdir");
    let config = write_config(home.path(), &sim.base);
    let data = home.path().join("data");
    tokio::task::block_in_place(|| {
        let mut pty = console(&config, home.path());
        rotate_and_hold(&mut pty, &sim.gate);
        kill9(pty.pid().expect("pid"));
        let (ok, _) = pty.wait_exit();
        assert!(!ok, "SIGKILL is not a clean exit");
    });
    let (_, secret) = assert_kept(&sim, &data).await;
    tokio::task::block_in_place(|| offered_again_then_confirmed(&config, home.path(), &secret));
}

/// The delivery command says it has started (with its pid, so the test
/// can end it: in its own process group it outlives a killed Portico)
/// and then blocks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_delivery_keeps_the_new_secret_pending() {
    let sim = gated_simulator().await;
    sim.gate.open();
    let home = tempfile::tempdir().expect("tempdir");
    let marker = home.path().join("delivering");
    let delivery = format!(
        "[tenants.delivery]\ncommand = \"cat > /dev/null; echo $$ > '{}.tmp'; mv '{0}.tmp' '{0}'; exec sleep 300\"\ntimeout_secs = 280\n",
        marker.display()
    );
    let config = write_config_with(home.path(), &sim.base, &delivery);
    let data = home.path().join("data");
    let delivering = tokio::task::block_in_place(|| {
        let mut pty = console(&config, home.path());
        pty.wait_for("TMS Integration - Oracle OTM");
        pty.send("R");
        pty.wait_for("The old secret stops working at once.");
        pty.send("y");
        let deadline = std::time::Instant::now() + PATIENCE;
        let pid = loop {
            if let Ok(text) = std::fs::read_to_string(&marker) {
                break text.trim().to_string();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the delivery never started"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        kill9(pty.pid().expect("pid"));
        let (ok, _) = pty.wait_exit();
        assert!(!ok, "SIGKILL is not a clean exit");
        pid
    });
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &delivering])
        .status();
    let audit = audit_lines(&data);
    assert!(
        !audit.iter().any(|l| l["action"] == "deliver"),
        "the delivery never finished: {audit:?}"
    );
    let (_, secret) = assert_kept(&sim, &data).await;
    tokio::task::block_in_place(|| offered_again_then_confirmed(&config, home.path(), &secret));
}
