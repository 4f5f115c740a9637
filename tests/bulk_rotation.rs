//! A bulk rotation of fifty project44 applications through the runtime,
//! against the simulator failing every fifth new-secret call: the results
//! match the server item by item, every issued secret is pending in the
//! store and authenticates, and the export holds exactly those secrets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::collections::HashMap;
use std::time::{Duration, Instant};

use portico::app::{BulkOutcome, BulkTarget, Effect, ExportFormat, Message};
use portico::audit::Audit;
use portico::config::Config;
use portico::model::{Kind, Secret};
use portico::platform::project44::Project44;
use portico::platform::{Operation, Platform, Target};
use portico::runtime::{Runtime, Stores};
use portico::secrets::Vault;
use portico::sim::faults::Knobs;
use tokio::sync::mpsc;

const APPS: usize = 50;
const EVERY: u32 = 5;
const PATIENCE: Duration = Duration::from_secs(90);
const USER: &str = "admin@sandbox.portico.demo";
const PASSWORD: &str = "portico-demo-sandbox";

async fn next(rx: &mut mpsc::UnboundedReceiver<Message>, deadline: Instant) -> Message {
    let left = deadline.saturating_duration_since(Instant::now());
    tokio::time::timeout(left, rx.recv())
        .await
        .expect("an answer before the deadline")
        .expect("channel open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_rotations_with_failures_match_the_server_item_by_item() {
    let knobs = Knobs::default()
        .fail_every("/new-secret", EVERY)
        .only(vec!["project44".into()]);
    let sim = portico::platform::registry::start_simulator_with(
        "127.0.0.1:0".parse().expect("addr"),
        &knobs,
    )
    .await
    .expect("simulator");
    let url = format!("{}/project44/sandbox", sim.base_url());
    let admin = Project44::new(
        &url,
        Duration::from_secs(10),
        USER.into(),
        Secret::new(PASSWORD),
    )
    .expect("adapter");

    // Fifty applications, each with the secret it was created with.
    let mut apps: Vec<(Target, Secret)> = Vec::new();
    for i in 0..APPS {
        let name = format!("Bulk robot {i:02}");
        let outcome = admin
            .perform(&Operation::Create {
                kind: Kind::ClientApp,
                parent: None,
                values: vec![("name".into(), name.clone())],
            })
            .await
            .expect("created");
        let id = outcome.created.expect("new id");
        let secret = outcome.secret.expect("first secret").secret;
        apps.push((
            Target {
                kind: Kind::ClientApp,
                id,
                name,
                parent: None,
            },
            secret,
        ));
    }

    let cfg = Config::parse(
        &format!(
            "[[tenants]]\nname = \"p44\"\nplatform = \"project44\"\nbase_url = \"{url}\"\n\n\
             [tenants.auth]\nusername = \"{USER}\"\npassword = \"{PASSWORD}\"\n"
        ),
        "<test>",
    )
    .expect("config");
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Vault::new(dir.path().join("issued"));
    let audit = dir.path().join("audit.jsonl");
    let stores = Stores {
        vault: vault.clone(),
        audit: Audit::new(&audit),
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runtime = Runtime::new(tx, cfg.tenants().to_vec(), stores);
    let items: Vec<BulkTarget> = apps
        .iter()
        .map(|(target, _)| BulkTarget {
            tenant: 0,
            target: target.clone(),
        })
        .collect();
    runtime.execute(Effect::BulkRotate { run: 7, items });

    let deadline = Instant::now() + PATIENCE;
    let mut results: HashMap<usize, BulkOutcome> = HashMap::new();
    while results.len() < APPS {
        if let Message::BulkItem {
            run,
            index,
            outcome,
        } = next(&mut rx, deadline).await
        {
            assert_eq!(run, 7);
            assert!(
                results.insert(index, outcome).is_none(),
                "item {index} twice"
            );
        }
    }

    // A failed new-secret call is never retried: had one been, its retry
    // would have gone through and fewer than one in five would fail.
    let failed = results.values().filter(|o| !o.rotated()).count();
    assert_eq!(
        failed,
        APPS / EVERY as usize,
        "exactly every fifth call failed"
    );

    let pending = vault.pending().expect("store readable");
    let by_resource: HashMap<&str, &Secret> = pending
        .iter()
        .map(|p| (p.resource.as_str(), &p.issued.secret))
        .collect();
    assert_eq!(
        pending.len(),
        APPS - failed,
        "one pending secret per rotation"
    );

    for (index, (target, first)) in apps.iter().enumerate() {
        let outcome = &results[&index];
        let first_works = admin
            .verify(&target.id, first)
            .await
            .expect("token endpoint");
        if outcome.rotated() {
            let saved = outcome.saved.clone().expect("saved").expect("stored");
            assert!(
                saved.exists(),
                "{} filed at {}",
                target.name,
                saved.display()
            );
            let stored = by_resource
                .get(target.id.as_str())
                .unwrap_or_else(|| panic!("{} not recoverable from the store", target.name));
            assert!(
                admin
                    .verify(&target.id, stored)
                    .await
                    .expect("token endpoint"),
                "the stored secret of {} authenticates",
                target.name
            );
            assert!(!first_works, "{}'s old secret was revoked", target.name);
            assert!(outcome.error.is_none());
            assert!(
                outcome
                    .checks
                    .iter()
                    .any(|c| c.passed && c.label.contains("accepted")),
                "{}: {:?}",
                target.name,
                outcome.checks
            );
            assert!(outcome.clean(), "{}: {outcome:?}", target.name);
        } else {
            assert!(
                !by_resource.contains_key(target.id.as_str()),
                "{} failed yet has a secret",
                target.name
            );
            assert!(
                first_works,
                "{} failed, so its secret is unchanged",
                target.name
            );
            let err = outcome.error.as_deref().expect("why");
            assert!(err.contains("503"), "{}: {err}", target.name);
            assert!(outcome.saved.is_none());
        }
    }

    // Every item is in the audit log, as it went; no secret is.
    let log = std::fs::read_to_string(&audit).expect("audit log");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .filter(|l: &serde_json::Value| l["action"] == "rotate")
        .collect();
    assert_eq!(lines.len(), APPS);
    assert_eq!(
        lines.iter().filter(|l| l["outcome"] == "failed").count(),
        failed
    );
    for p in &pending {
        assert!(
            !log.contains(p.issued.secret.expose()),
            "a secret in the audit log"
        );
    }

    // The export holds exactly the issued secrets, owner-only.
    runtime.execute(Effect::Export {
        run: 7,
        format: ExportFormat::Json,
    });
    let path = loop {
        if let Message::Exported(result) = next(&mut rx, deadline).await {
            break result.expect("exported");
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(rows.len(), APPS - failed);
    for row in &rows {
        let id = row["id"].as_str().expect("id");
        let secret = row["secret"].as_str().expect("secret");
        assert_eq!(by_resource[id].expose(), secret, "{id}");
    }
}

/// Once quitting starts, items not yet sent are not started: each still
/// gets its result line, and the server rotated none of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_starts_nothing_new() {
    let sim = portico::platform::registry::start_simulator("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("simulator");
    let url = format!("{}/project44/sandbox", sim.base_url());
    let cfg = Config::parse(
        &format!(
            "[[tenants]]\nname = \"p44\"\nplatform = \"project44\"\nbase_url = \"{url}\"\n\n\
             [tenants.auth]\nusername = \"{USER}\"\npassword = \"{PASSWORD}\"\n"
        ),
        "<test>",
    )
    .expect("config");
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Vault::new(dir.path().join("issued"));
    let stores = Stores {
        vault: vault.clone(),
        audit: Audit::new(dir.path().join("audit.jsonl")),
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runtime = Runtime::new(tx, cfg.tenants().to_vec(), stores);
    runtime.stop_new_work();
    let items = (0..3)
        .map(|i| BulkTarget {
            tenant: 0,
            target: Target {
                kind: Kind::ClientApp,
                id: format!("never-{i}"),
                name: format!("Never {i}"),
                parent: None,
            },
        })
        .collect();
    runtime.execute(Effect::BulkRotate { run: 1, items });
    let deadline = Instant::now() + PATIENCE;
    let mut seen = 0;
    while seen < 3 {
        if let Message::BulkItem { outcome, .. } = next(&mut rx, deadline).await {
            assert!(!outcome.rotated());
            assert!(
                outcome
                    .error
                    .as_deref()
                    .is_some_and(|e| e.contains("quitting"))
            );
            seen += 1;
        }
    }
    assert_eq!(runtime.unsettled(), 0);
    assert!(vault.pending().expect("store").is_empty());
}
