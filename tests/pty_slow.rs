//! A tenant that never answers must not hold the console hostage.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::net::TcpListener;

use support::pty::Pty;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_tenant_spins_while_the_user_moves_on() {
    // Accepts connections and never answers them.
    let hole = TcpListener::bind("127.0.0.1:0").expect("bind");
    let hole_addr = hole.local_addr().expect("addr");
    std::thread::spawn(move || {
        #[allow(
            clippy::collection_is_never_read,
            reason = "holds each connection open, unanswered"
        )]
        let mut held = Vec::new();
        for conn in hole.incoming().flatten() {
            held.push(conn);
        }
    });
    let sim = portico::platform::registry::start_simulator("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("simulator");
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[[tenants]]
name = "stuck"
platform = "project44"
base_url = "http://{hole_addr}"
timeout_secs = 300

[tenants.auth]
username = "u"
password = "p"

[[tenants]]
name = "healthy"
platform = "project44"
base_url = "{}/project44/eu"

[tenants.auth]
username = "admin@eu.portico.demo"
password = "portico-demo-eu"
"#,
            sim.base_url()
        ),
    )
    .expect("write config");
    let config = config.to_string_lossy().into_owned();
    let mut pty = tokio::task::block_in_place(|| {
        Pty::portico(&["--config", &config], home.path(), &[], 40, 140)
    });
    tokio::task::block_in_place(|| {
        pty.wait_for("stuck");
        pty.wait_for("in flight");
        pty.wait_for("loading");
        // Moving and opening help still work while the request hangs.
        pty.send("?");
        pty.wait_for("Rotate the selection's secret");
        pty.send("\x1b");
        pty.wait_gone("Rotate the selection's secret");
        pty.send("2");
        pty.wait_for("Rotterdam Port Events Relay");
        pty.send("1");
        pty.wait_gone("Rotterdam Port Events Relay");
        pty.send("q");
        let (ok, _) = pty.wait_exit();
        assert!(ok, "quits cleanly with a request still hanging");
    });
}
