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

/// A terminal can vanish without a SIGHUP: when Portico runs in a session
/// of its own, the pty is nobody's controlling terminal, and closing its
/// master only turns reads into end-of-file. The console must end then,
/// not live on without a screen.
#[cfg(unix)]
#[test]
fn a_terminal_gone_without_a_hangup_signal_ends_the_console() {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::time::Instant;

    let home = tempfile::tempdir().expect("tempdir");
    let (mut master, slave) = {
        let (mut m, mut s) = (-1, -1);
        let size = libc::winsize {
            ws_row: 30,
            ws_col: 120,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: out-pointers to two ints and a valid winsize; no name buffer.
        let rc = unsafe {
            libc::openpty(
                &raw mut m,
                &raw mut s,
                std::ptr::null_mut(),
                std::ptr::null(),
                &raw const size,
            )
        };
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: a descriptor just opened. Without close-on-exec Portico
        // would inherit the master and hold its own terminal open.
        unsafe { libc::fcntl(m, libc::F_SETFD, libc::FD_CLOEXEC) };
        // SAFETY: openpty returned two fresh descriptors that nothing else owns.
        unsafe {
            (
                std::fs::File::from(OwnedFd::from_raw_fd(m)),
                OwnedFd::from_raw_fd(s),
            )
        }
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_portico"));
    cmd.arg("--demo")
        .current_dir(home.path())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_DATA_HOME", home.path().join(".local/share"))
        .env("PORTICO_DATA_DIR", home.path().join("data"))
        .env("TERM", "xterm-256color")
        .env_remove("PORTICO_CONFIG")
        .stdin(Stdio::from(slave.try_clone().expect("dup")))
        .stdout(Stdio::from(slave.try_clone().expect("dup")))
        .stderr(Stdio::from(slave));
    // SAFETY: setsid is async-signal-safe. A new session has no controlling
    // terminal, and an inherited descriptor does not make the pty one.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("spawn portico");
    // The parent's copies of the slave go with the command, so closing the
    // master below is the pty's last close.
    drop(cmd);

    // Read on this thread: a reader thread blocked on the master would keep
    // it open after the drop. The demo's data must be in, so that no draw
    // is left to fail on the closed terminal and end the console by itself.
    let deadline = Instant::now() + support::pty::PATIENCE;
    let mut screen = vt100::Parser::new(
        std::num::NonZeroU16::new(30).expect("rows"),
        std::num::NonZeroU16::new(120).expect("cols"),
        0,
    );
    while !screen.screen().contents().contains("TMS Integration") {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let _ = child.kill();
            panic!("no demo data; screen was:\n{}", screen.screen().contents());
        }
        let mut fds = [libc::pollfd {
            fd: master.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        let wait = i32::try_from(left.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: one valid pollfd, for the length given.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), 1, wait) };
        if ready > 0 {
            let mut buf = [0u8; 8192];
            let n = master.read(&mut buf).expect("read the pty");
            screen.process(&buf[..n]);
        }
    }
    drop(master);

    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let ended = rx.recv_timeout(Duration::from_secs(10));
    if ended.is_err() {
        // SAFETY: signalling our own child, which has not been reaped.
        unsafe { libc::kill(i32::try_from(pid).expect("pid"), libc::SIGKILL) };
    }
    assert!(
        ended.is_ok(),
        "the console lived on for 10 s after its terminal closed"
    );
}
