//! The command-line twins against a real `portico sim` process: output
//! formats, exit codes, the --yes/--confirm rails, read-only refusal,
//! rotate storing its secret, find with a tenant down, expiring's exit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::sim::Standalone;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_portico");

struct Sim {
    _simulator: Standalone,
    dir: tempfile::TempDir,
    config: PathBuf,
}

/// Starts `portico sim` on a free port and writes a config without the
/// throttled platform (its 2 QPS pacing makes a full crawl slow), plus a
/// read-only, a protected and an unreachable tenant.
fn sim() -> Sim {
    let sim = Standalone::start(&[]);
    let mut blocks: Vec<String> = sim
        .config()
        .split("[[tenants]]")
        .skip(1)
        .filter(|b| !b.contains("platform = \"mashery\""))
        .map(|b| format!("[[tenants]]{b}"))
        .collect();
    let na = blocks
        .iter()
        .find(|b| b.contains("name = \"p44-na\""))
        .expect("p44-na")
        .clone();
    blocks.push(na.replace("name = \"p44-na\"", "name = \"ro\"\nread_only = true"));
    blocks.push(na.replace("name = \"p44-na\"", "name = \"guarded\"\nprotected = true"));
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, blocks.concat()).expect("write config");
    Sim {
        _simulator: sim,
        dir,
        config,
    }
}

impl Sim {
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run_with(&self, config: &Path, args: &[&str]) -> Output {
        Command::new(BIN)
            .arg("--config")
            .arg(config)
            .args(args)
            .env("PORTICO_DATA_DIR", self.data())
            .stdin(Stdio::null())
            .output()
            .expect("run portico")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(&self.config, args)
    }

    /// The same config plus a tenant nobody listens for.
    fn with_unreachable(&self) -> PathBuf {
        let mut text = std::fs::read_to_string(&self.config).expect("config");
        text.push_str(
            "\n[[tenants]]\nname = \"down\"\nplatform = \"losant\"\nbase_url = \"http://127.0.0.1:9\"\n\n[tenants.auth]\ntoken = \"x\"\n",
        );
        let path = self.dir.path().join("with-down.toml");
        std::fs::write(&path, text).expect("write");
        path
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

#[test]
fn list_in_every_format_with_one_schema() {
    let sim = sim();
    let out = sim.run(&["--tenant", "losant", "certs", "list", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows = json(&out);
    let rows = rows.as_array().expect("an array");
    assert!(!rows.is_empty());
    for row in rows {
        for key in [
            "id", "name", "kind", "state", "status", "expires", "tenant", "platform", "parent",
            "details", "raw", "pane",
        ] {
            assert!(row.get(key).is_some(), "{key} missing in {row}");
        }
        assert_eq!(row["tenant"], "losant");
        assert!(
            row["parent"].is_string(),
            "credentials live under an application"
        );
    }
    assert!(rows.iter().any(|r| r["kind"] == "certificate-authority"));

    let out = sim.run(&["--tenant", "kitsu", "bots", "list", "-o", "csv"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("TENANT,KIND,ID,NAME,STATE,EXPIRES,PARENT")
    );
    assert!(lines.all(|l| l.starts_with("kitsu,bot,")), "{text}");

    let out = sim.run(&["--tenant", "kitsu", "bots", "list", "-o", "yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).starts_with("- \"details\":"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("  \"kind\": \"bot\""));

    let out = sim.run(&["--tenant", "kitsu", "bots", "list", "-o", "table"]);
    assert!(stdout(&out).starts_with("TENANT"), "{}", stdout(&out));

    // Without --tenant every tenant is listed.
    let out = sim.run(&["apps", "list", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let tenants: std::collections::BTreeSet<String> = json(&out)
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["tenant"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        tenants.contains("p44-na") && tenants.contains("losant"),
        "{tenants:?}"
    );
}

#[test]
fn exit_codes_for_usage_not_found_and_read_only() {
    let sim = sim();
    let out = sim.run(&["--tenant", "p44-na", "apps", "get", "no such app"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let out = sim.run(&["apps", "frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = sim.run(&["--tenant", "nowhere", "apps", "list"]);
    assert_eq!(out.status.code(), Some(2));
    let out = sim.run(&["--tenant", "p44-na", "apps", "create", "--set", "nope=1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    let audit = sim.data().join("audit.jsonl");
    let before = std::fs::read_to_string(&audit).unwrap_or_default();
    let out = sim.run(&[
        "--tenant",
        "ro",
        "apps",
        "delete",
        "CI Smoke Tests",
        "--yes",
    ]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("read-only"));
    let out = sim.run(&["--tenant", "ro", "apps", "create", "--set", "name=x"]);
    assert_eq!(out.status.code(), Some(5));
    // Read-only tenants are still readable.
    let out = sim.run(&[
        "--tenant",
        "ro",
        "apps",
        "get",
        "CI Smoke Tests",
        "-o",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "p44-na's apps are not the sandbox's"
    );
    let out = sim.run(&["--tenant", "ro", "apps", "list", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&audit).unwrap_or_default(), before);
}

/// The console's refusals hold on the command line too: the account the
/// tenant signs in as is neither deactivated nor demoted, and nothing is
/// sent.
#[test]
fn the_signed_in_account_is_refused_as_in_the_console() {
    let sim = sim();
    let audit = sim.data().join("audit.jsonl");
    let before = std::fs::read_to_string(&audit).unwrap_or_default();
    let me = "Camille Durand";
    for args in [
        &["members", "disable", me][..],
        &["members", "update", me, "--set", "role=user"][..],
    ] {
        let out = sim.run(&[&["--tenant", "kitsu"][..], args].concat());
        assert_eq!(out.status.code(), Some(5), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("signs in as"), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read_to_string(&audit).unwrap_or_default(), before);
    let out = sim.run(&["--tenant", "kitsu", "members", "get", me, "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got = json(&out);
    assert_eq!(got[0]["status"], "active", "{got}");
}

/// `portico … | head -1`: the reader has gone, which is not a problem to
/// report on stderr.
#[test]
fn a_closed_pipe_is_not_reported() {
    let sim = sim();
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&sim.config)
        .args(["--tenant", "p44-na", "apps", "list", "-o", "json"])
        .env("PORTICO_DATA_DIR", sim.data())
        .stdin(Stdio::null())
        .stdout(writer)
        .output()
        .expect("run portico");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "");
}

#[test]
fn destructive_verbs_need_yes_and_on_protected_tenants_the_name() {
    let sim = sim();
    let name = "Freight Audit Reconciliation";
    let out = sim.run(&["--tenant", "p44-na", "apps", "delete", name]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));

    let out = sim.run(&["--tenant", "guarded", "apps", "delete", name, "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--confirm"), "{}", stderr(&out));
    let out = sim.run(&[
        "--tenant",
        "guarded",
        "apps",
        "delete",
        name,
        "--yes",
        "--confirm",
        "wrong",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = sim.run(&["--tenant", "guarded", "apps", "get", name]);
    assert_eq!(out.status.code(), Some(0), "still there after the refusals");

    let out = sim.run(&[
        "--tenant",
        "guarded",
        "apps",
        "delete",
        name,
        "--yes",
        "--confirm",
        name,
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["verb"], "delete");
    let out = sim.run(&["--tenant", "guarded", "apps", "get", name]);
    assert_eq!(out.status.code(), Some(4));
    let audit = std::fs::read_to_string(sim.data().join("audit.jsonl")).expect("audited");
    assert!(
        audit.contains("\"guarded\"") && audit.contains(name),
        "{audit}"
    );
}

#[test]
fn rotate_stores_the_secret_and_prints_it_only_when_allowed() {
    let sim = sim();
    let name = "Yard Management Bridge";
    let out = sim.run(&[
        "--tenant",
        "p44-na",
        "apps",
        "rotate",
        name,
        "--yes",
        "--show-secret",
        "never",
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["secret"]["stored"], true);
    assert!(report["secret"].get("value").is_none(), "{report}");

    let pending = Command::new(BIN)
        .args(["secrets", "pending"])
        .env("PORTICO_DATA_DIR", sim.data())
        .output()
        .expect("secrets pending");
    let listed = stdout(&pending);
    assert!(
        listed.contains("p44-na") && listed.contains(name),
        "{listed}"
    );

    // stdout is a pipe here, so the default prints it.
    let out = sim.run(&[
        "--tenant", "p44-na", "apps", "rotate", name, "--yes", "-o", "table",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let printed = stdout(&out);
    let secret = printed.trim();
    assert!(secret.len() >= 16 && !secret.contains(' '), "{printed}");
    assert!(
        !stderr(&out).contains(secret),
        "the secret stays off stderr"
    );
    let id = stdout(
        &Command::new(BIN)
            .args(["secrets", "pending"])
            .env("PORTICO_DATA_DIR", sim.data())
            .output()
            .expect("pending"),
    )
    .lines()
    .last()
    .and_then(|l| l.split('\t').next().map(str::to_string))
    .expect("a pending id");
    let shown = Command::new(BIN)
        .args(["secrets", "show", &id])
        .env("PORTICO_DATA_DIR", sim.data())
        .output()
        .expect("show");
    assert_eq!(stdout(&shown).trim(), secret);
}

#[test]
fn find_streams_the_tenants_that_answer_and_names_the_one_down() {
    let sim = sim();
    let config = sim.with_unreachable();
    let out = sim.run_with(
        &config,
        &["find", "sync", "-o", "json", "--deadline", "30s"],
    );
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    let doc = json(&out);
    let results = doc["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["tenant"] == "p44-na" && r["name"] == "Carrier Visibility Sync"),
        "{doc}"
    );
    assert!(results.iter().all(|r| {
        r["name"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
            .contains("sync")
            || r["id"]
                .as_str()
                .unwrap_or_default()
                .to_lowercase()
                .contains("sync")
    }));
    let down = doc["tenants"]
        .as_array()
        .expect("tenants")
        .iter()
        .find(|t| t["tenant"] == "down")
        .expect("the unreachable tenant is reported");
    assert_eq!(down["status"], "down");

    let out = sim.run_with(&config, &["find", "sync", "-o", "table"]);
    let table = stdout(&out);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("down") && l.contains("down")),
        "{table}"
    );
}

#[test]
fn expiring_exits_nonzero_within_the_window_and_sorts_soonest_first() {
    let sim = sim();
    let out = sim.run(&["expiring", "--within", "30d", "-o", "json"]);
    assert_eq!(out.status.code(), Some(9), "{}", stderr(&out));
    let doc = json(&out);
    let rows = doc["results"].as_array().expect("results");
    assert!(rows.iter().any(|r| r["kind"] == "certificate"));
    assert!(rows.iter().any(|r| r["kind"] == "bot"));
    let days: Vec<i64> = rows
        .iter()
        .filter_map(|r| r["days_left"].as_i64())
        .collect();
    assert_eq!(days.len(), rows.len());
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "{days:?}");
    assert!(days.iter().all(|d| *d <= 30));

    // Only tenants with nothing expiring: a clean exit.
    let out = sim.run(&[
        "--tenant", "p44-na", "expiring", "--within", "30d", "-o", "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["results"], Value::Array(Vec::new()));
}

#[test]
fn get_puts_the_vendors_own_document_under_raw() {
    let sim = sim();
    let out = sim.run(&["--tenant", "evrythng-us", "projects", "list", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let listed: Value = serde_json::from_slice(&out.stdout).expect("json");
    let id = listed[0]["id"].as_str().expect("an id").to_string();
    let out = sim.run(&[
        "--tenant",
        "evrythng-us",
        "projects",
        "get",
        &id,
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got: Value = serde_json::from_slice(&out.stdout).expect("json");
    let record = if got.is_array() { &got[0] } else { &got };
    let raw = &record["raw"];
    assert_eq!(raw["id"], id.as_str(), "{raw}");
    // EVRYTHNG's own shape: integer milliseconds, which no detail map has.
    assert!(raw["createdAt"].is_i64(), "{raw}");
    assert!(raw["shortDomains"].is_array(), "{raw}");
}
