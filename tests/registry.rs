//! The vendor registry is complete: every platform the config accepts has
//! an adapter, a simulator and a demo tenant, and the three work together
//! over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use portico::config::{Config, PlatformKind};
use portico::model::Pane;
use portico::platform::registry;
use portico::platform::{PaneBody, Source, registry::start_simulator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_platform_has_an_adapter_a_simulator_and_a_demo_tenant() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = start_simulator("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("simulator");
    let config = Config::parse(&registry::demo_config(&sim.base_url()), "<demo>").expect("demo");
    let names: Vec<&str> = PlatformKind::all().map(PlatformKind::as_str).collect();
    assert_eq!(names.len(), 5, "five platforms: {names:?}");
    for kind in PlatformKind::all() {
        assert_eq!(PlatformKind::from_config_name(kind.as_str()), Some(kind));
        let caps = kind.capabilities();
        // The first pane that lists without a parent's selection.
        let first = Pane::ALL
            .into_iter()
            .find(|p| matches!(caps.pane(*p).body(), PaneBody::List { scope: None, .. }))
            .unwrap_or_else(|| panic!("{kind}: no pane lists anything"));
        for pane in Pane::ALL {
            assert!(
                !caps.pane(pane).title().is_empty(),
                "{kind}: pane {pane:?} has no title"
            );
        }
        let tenant = config
            .tenants()
            .iter()
            .find(|t| t.platform() == kind)
            .unwrap_or_else(|| panic!("{kind}: no demo tenant"));
        let tenant = tenant.clone();
        let adapter = tokio::task::spawn_blocking(move || registry::connect(&tenant))
            .await
            .expect("join")
            .unwrap_or_else(|e| panic!("{kind}: connect: {e}"));
        // The first pane of every platform lists without a parent: the
        // demo tenant's credentials work against the simulator's routes.
        let rows = adapter
            .list(Source::Pane(first), None, std::sync::Arc::new(|_, _| {}))
            .await
            .unwrap_or_else(|e| panic!("{kind}: list {first:?}: {e}"));
        assert!(!rows.is_empty(), "{kind}: the demo's {first:?} is empty");
    }
}
