//! PTY probes of the release binary: the first frame (tenant bar, pane
//! titles, key hints), the first frame with the demo's data, the same
//! first frame in config mode against an address that never answers,
//! resident memory with 100,000 applications loaded in one tenant, and
//! filter keystroke and key press (Down) to frame on that pane, and
//! tenant switching among ten tenants whose every answer takes 2 s.
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

/// Median and 99th percentile: the figures the key-to-frame target names.
fn percentiles(what: &str, mut times: Vec<Duration>) {
    times.sort();
    // The nearest rank: the sample below which `percent` % of them lie.
    let at = |percent: usize| ms(times[((times.len() - 1) * percent).div_ceil(100)]);
    println!(
        "{what}: median {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} keys)",
        at(50),
        at(99),
        ms(times[times.len() - 1]),
        times.len()
    );
}

/// Types `7` then Backspace, `KEYS` times each, into the open filter of
/// a 100,000-row pane: how long until the frame shows the new query, and
/// until it shows the rows matched for it.
fn filter_probe(term: &mut pty::Pty) {
    // 500 samples, so the 99th percentile is the fifth slowest, not the
    // slowest of a few dozen.
    const KEYS: usize = 250;
    term.send("/");
    term.wait_until("the filter prompt", |s| {
        s.rows(0, 160)
            .last()
            .is_some_and(|row| row.starts_with('/'))
    });
    let (mut drawn, mut answered) = (Vec::new(), Vec::new());
    for _ in 0..KEYS {
        for (keys, typed) in [("7", true), ("\x7f", false)] {
            let started = Instant::now();
            term.send(keys);
            term.wait_until("the query drawn", |s| s.contents().contains("/7") == typed);
            drawn.push(started.elapsed());
            term.wait_until("the rows matched", |s| !s.contents().contains("filtering…"));
            answered.push(started.elapsed());
        }
    }
    percentiles("filter keystroke to frame, 100,000 rows", drawn);
    percentiles("filter keystroke to matched rows, 100,000 rows", answered);
    // Waited for, so the `q` that follows is not read as Alt-q.
    term.send("\x1b");
    term.wait_until("the filter closed", |s| {
        s.rows(0, 160)
            .last()
            .is_some_and(|row| !row.starts_with('/'))
    });
}

/// The selected row's name as the detail block under the pane draws it:
/// it changes in the same frame as the highlighted row.
fn selected_row(screen: &vt100::Screen) -> Option<String> {
    let (_, cols) = screen.size();
    let mut rows = screen.rows(0, cols.get());
    rows.find(|text| text.contains("┌ Detail"))?;
    rows.next()
}

/// Presses Down `KEYS` times on the 100,000-row pane: how long until the
/// frame shows the next row selected. Each press waits for its frame.
fn down_probe(term: &mut pty::Pty) {
    const KEYS: usize = 500;
    let first = term.with_screen(selected_row);
    assert!(first.is_some(), "a row is selected:\n{}", term.contents());
    let mut times = Vec::new();
    let mut before = first;
    for _ in 0..KEYS {
        let started = Instant::now();
        term.send("\x1b[B");
        term.wait_until("the next row selected", |s| {
            let now = selected_row(s);
            now.is_some() && now != before
        });
        times.push(started.elapsed());
        before = term.with_screen(selected_row);
    }
    percentiles("key press (Down) to frame, 100,000 rows", times);
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
    filter_probe(&mut term);
    down_probe(&mut term);
    term.send("q");
    let _ = term.wait_exit();
    drop(sim);

    switch_probe(&rt);
}

/// A row only each project44 region's demo list holds.
const REGION_ROWS: [&str; 3] = [
    "Freight Audit Reconciliation",
    "Customs Broker Status Push",
    "CI Smoke Tests",
];

/// Ten project44 tenants on a simulator that answers everything after
/// 2 s, the regions taken in turn. Each of the nine a digit reaches is
/// visited once and loaded; then switching among them is timed from the
/// key to the frame that shows the tenant's cached list.
fn switch_probe(rt: &tokio::runtime::Runtime) {
    const ROUNDS: usize = 4;
    let knobs = portico::sim::faults::Knobs::default().latency(Duration::from_secs(2));
    let sim = rt
        .block_on(portico::platform::registry::start_simulator_with(
            "127.0.0.1:0".parse().expect("addr"),
            &knobs,
        ))
        .expect("simulator");
    let demo: toml::Table = portico::sim::project44::demo_config(&sim.base_url())
        .parse()
        .expect("demo config");
    let regions = demo
        .get("tenants")
        .and_then(toml::Value::as_array)
        .expect("tenants")
        .clone();
    let tenants: Vec<toml::Value> = (0..10)
        .map(|i| {
            let mut tenant = regions[i % regions.len()].clone();
            if let Some(t) = tenant.as_table_mut() {
                t.insert("name".into(), format!("slow-{:02}", i + 1).into());
            }
            tenant
        })
        .collect();
    let mut config = toml::Table::new();
    config.insert("tenants".into(), tenants.into());
    let home = tempfile::tempdir().expect("tempdir");
    let path = home.path().join("config.toml");
    std::fs::write(&path, toml::to_string(&config).expect("toml")).expect("config");
    let config = path.to_string_lossy().into_owned();
    let mut term = pty::Pty::portico(&["--config", &config], home.path(), &[], 45, 160);
    term.wait_for("slow-10");
    let row = |digit: usize| REGION_ROWS[(digit - 1) % REGION_ROWS.len()];
    // Digit 1 is the tenant it opens on; 1 again after 9 differs in
    // region from 9, so each switch shows another list.
    for digit in 1..=9 {
        term.send(&digit.to_string());
        term.wait_within(row(digit), Duration::from_secs(30), |s| {
            s.contents().contains(row(digit))
        });
    }
    let mut times = Vec::new();
    for _ in 0..ROUNDS {
        for digit in 1..=9 {
            let started = Instant::now();
            term.send(&digit.to_string());
            term.wait_for(row(digit));
            times.push(started.elapsed());
        }
    }
    percentiles(
        "tenant switch to its cached list, 10 tenants answering after 2 s",
        times,
    );
    term.send("q");
    let _ = term.wait_exit();
}
