//! A scripted session across every platform that issues secrets: create,
//! rotate and delete, through the runtime against the simulator with the
//! diagnostics log at debug level, plus a rotation by the real binary.
//! Afterwards no issued secret and no password from the config is found in
//! plaintext in the audit log, the log file, the store's files or anything
//! the session said.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use portico::app::{Effect, Message};
use portico::audit::Audit;
use portico::config::Config;
use portico::model::{Kind, Pane, Resource};
use portico::platform::{Operation, Outcome, Progress, Source, Target, registry};
use portico::runtime::{Runtime, Stores};
use portico::secrets::{Backend, Vault};
use tokio::sync::mpsc;

const PATIENCE: Duration = Duration::from_mins(1);
const BIN: &str = env!("CARGO_BIN_EXE_portico");

struct Session {
    config: Config,
    runtime: Runtime,
    rx: mpsc::UnboundedReceiver<Message>,
    /// Everything the runtime said back, as text.
    said: String,
    /// Every secret the platforms issued.
    issued: Vec<String>,
    /// Who issued each, in the same order, for the failure message.
    issuers: Vec<String>,
    request: u64,
}

fn quiet() -> Progress {
    Arc::new(|_, _| {})
}

impl Session {
    fn tenant(&self, name: &str) -> usize {
        self.config
            .tenants()
            .iter()
            .position(|t| t.name() == name)
            .unwrap_or_else(|| panic!("no tenant {name}"))
    }

    async fn list(&self, tenant: &str, pane: Pane, parent: Option<&str>) -> Vec<Resource> {
        let config = self.config.tenants()[self.tenant(tenant)].clone();
        let platform = tokio::task::spawn_blocking(move || registry::connect(&config))
            .await
            .expect("join")
            .expect("connect");
        platform
            .list(Source::Pane(pane), parent, quiet())
            .await
            .expect("list")
    }

    /// Performs `op`. A throttled platform (Mashery paces at 2 QPS) may
    /// answer 429, which means nothing was done: the same request is
    /// sent again until it goes through or the deadline passes.
    async fn perform(&mut self, tenant: &str, op: Operation) -> Outcome {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            match self.perform_once(tenant, op.clone()).await {
                Ok(outcome) => return outcome,
                Err(err) if err.contains("rate limited") => {
                    assert!(tokio::time::Instant::now() < deadline, "{tenant}: {err}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => panic!("{tenant}: {err}"),
            }
        }
    }

    async fn perform_once(&mut self, tenant: &str, op: Operation) -> Result<Outcome, String> {
        self.request += 1;
        let verb = op.verb();
        self.runtime.execute(Effect::Perform {
            tenant: self.tenant(tenant),
            request: self.request,
            ops: vec![op],
        });
        loop {
            let msg = tokio::time::timeout(PATIENCE, self.rx.recv())
                .await
                .expect("an answer in time")
                .expect("channel open");
            let _ = writeln!(self.said, "{msg:?}");
            if let Message::Performed { result, saved, .. } = msg {
                let outcome = (*result)?;
                self.said.push_str(&outcome.summary);
                for check in &outcome.checks {
                    self.said.push('\n');
                    self.said.push_str(&check.label);
                }
                if let Some(saved) = saved {
                    let _ = write!(self.said, "\n{saved:?}\n");
                }
                if let Some(secret) = &outcome.secret {
                    let value = secret.secret.expose().to_string();
                    assert!(value.len() >= 8, "{tenant}: a real secret");
                    self.issued.push(value);
                    self.issuers.push(format!("{tenant} {verb}"));
                }
                return Ok(outcome);
            }
        }
    }

    /// Creates one, rotates it and deletes it; both secrets must be issued.
    async fn cycle(
        &mut self,
        tenant: &str,
        kind: Kind,
        parent: Option<&str>,
        values: &[(&str, &str)],
    ) {
        let before = self.issued.len();
        let made = self
            .perform(
                tenant,
                Operation::Create {
                    kind,
                    parent: parent.map(str::to_string),
                    values: values
                        .iter()
                        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                        .collect(),
                },
            )
            .await;
        let id = made.created.clone().expect("the new resource's id");
        let name = made
            .created_name
            .clone()
            .or_else(|| {
                values
                    .iter()
                    .find(|(k, _)| *k == "name")
                    .map(|(_, v)| (*v).to_string())
            })
            .unwrap_or_default();
        let target = Target {
            kind,
            id,
            name,
            parent: parent.map(str::to_string),
        };
        self.perform(
            tenant,
            Operation::Rotate {
                target: target.clone(),
                previous: None,
            },
        )
        .await;
        self.perform(tenant, Operation::Delete { target }).await;
        assert_eq!(
            self.issued.len(),
            before + 2,
            "{tenant}: the create and the rotation each issued a secret"
        );
    }
}

/// Every string in the config's credential tables.
fn config_passwords(text: &str) -> Vec<String> {
    let doc: toml::Value = toml::from_str(text).expect("toml");
    let mut out = Vec::new();
    for tenant in doc["tenants"].as_array().expect("tenants") {
        if let Some(auth) = tenant.get("auth").and_then(toml::Value::as_table) {
            for (key, value) in auth {
                let is_name = matches!(key.as_str(), "username" | "email" | "area_id");
                if let Some(s) = value.as_str()
                    && !is_name
                {
                    out.push(s.to_string());
                }
            }
        }
    }
    out
}

fn every_file(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_or_password_is_left_in_plaintext_anywhere() {
    let sim = registry::start_simulator("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("simulator");
    let text = registry::demo_config(&sim.base_url());
    let config = Config::parse(&text, "<demo>").expect("config");
    let passwords = config_passwords(&text);
    assert!(passwords.len() >= 4, "{passwords:?}");

    let home = tempfile::tempdir().expect("tempdir");
    let data = home.path().join("data");
    let log = portico::logging::init(&data, "debug").expect("log");
    let vault = Vault::with_backend(data.join("issued"), Backend::File);
    let stores = Stores {
        vault: vault.clone(),
        audit: Audit::new(data.join("audit.jsonl")),
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let mut s = Session {
        runtime: Runtime::new(tx, config.tenants().to_vec(), stores),
        config,
        rx,
        said: String::new(),
        issued: Vec::new(),
        issuers: Vec::new(),
        request: 0,
    };

    s.cycle(
        "p44-na",
        Kind::ClientApp,
        None,
        &[("name", "Leak Probe App")],
    )
    .await;
    s.cycle("kitsu", Kind::Bot, None, &[("name", "leak-probe-bot")])
        .await;
    let apps = s.list("losant", Pane::Applications, None).await;
    let app = apps
        .iter()
        .find(|a| a.name == "Fleet Telematics")
        .expect("a demo application")
        .id
        .clone();
    s.cycle(
        "losant",
        Kind::AccessKey,
        Some(&app),
        &[
            ("name", "Leak probe key"),
            ("description", "made by a test"),
        ],
    )
    .await;
    let apps = s
        .list("mashery", Pane::Applications, Some("blueharbor"))
        .await;
    let app = apps
        .iter()
        .find(|a| a.name == "Route Planner")
        .expect("a demo application")
        .id
        .clone();
    s.cycle(
        "mashery",
        Kind::PackageKey,
        Some(&app),
        &[("package", "shipment tracking api"), ("plan", "Gold")],
    )
    .await;

    // The real binary, logging at debug level into the same data dir.
    let config_path = home.path().join("config.toml");
    std::fs::write(&config_path, &text).expect("config");
    let before = vault.pending().expect("pending").len();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&config_path)
        .args([
            "--tenant",
            "p44-na",
            "apps",
            "rotate",
            "Yard Management Bridge",
            "--yes",
        ])
        .args(["--show-secret", "never", "-o", "json"])
        .env("PORTICO_DATA_DIR", &data)
        .env("PORTICO_SECRET_STORE", "file")
        .env("PORTICO_LOG", "debug")
        .stdin(Stdio::null())
        .output()
        .expect("rotate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    s.said.push_str(&String::from_utf8_lossy(&out.stdout));
    s.said.push_str(&String::from_utf8_lossy(&out.stderr));
    let pending = vault.pending().expect("pending");
    assert_eq!(
        pending.len(),
        before + 1,
        "the binary's rotation is pending"
    );
    let newest = pending
        .iter()
        .find(|p| p.name == "Yard Management Bridge")
        .expect("its record");
    s.issued.push(newest.issued.secret.expose().to_string());
    s.issuers.push("p44-na rotate by the binary".into());
    // The store holds every secret issued, and each reads back whole.
    for (value, issuer) in s.issued.iter().zip(&s.issuers) {
        assert!(
            pending.iter().any(|p| p.issued.secret.expose() == value),
            "the secret of {issuer} is missing from the store"
        );
    }

    // The log is real: it holds the requests, with credentials redacted.
    let logged = std::fs::read_to_string(&log).expect("log");
    assert!(logged.contains("request"), "{logged}");
    assert!(logged.contains("[redacted]"), "{logged}");
    assert!(logged.contains("performed"), "{logged}");
    assert!(
        std::fs::read_to_string(data.join("audit.jsonl"))
            .expect("audit")
            .lines()
            .filter(|l| l.contains("\"rotate\""))
            .count()
            >= 5
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&log).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the log is owner-only");
    }

    let files = every_file(&data);
    assert!(files.iter().any(|(p, _)| p.ends_with("store.key")));
    for needle in s.issued.iter().chain(&passwords) {
        for (path, bytes) in &files {
            assert!(
                !String::from_utf8_lossy(bytes).contains(needle.as_str()),
                "{} holds a secret or password in plaintext",
                path.display()
            );
        }
        assert!(
            !s.said.contains(needle.as_str()),
            "what the session said holds a secret or password"
        );
    }
}
