//! The console under hostile weather: slow servers, chaos, huge and
//! endless bodies, names built to drive the terminal. Every expectation
//! waits for the screen with a deadline; none sleeps.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use support::pty::Pty;
use support::sim::Standalone;

/// Below the simulator's 5 s latency, so an answer proves the UI did not
/// wait on a request. Generous for a debug build on a busy 2-core machine,
/// where these tests run beside each other.
const PROMPT: Duration = Duration::from_secs(3);
/// Under chaos a frame may wait behind a 50 MB body being cut off.
const CHAOS_PROMPT: Duration = Duration::from_secs(5);

fn has(text: &'static str) -> impl Fn(&vt100::Screen) -> bool {
    move |screen| screen.contents().contains(text)
}

/// The status line, above the hint bar, names the active tenant first.
fn status_names(screen: &vt100::Screen, name: &str) -> bool {
    let contents = screen.contents();
    let lines: Vec<&str> = contents.lines().collect();
    lines
        .iter()
        .rev()
        // A long error may spill the status line over the rows below it.
        .take(5)
        .any(|l| l.trim_start().starts_with(&format!("{name}  ")))
}

fn last_line_starts(name: &'static str) -> impl Fn(&vt100::Screen) -> bool {
    move |screen| status_names(screen, name)
}

#[test]
fn a_slow_platform_never_slows_the_console() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut pty = Pty::portico(&["--demo", "--latency", "5000"], home.path(), &[], 40, 140);
    pty.wait_for("p44-na");
    pty.wait_for("loading");
    // Help opens and closes while every request hangs.
    pty.send("?");
    pty.wait_within("help", PROMPT, has("Rotate the selection's secret"));
    pty.send("\x1b");
    pty.wait_within("help closed", PROMPT, |s| {
        !s.contents().contains("Rotate the selection's secret")
    });
    // Tenant switching, to a tenant that has not answered either.
    pty.send("4");
    pty.wait_within("mashery", PROMPT, has("Members"));
    pty.wait_within("mashery status", PROMPT, last_line_starts("mashery"));
    pty.send("5");
    pty.wait_within("kitsu", PROMPT, has("Productions"));
    // Navigation between panes.
    pty.send("\t");
    pty.wait_within("focus moved", PROMPT, has("┏ Bots"));
    pty.send("1");
    pty.wait_within("back to p44-na", PROMPT, last_line_starts("p44-na"));
    pty.send("q");
    let (ok, _) = pty.exit_within(PROMPT);
    assert!(ok, "quits at once with requests hanging");
}

#[test]
fn the_demo_takes_the_scale_knob() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut pty = Pty::portico(&["--demo", "--scale", "1000"], home.path(), &[], 40, 140);
    pty.wait_for("Scale application 000000");
    pty.wait_for("1008");
    pty.send("q");
    let (ok, _) = pty.exit_within(PROMPT);
    assert!(ok);
}

/// Scripted use across every demo tenant under `--chaos` for about
/// `rounds` passes: every key gets its frame, nothing panics, and a pane
/// that failed names its retry key.
fn chaos_run(rounds: usize) {
    let home = tempfile::tempdir().expect("tempdir");
    // The simulator runs as a process of its own, so the console's memory
    // is measured apart from the 50 MB and endless bodies it streams.
    let sim = Standalone::start(&["--chaos"]);
    let config = home.path().join("config.toml");
    std::fs::write(&config, sim.config()).expect("write config");
    let config = config.to_string_lossy().into_owned();
    let mut pty = Pty::portico(&["--config", &config], home.path(), &[], 40, 160);
    pty.wait_for("p44-na");
    let tenants = [
        ('1', "p44-na"),
        ('2', "p44-eu"),
        ('3', "p44-sandbox"),
        ('4', "mashery"),
        ('5', "kitsu"),
        ('6', "evrythng-us"),
        ('7', "evrythng-eu"),
        ('8', "losant"),
    ];
    for round in 0..rounds {
        for (key, name) in tenants {
            pty.send(&key.to_string());
            pty.wait_within(name, CHAOS_PROMPT, |s| status_names(s, name));
            pty.send("?");
            pty.wait_within("help", CHAOS_PROMPT, has("Rotate the selection's secret"));
            pty.send("\x1b");
            pty.wait_within("help closed", CHAOS_PROMPT, |s| {
                !s.contents().contains("Rotate the selection's secret")
            });
            if round % 2 == 1 {
                pty.send("r");
            }
            // Every failed pane says how to try again. A frame reaches the
            // terminal in pieces, so one read may catch a pane's error line
            // before the remedy below it: what counts is a whole frame.
            pty.wait_within("a failed pane names its remedy", CHAOS_PROMPT, |s| {
                let contents = s.contents();
                let in_pane = |l: &str| l.contains("│✗ ") || l.contains("┃✗ ");
                !contents.lines().any(in_pane)
                    || contents
                        .lines()
                        .any(|l| l.contains("to retry") || l.contains("then press"))
            });
        }
    }
    // The console alone: however many 50 MB or endless bodies overlap,
    // what they buffer together stays within the shared body budget
    // (32 MiB past each body's first MiB), so a run of any length is held
    // to 160 MiB. A single such body is held to 100 MiB in
    // `huge_and_endless_bodies_stop_at_the_cap`.
    if let Some(kib) = pty.pid().and_then(peak_rss_kib) {
        eprintln!("peak memory after {rounds} rounds: {kib} KiB");
        assert!(kib < 160 * 1024, "peak memory {kib} KiB");
    }
    pty.send("q");
    let (ok, raw) = pty.exit_within(Duration::from_secs(5));
    let text = String::from_utf8_lossy(&raw);
    assert!(!text.contains("panicked"), "no panic");
    assert!(ok, "quits cleanly after chaos");
}

#[test]
fn chaos_across_every_platform_short() {
    chaos_run(2);
}

/// The long run for CI: `PORTICO_CHAOS_ROUNDS` passes (about 5 minutes at 1600 on 2 cores).
#[test]
#[ignore = "long: run by .ci/run"]
fn chaos_across_every_platform_long() {
    let rounds = std::env::var("PORTICO_CHAOS_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(150);
    chaos_run(rounds);
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// A stand-in project44 host answering every request with `body`, a
/// writer of the answer after its headers.
fn stand_in(body: fn(&mut std::net::TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut conn = conn;
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf);
                let _ = conn.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n",
                );
                body(&mut conn);
            });
        }
    });
    format!("http://{addr}")
}

fn config_for(home: &std::path::Path, base: &str) -> String {
    let path = home.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[[tenants]]\nname = \"hostile\"\nplatform = \"project44\"\nbase_url = \"{base}\"\n\
             timeout_secs = 300\n\n[tenants.auth]\nusername = \"u\"\npassword = \"p\"\n"
        ),
    )
    .expect("write config");
    path.to_string_lossy().into_owned()
}

fn huge(conn: &mut std::net::TcpStream) {
    let chunk = vec![b' '; 64 * 1024];
    let _ = conn.write_all(b"{\"clientApplications\": [");
    for _ in 0..(50_000_000 / chunk.len()) {
        if conn.write_all(&chunk).is_err() {
            return;
        }
    }
    let _ = conn.write_all(b"]}");
}

fn endless(conn: &mut std::net::TcpStream) {
    let chunk = vec![b' '; 64 * 1024];
    let _ = conn.write_all(b"{\"clientApplications\": [");
    while conn.write_all(&chunk).is_ok() {}
}

fn drip(conn: &mut std::net::TcpStream) {
    let _ = conn.write_all(b"{\"clientApplications\": [");
    // One byte at a time, slowly: the body is always still arriving. The
    // pause paces the writer, no test waits on it.
    for _ in 0..100_000 {
        if conn.write_all(b" ").is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn huge_and_endless_bodies_stop_at_the_cap() {
    for body in [huge as fn(&mut std::net::TcpStream), endless] {
        let home = tempfile::tempdir().expect("tempdir");
        let config = config_for(home.path(), &stand_in(body));
        let mut pty = Pty::portico(&["--config", &config], home.path(), &[], 40, 140);
        pty.wait_for("larger than 8 MiB");
        pty.wait_for("to retry");
        if let Some(kib) = pty.pid().and_then(peak_rss_kib) {
            assert!(kib < 100 * 1024, "peak memory {kib} KiB");
        }
        pty.send("q");
        let (ok, _) = pty.exit_within(PROMPT);
        assert!(ok);
    }
}

#[test]
fn q_quits_while_a_body_is_still_arriving() {
    let home = tempfile::tempdir().expect("tempdir");
    let config = config_for(home.path(), &stand_in(drip));
    let mut pty = Pty::portico(&["--config", &config], home.path(), &[], 40, 140);
    pty.wait_for("loading");
    pty.send("q");
    let (ok, _) = pty.exit_within(PROMPT);
    assert!(ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_built_to_drive_the_terminal_are_drawn_inert() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = portico::platform::registry::start_simulator("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("simulator");
    let hostile = "Evil\x1b[2J\x1b]52;c;cHduZWQ=\x07\x1b]8;;http://x.test/\x1b\\link\x1b]8;;\x1b\\\u{202e}txt\u{200d}end";
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/project44/eu/api/v4/oauth2/client-applications",
            sim.base_url()
        ))
        .basic_auth("admin@eu.portico.demo", Some("portico-demo-eu"))
        .json(&serde_json::json!({ "name": hostile }))
        .send()
        .await
        .expect("create");
    assert!(resp.status().is_success(), "{}", resp.status());
    let home = tempfile::tempdir().expect("tempdir");
    let path = home.path().join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[[tenants]]\nname = \"eu\"\nplatform = \"project44\"\nbase_url = \"{}/project44/eu\"\n\n\
             [tenants.auth]\nusername = \"admin@eu.portico.demo\"\npassword = \"portico-demo-eu\"\n",
            sim.base_url()
        ),
    )
    .expect("config");
    let config = path.to_string_lossy().into_owned();
    tokio::task::block_in_place(|| {
        let mut pty = Pty::portico(&["--config", &config], home.path(), &[], 40, 200);
        pty.wait_for("Rotterdam Port Events Relay");
        // Select the hostile one with the filter, then open the detail.
        pty.send("/Evil");
        pty.wait_for("/Evil");
        pty.send("\r");
        pty.wait_for("name (escaped):");
        let screen = pty.contents();
        assert!(screen.contains("Evil^[[2J^[]52;c;cHduZWQ=^G"), "{screen}");
        assert!(screen.contains("^[]8;;http://x.test/^[\\link"), "{screen}");
        assert!(screen.contains("\\u{202e}txt\\u{200d}end"), "{screen}");
        let raw = pty.raw();
        for bad in [
            &b"\x1b[2J"[..],
            b"\x1b]52",
            b"\x1b]8;",
            "\u{202e}".as_bytes(),
            "\u{200d}".as_bytes(),
            b"cHduZWQ=\x07",
        ] {
            assert!(
                !raw.windows(bad.len()).any(|w| w == bad),
                "{bad:?} reached the terminal"
            );
        }
        pty.send("q");
        let (ok, _) = pty.wait_exit();
        assert!(ok);
    });
}
