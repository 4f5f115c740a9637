//! How long a long list takes to arrive: every vendor's simulator seeded
//! with 10,000 more applications a tenant, listed over loopback HTTP by
//! the adapters as the console lists them, 100 rows a page where the
//! vendor pages.
//!
//! Mashery paces its calls below the key's QPS, as its gateway demands;
//! here the simulated key and the tenant both allow 500 a second, so the
//! figure is Portico's and the simulator's, not a rate limit's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a bench may fail loudly

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use portico::config::Config;
use portico::model::Pane;
use portico::platform::{PaneBody, Platform, Source, registry};

const SCALE: usize = 10_000;
const PER_PAGE: i64 = 100;
const MASHERY_QPS: i64 = 500;
const RUNS: usize = 5;

/// The demo's tenants at 100 rows a page, Mashery's at 500 calls a second.
fn config(base: &str) -> Config {
    let mut doc: toml::Table = registry::demo_config(base).parse().expect("demo config");
    let tenants = doc
        .get_mut("tenants")
        .and_then(toml::Value::as_array_mut)
        .expect("tenants");
    for tenant in tenants.iter_mut().filter_map(toml::Value::as_table_mut) {
        // Platforms that answer in one go ignore it.
        tenant.insert("page_size".into(), PER_PAGE.into());
        if tenant.contains_key("qps") {
            tenant.insert("qps".into(), MASHERY_QPS.into());
        }
    }
    Config::parse(&toml::to_string(&doc).expect("toml"), "load bench").expect("config")
}

/// The scope for a pane listed under another: the parent the scaled
/// applications were seeded under, else the first.
fn parent_of(rows: &[portico::model::Resource]) -> Option<String> {
    rows.iter()
        .find(|r| r.name.to_lowercase().contains("scale"))
        .or_else(|| rows.first())
        .map(|r| r.id.clone())
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let knobs = portico::sim::faults::Knobs::default().scale(SCALE);
    let sim = rt
        .block_on(registry::start_simulator_with(
            "127.0.0.1:0".parse().expect("addr"),
            &knobs,
        ))
        .expect("simulator");
    let base = sim.base_url();
    // As the adapters do: reqwest is built without a crypto provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    rt.block_on(async {
        let limits = reqwest::Client::new()
            .put(format!("{base}/mashery/_sim/limits"))
            .json(&serde_json::json!({ "qps": MASHERY_QPS }))
            .send()
            .await
            .expect("mashery limits");
        assert!(limits.status().is_success(), "{}", limits.status());
    });
    let config = config(&base);
    let mut vendors = HashSet::new();
    for tenant in config.tenants() {
        if !vendors.insert(tenant.platform()) {
            continue;
        }
        let platform: Arc<dyn Platform> = registry::connect(tenant).expect("connect");
        let caps = platform.capabilities();
        // The project the applications pane is scoped by, once listed.
        let mut project: Option<String> = None;
        for pane in [Pane::Projects, Pane::Applications] {
            let spec = caps.pane(pane);
            let PaneBody::List { scope, .. } = spec.body() else {
                continue;
            };
            let parent = match scope {
                Some(_) if project.is_none() => continue,
                Some(_) => project.clone(),
                None => None,
            };
            let mut times = Vec::new();
            let mut shape = (0, 0);
            let what = format!(
                "{} {}",
                tenant.platform().label(),
                spec.title().to_lowercase()
            );
            for _ in 0..RUNS {
                let started = Instant::now();
                let listed = rt.block_on(platform.list_paged(
                    Source::Pane(pane),
                    parent.as_deref(),
                    Arc::new(|_, _| {}),
                ));
                let paged = match listed {
                    Ok(paged) => paged,
                    // Published as it is: a list the console cannot load
                    // is a figure too.
                    Err(e) => {
                        println!("{what}: not listed: {e}");
                        break;
                    }
                };
                times.push(started.elapsed());
                shape = (paged.items().len(), paged.pages());
                if pane == Pane::Projects {
                    project = parent_of(paged.items());
                }
            }
            if times.is_empty() {
                continue;
            }
            times.sort();
            let median = times[times.len() / 2];
            println!(
                "{what}: {} rows in {} pages, median {:.0} ms (min {:.0}, max {:.0})",
                shape.0,
                shape.1,
                ms(median),
                ms(times[0]),
                ms(times[times.len() - 1]),
            );
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
