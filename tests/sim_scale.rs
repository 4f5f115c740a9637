//! `portico sim --scale N`: every platform's demo tenant gains N
//! applications, with credentials in proportion, read back through each
//! platform's adapter over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::collections::BTreeMap;
use std::sync::Arc;

use portico::config::{Config, PlatformKind};
use portico::model::{Pane, Resource};
use portico::platform::registry;
use portico::platform::{PaneBody, Platform, Source};
use portico::sim::faults::Knobs;

const SCALE: usize = 120;

async fn list(adapter: &Arc<dyn Platform>, pane: Pane, parent: Option<&str>) -> Vec<Resource> {
    adapter
        .list(Source::Pane(pane), parent, Arc::new(|_, _| {}))
        .await
        .unwrap_or_else(|e| panic!("list {pane:?} under {parent:?}: {e}"))
}

/// Every row of the Applications pane, under every parent when it is
/// scoped, each once (a platform may list one under more than one parent).
async fn applications(adapter: &Arc<dyn Platform>) -> Vec<Resource> {
    let caps = adapter.capabilities();
    let PaneBody::List { scope, .. } = caps.pane(Pane::Applications).body() else {
        panic!("no applications pane");
    };
    match scope {
        None => list(adapter, Pane::Applications, None).await,
        Some(parent_pane) => {
            let mut rows: Vec<Resource> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for parent in list(adapter, *parent_pane, None).await {
                let under = list(adapter, Pane::Applications, Some(&parent.id)).await;
                rows.extend(under.into_iter().filter(|r| seen.insert(r.id.clone())));
            }
            rows
        }
    }
}

/// Applications per platform (first demo tenant of each) at `scale`, and
/// the adapters that read them.
type Counts = BTreeMap<String, (usize, Arc<dyn Platform>, Vec<Resource>)>;

async fn counted(scale: usize) -> (portico::sim::Running, Counts) {
    let sim = registry::start_simulator_with(
        "127.0.0.1:0".parse().expect("addr"),
        &Knobs::default().scale(scale),
    )
    .await
    .expect("simulator");
    let config = Config::parse(&registry::demo_config(&sim.base_url()), "<demo>").expect("demo");
    let mut out = BTreeMap::new();
    for kind in PlatformKind::all() {
        let tenant = config
            .tenants()
            .iter()
            .find(|t| t.platform() == kind)
            .expect("demo tenant")
            .clone();
        let adapter = tokio::task::spawn_blocking(move || registry::connect(&tenant))
            .await
            .expect("join")
            .unwrap_or_else(|e| panic!("{kind}: connect: {e}"));
        let rows = applications(&adapter).await;
        out.insert(kind.as_str().to_owned(), (rows.len(), adapter, rows));
    }
    (sim, out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_platform_seeds_n_more_applications_with_their_credentials() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (_plain_sim, plain) = counted(0).await;
    let (_sim, scaled) = counted(SCALE).await;
    assert_eq!(plain.len(), 5);
    for (name, (count, adapter, rows)) in &scaled {
        let base = plain[name].0;
        assert_eq!(*count, base + SCALE, "{name}: {base} demo rows + {SCALE}");
        let first = rows
            .iter()
            .find(|r| r.name.starts_with("Scale ") && r.name.contains("000000"))
            .unwrap_or_else(|| panic!("{name}: no generated row 000000"));
        // Where credentials hang under an application, the generated ones
        // have them too: the first of them always does.
        let caps = adapter.capabilities();
        if let PaneBody::List {
            scope: Some(Pane::Applications),
            ..
        } = caps.pane(Pane::Certificates).body()
        {
            let creds = list(adapter, Pane::Certificates, Some(&first.id)).await;
            assert!(
                !creds.is_empty(),
                "{name}: {} has no credentials",
                first.name
            );
        }
    }
}
