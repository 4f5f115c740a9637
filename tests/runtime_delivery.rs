//! Delivery of a new secret, through the runtime against the simulator:
//! the configured command gets the secret on stdin only, a delivered
//! secret stops being pending, a failed or hung delivery keeps it, and a
//! two-phase rotation retires the old key only when that is safe.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use portico::app::{Effect, Message};
use portico::audit::Audit;
use portico::config::Config;
use portico::model::{Kind, Pane, Resource};
use portico::platform::{Operation, Outcome, Platform, Progress, Source, Target, registry};
use portico::runtime::{Runtime, Stores};
use portico::secrets::Vault;
use serde_json::Value;
use tokio::sync::mpsc;

const PATIENCE: Duration = Duration::from_secs(30);

struct Harness {
    dir: tempfile::TempDir,
    _sim: portico::sim::Running,
    config: Config,
    vault: Vault,
    audit: PathBuf,
    runtime: Runtime,
    rx: mpsc::UnboundedReceiver<Message>,
}

/// One tenant of the simulator, with `delivery` (a TOML fragment that
/// may use `{dir}` for the test's directory) appended to it.
async fn harness(vendor: &str, delivery: &str) -> Harness {
    let sim = registry::start_simulator("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let base = sim.base_url();
    let tenant = match vendor {
        "project44" => format!(
            "[[tenants]]\nname = \"p44\"\nplatform = \"project44\"\nbase_url = \"{base}/project44/na\"\n\n\
             [tenants.auth]\nusername = \"admin@na.portico.demo\"\npassword = \"portico-demo-na\"\n"
        ),
        _ => registry::demo_config(&base)
            .split("[[tenants]]")
            .find(|t| t.contains(&format!("platform = \"{vendor}\"")))
            .map(|t| format!("[[tenants]]{t}"))
            .expect("a demo tenant"),
    };
    let text = format!("{tenant}\n{}", {
        #[allow(
            clippy::literal_string_with_formatting_args,
            reason = "a placeholder in the config text"
        )]
        delivery.replace("{dir}", &dir.path().display().to_string())
    });
    let config = Config::parse(&text, "<test>").expect("config");
    let vault = Vault::new(dir.path().join("issued"));
    let audit = dir.path().join("audit.jsonl");
    let stores = Stores {
        vault: vault.clone(),
        audit: Audit::new(&audit),
    };
    let (tx, rx) = mpsc::unbounded_channel();
    Harness {
        runtime: Runtime::new(tx, config.tenants().to_vec(), stores),
        dir,
        _sim: sim,
        config,
        vault,
        audit,
        rx,
    }
}

fn quiet() -> Progress {
    Arc::new(|_, _| {})
}

impl Harness {
    fn platform(&self) -> Arc<dyn Platform> {
        registry::connect(&self.config.tenants()[0]).expect("connect")
    }

    async fn list(&self, pane: Pane, parent: Option<&str>) -> Vec<Resource> {
        self.platform()
            .list(Source::Pane(pane), parent, quiet())
            .await
            .expect("list")
    }

    async fn perform(
        &mut self,
        op: Operation,
    ) -> (Result<Outcome, String>, Option<Result<PathBuf, String>>) {
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

    fn audit_lines(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.audit)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn target(res: &Resource, parent: Option<&str>) -> Target {
    Target {
        kind: res.kind,
        id: res.id.clone(),
        name: res.name.clone(),
        parent: parent.map(str::to_string),
    }
}

fn said(outcome: &Outcome) -> String {
    let mut text = outcome.summary.clone();
    for c in &outcome.checks {
        let _ = write!(
            text,
            "\n{} {}",
            if c.passed { "ok" } else { "FAILED" },
            c.label
        );
    }
    text
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

async fn first_p44_app(h: &Harness) -> Resource {
    h.list(Pane::Applications, None)
        .await
        .into_iter()
        .find(|r| r.kind == Kind::ClientApp)
        .expect("a demo application")
}

#[tokio::test]
async fn a_delivered_secret_reaches_the_command_on_stdin_and_is_no_longer_pending() {
    // The delivery command checks for itself that the secret is in
    // neither its arguments nor its environment.
    let mut h = harness(
        "project44",
        r#"[tenants.delivery]
command = '''
s=$(cat)
for f in /proc/$$/cmdline /proc/$$/environ; do
  if tr '\0' '\n' < "$f" | grep -qF -- "$s"; then echo "LEAK in $f" >&2; exit 9; fi
done
printf '%s' "$s" > '{dir}/delivered'
env | grep '^PORTICO_' | sort > '{dir}/env'
tr '\0' ' ' < /proc/$$/cmdline > '{dir}/cmdline'
'''
timeout_secs = 10
"#,
    )
    .await;
    let app = first_p44_app(&h).await;
    let (result, saved) = h
        .perform(Operation::Rotate {
            target: target(&app, None),
            previous: None,
        })
        .await;
    let outcome = result.expect("rotated");
    let secret = outcome.secret.clone().expect("a new secret");
    let secret = secret.secret.expose();
    assert_eq!(read(&h.path("delivered")), secret, "{}", said(&outcome));
    assert!(
        outcome.checks.iter().all(|c| c.passed),
        "{}",
        said(&outcome)
    );
    assert!(
        said(&outcome).contains("delivered by `"),
        "{}",
        said(&outcome)
    );
    let env = read(&h.path("env"));
    assert!(env.contains("PORTICO_TENANT=p44\n"), "{env}");
    assert!(env.contains("PORTICO_PLATFORM=project44\n"), "{env}");
    assert!(
        env.contains(&format!("PORTICO_RESOURCE_ID={}\n", app.id)),
        "{env}"
    );
    assert!(
        env.contains(&format!("PORTICO_RESOURCE_NAME={}\n", app.name)),
        "{env}"
    );
    assert!(
        env.contains("PORTICO_SECRET_LABEL=client secret\n"),
        "{env}"
    );
    assert!(!env.contains(secret));
    let cmdline = read(&h.path("cmdline"));
    assert!(cmdline.starts_with("sh -c "), "{cmdline}");
    assert!(!cmdline.contains(secret));
    assert!(saved.is_none(), "delivered: no copy is kept");
    assert!(h.vault.pending().expect("pending").is_empty());
    let lines = h.audit_lines();
    let deliver = lines
        .iter()
        .find(|l| l["action"] == "deliver")
        .expect("a deliver line");
    assert_eq!(deliver["outcome"], "ok");
    assert_eq!(deliver["resource_id"], app.id.as_str());
    assert!(
        deliver["detail"]
            .as_str()
            .is_some_and(|d| d.contains("delivered by `")),
        "{deliver}"
    );
    let audit = read(&h.audit);
    assert!(!audit.contains(secret));
}

#[tokio::test]
async fn a_failed_delivery_leaves_both_losant_keys_live_and_the_secret_pending() {
    let mut h = harness(
        "losant",
        "[tenants.delivery]\ncommand = \"s=$(cat); echo \\\"vault refused $s\\\" >&2; exit 3\"\n",
    )
    .await;
    let apps = h.list(Pane::Applications, None).await;
    let app = apps
        .iter()
        .find(|a| a.name == "Fleet Telematics")
        .expect("demo app")
        .id
        .clone();
    let keys = h.list(Pane::Certificates, Some(&app)).await;
    let old = keys
        .iter()
        .find(|r| r.name == "Route planner integration")
        .expect("demo key")
        .clone();
    let (result, saved) = h
        .perform(Operation::Rotate {
            target: target(&old, Some(&app)),
            previous: None,
        })
        .await;
    let outcome = result.expect("the new key was issued");
    let text = said(&outcome);
    let secret = outcome.secret.clone().expect("secret");
    let secret = secret.secret.expose();
    assert!(!text.contains(secret), "{text}");
    assert!(
        text.contains("exited with status 3: vault refused ***"),
        "{text}"
    );
    assert!(
        text.contains("are both active: the delivery failed"),
        "{text}"
    );
    assert!(
        outcome.follow_up.is_none(),
        "nothing offers to retire the old key"
    );
    let path = saved.expect("saved").expect("stored");
    let pending = h.vault.pending().expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].path, path);
    assert_eq!(pending[0].issued.secret.expose(), secret);
    let keys = h.list(Pane::Certificates, Some(&app)).await;
    let new_id = outcome.created.clone().expect("new key id");
    for id in [&old.id, &new_id] {
        let key = keys.iter().find(|k| &k.id == id).expect("key listed");
        assert_eq!(key.status.as_deref(), Some("active"), "{id}");
    }
    let lines = h.audit_lines();
    assert!(lines.iter().all(|l| l["action"] != "deactivate"));
    let deliver = lines
        .iter()
        .find(|l| l["action"] == "deliver")
        .expect("deliver line");
    assert_eq!(deliver["outcome"], "failed");
    assert!(!read(&h.audit).contains(secret));
}

#[tokio::test]
async fn a_hung_delivery_is_killed_at_its_deadline_and_the_secret_stays_pending() {
    let mut h = harness(
        "project44",
        "[tenants.delivery]\ncommand = \"sleep 300 & echo $! > '{dir}/child'; wait\"\ntimeout_secs = 1\n",
    )
    .await;
    let app = first_p44_app(&h).await;
    let started = std::time::Instant::now();
    let (result, saved) = h
        .perform(Operation::Rotate {
            target: target(&app, None),
            previous: None,
        })
        .await;
    assert!(started.elapsed() < Duration::from_secs(20));
    let outcome = result.expect("rotated");
    let text = said(&outcome);
    assert!(
        text.contains("did not finish within 1s and was killed"),
        "{text}"
    );
    assert!(saved.expect("saved").is_ok());
    assert_eq!(h.vault.pending().expect("pending").len(), 1);
    let pid = read(&h.path("child"));
    let stat = format!("/proc/{}/stat", pid.trim());
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let state = read(Path::new(&stat));
        if state.is_empty() || state.contains(") Z") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the delivery's child survived"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_delivered_and_verified_key_retires_the_old_one() {
    let mut h = harness(
        "losant",
        "[tenants.delivery]\ncommand = \"cat > '{dir}/delivered'\"\n",
    )
    .await;
    let apps = h.list(Pane::Applications, None).await;
    let app = apps
        .iter()
        .find(|a| a.name == "Fleet Telematics")
        .expect("demo app")
        .id
        .clone();
    let keys = h.list(Pane::Certificates, Some(&app)).await;
    let old = keys
        .iter()
        .find(|r| r.name == "Route planner integration")
        .expect("demo key")
        .clone();
    let (result, _) = h
        .perform(Operation::Rotate {
            target: target(&old, Some(&app)),
            previous: None,
        })
        .await;
    let outcome = result.expect("issued");
    let text = said(&outcome);
    let secret = outcome.secret.clone().expect("secret");
    assert_eq!(read(&h.path("delivered")), secret.secret.expose());
    // Delivered where it is used and proven by a device login: only now
    // does the old key go, with nothing left for the user to finish.
    assert!(text.contains("logs device"), "{text}");
    assert!(text.contains("old credential retired"), "{text}");
    assert!(outcome.follow_up.is_none(), "nothing left to finish");
    let keys = h.list(Pane::Certificates, Some(&app)).await;
    let old_now = keys.iter().find(|k| k.id == old.id).expect("old key");
    assert_eq!(old_now.status.as_deref(), Some("inactive"));
    let new_key = keys
        .iter()
        .find(|k| Some(k.id.as_str()) == outcome.created.as_deref())
        .or_else(|| keys.iter().find(|k| k.id != old.id && k.name == old.name))
        .expect("new key listed");
    assert_eq!(new_key.status.as_deref(), Some("active"));
}

/// A create's audit line names what it made: its own id, and its name even
/// where the form gave none (a certificate is named by its subject).
#[tokio::test]
async fn a_created_certificate_is_audited_under_its_own_id_and_name() {
    let mut h = harness("losant", "").await;
    let apps = h.list(Pane::Applications, None).await;
    let app = apps.first().expect("a demo application").id.clone();
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/certs/losant-fidelity-device.pem"
    ))
    .expect("fixture");
    let (result, _) = h
        .perform(Operation::Create {
            kind: Kind::Certificate,
            parent: Some(app.clone()),
            values: vec![("certificate".into(), pem)],
        })
        .await;
    let outcome = result.expect("uploaded");
    let id = outcome.created.clone().expect("the new certificate's id");
    assert_ne!(id, app, "not the parent's id");
    let line = h
        .audit_lines()
        .into_iter()
        .find(|l| l["action"] == "create")
        .expect("a create line");
    assert_eq!(line["resource_id"], id.as_str());
    let name = line["resource_name"].as_str().unwrap_or_default();
    assert!(!name.is_empty(), "{line}");
    assert_eq!(Some(name), outcome.created_name.as_deref());
}
