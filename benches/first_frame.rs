//! PTY probes of the release binary: the first frame (tenant bar, pane
//! titles, key hints), the first frame with the demo's data, the same
//! first frame in config mode against an address that never answers,
//! and resident memory with 100,000 applications loaded in one tenant.
//! Run: cargo bench --bench `first_frame`  (uses the bench profile binary)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

#[path = "../tests/support/pty.rs"]
#[allow(dead_code)]
mod pty;

use std::time::{Duration, Instant};

const RUNS: usize = 7;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(what: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{what}: median {:.1} ms, min {:.1} ms, max {:.1} ms ({} runs)",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    );
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let (mut first, mut with_data) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let home = tempfile::tempdir().expect("tempdir");
        let started = Instant::now();
        let mut term = pty::Pty::portico(&["--demo"], home.path(), &[], 45, 160);
        term.wait_for("Client applications");
        first.push(started.elapsed());
        term.wait_for("TMS Integration - Oracle OTM");
        with_data.push(started.elapsed());
        term.send("q");
        let _ = term.wait_exit();
    }
    summary("first frame, demo, 160x45", first);
    summary("first frame with data, demo, 160x45", with_data);

    // Config mode: port 9 (discard) on loopback is closed, so nothing answers.
    let mut config_first = Vec::new();
    for _ in 0..RUNS {
        let home = tempfile::tempdir().expect("tempdir");
        let path = home.path().join("config.toml");
        std::fs::write(
            &path,
            portico::platform::registry::demo_config("http://127.0.0.1:9"),
        )
        .expect("config");
        let config = path.to_string_lossy().into_owned();
        let started = Instant::now();
        let mut term = pty::Pty::portico(&["--config", &config], home.path(), &[], 45, 160);
        term.wait_for("Client applications");
        config_first.push(started.elapsed());
        term.send("q");
        let _ = term.wait_exit();
    }
    summary("first frame, config mode, 160x45", config_first);

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let sim = rt
        .block_on(portico::sim::start(
            "127.0.0.1:0".parse().expect("addr"),
            axum::Router::new().nest(
                "/project44",
                portico::sim::project44::router_with_scale(100_000),
            ),
        ))
        .expect("simulator");
    let home = tempfile::tempdir().expect("tempdir");
    let path = home.path().join("config.toml");
    std::fs::write(&path, portico::sim::project44::demo_config(&sim.base_url())).expect("config");
    let config = path.to_string_lossy().into_owned();
    let started = Instant::now();
    let mut term = pty::Pty::portico(&["--config", &config], home.path(), &[], 45, 160);
    term.wait_for("Scale application 000000");
    let loaded = started.elapsed();
    let pid = term.pid().expect("pid");
    println!(
        "100,000 applications, one tenant: listed in {:.0} ms, RSS {:.1} MiB",
        ms(loaded),
        f64::from(u32::try_from(rss_kib(pid)).unwrap_or(u32::MAX)) / 1024.0
    );
    term.send("q");
    let _ = term.wait_exit();
}
