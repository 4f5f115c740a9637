//! `Platform::document` over real HTTP: every demo tenant the registry
//! configures is walked against the simulator, and each kind it lists is
//! read back as the vendor's own document, with the vendor's field names
//! as the simulator serves them. A secret a vendor shows only once (a new
//! client secret, access key secret or bot token) is never in it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::collections::BTreeMap;
use std::sync::Arc;

use portico::config::Config;
use portico::model::Kind;
use portico::platform::crawl::crawl;
use portico::platform::mashery::ALL_MEMBERS;
use portico::platform::{Operation, Platform, PlatformError, Target, registry};
use serde_json::Value;

struct Demo {
    _running: portico::sim::Running,
    /// Each demo tenant's platform name and adapter.
    tenants: Vec<(String, String, Arc<dyn Platform>)>,
}

async fn demo() -> Demo {
    let running = registry::start_simulator("127.0.0.1:0".parse().unwrap())
        .await
        .expect("start the simulator");
    let text = registry::demo_config(&running.base_url());
    let config = Config::parse(&text, "<demo>").expect("the demo config parses");
    let mut tenants = Vec::new();
    for tenant in config.tenants() {
        let name = tenant.name().to_string();
        let tenant = tenant.clone();
        let vendor = tenant.platform().as_str().to_string();
        let adapter = tokio::task::spawn_blocking(move || registry::connect(&tenant))
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("connect {name}: {e}"));
        tenants.push((name, vendor, adapter));
    }
    Demo {
        _running: running,
        tenants,
    }
}

/// One document of each kind the tenant lists, read through `document`.
async fn documents(name: &str, platform: &dyn Platform) -> BTreeMap<String, (Target, Value)> {
    let found = crawl(platform, &platform.capabilities())
        .await
        .unwrap_or_else(|e| panic!("{name}: crawl: {e}"));
    let mut docs = BTreeMap::new();
    for f in found {
        let label = f.resource.kind.label().to_string();
        // Portico's own "all members" row stands for no vendor document.
        if docs.contains_key(&label) || f.resource.id == ALL_MEMBERS {
            continue;
        }
        let target = Target {
            kind: f.resource.kind,
            id: f.resource.id.clone(),
            name: f.resource.name.clone(),
            parent: f.parent.clone(),
        };
        let doc = platform
            .document(&target)
            .await
            .unwrap_or_else(|e| panic!("{name}: document of {label} {}: {e}", target.id));
        assert!(doc.is_object(), "{name}: {label}: {doc}");
        docs.insert(label, (target, doc));
    }
    assert!(!docs.is_empty(), "{name}: the demo lists nothing");
    docs
}

fn doc<'a>(docs: &'a BTreeMap<String, (Target, Value)>, kind: Kind, tenant: &str) -> &'a Value {
    &docs
        .get(kind.label())
        .unwrap_or_else(|| {
            panic!(
                "{tenant}: no {} listed; kinds seen: {:?}",
                kind.label(),
                docs.keys()
            )
        })
        .1
}

fn has(doc: &Value, field: &str) -> bool {
    doc.get(field).is_some()
}

/// Whether `secret` appears anywhere in the document's text.
fn holds(doc: &Value, secret: &str) -> bool {
    doc.to_string().contains(secret)
}

async fn created(platform: &dyn Platform, op: Operation) -> (String, String) {
    let outcome = platform.perform(&op).await.expect("create");
    let id = outcome.created.clone().expect("the new id");
    let secret = outcome.secret.expect("a secret shown once");
    (id, secret.secret.expose().to_string())
}

fn values(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

async fn project44(name: &str, p: &dyn Platform) {
    let docs = documents(name, p).await;
    let app = doc(&docs, Kind::ClientApp, name);
    assert!(has(app, "id") && has(app, "name"), "{name}: {app}");
    assert!(
        !has(app, "secret"),
        "{name}: a GET never carries the secret: {app}"
    );

    let (id, secret) = created(
        p,
        Operation::Create {
            kind: Kind::ClientApp,
            parent: None,
            values: values(&[("name", "Raw document check")]),
        },
    )
    .await;
    let target = Target {
        kind: Kind::ClientApp,
        id: id.clone(),
        name: "Raw document check".into(),
        parent: None,
    };
    let fresh = p.document(&target).await.expect("document of the new app");
    assert_eq!(fresh["id"], Value::String(id), "{fresh}");
    assert!(
        !holds(&fresh, &secret),
        "{name}: the shown-once secret: {fresh}"
    );
}

async fn mashery(name: &str, p: &dyn Platform) {
    let docs = documents(name, p).await;
    let app = doc(&docs, Kind::Application, name);
    assert!(has(app, "id") && has(app, "created"), "{name}: {app}");
    let key = doc(&docs, Kind::PackageKey, name);
    assert!(
        has(key, "apikey") && has(key, "created") && has(key, "qpsLimitCeiling"),
        "{name}: {key}"
    );
    assert!(!has(key, "secret"), "{name}: {key}");
    let member = doc(&docs, Kind::Person, name);
    assert!(has(member, "username"), "{name}: {member}");

    let all = Target {
        kind: Kind::Person,
        id: ALL_MEMBERS.into(),
        name: "all members".into(),
        parent: None,
    };
    assert!(matches!(
        p.document(&all).await,
        Err(PlatformError::Unsupported(_))
    ));
}

async fn kitsu(name: &str, p: &dyn Platform) {
    let docs = documents(name, p).await;
    let production = doc(&docs, Kind::Project, name);
    assert!(
        has(production, "id") && has(production, "name") && has(production, "production_type"),
        "{name}: {production}"
    );
    let bot = doc(&docs, Kind::Bot, name);
    assert_eq!(bot["is_bot"], Value::Bool(true), "{name}: {bot}");
    assert!(has(bot, "id") && has(bot, "first_name"), "{name}: {bot}");

    let (id, token) = created(
        p,
        Operation::Create {
            kind: Kind::Bot,
            parent: None,
            values: values(&[("name", "Raw document bot"), ("role", "user")]),
        },
    )
    .await;
    let target = Target {
        kind: Kind::Bot,
        id: id.clone(),
        name: "Raw document bot".into(),
        parent: None,
    };
    let fresh = p.document(&target).await.expect("document of the new bot");
    assert_eq!(fresh["id"], Value::String(id), "{fresh}");
    assert!(
        !holds(&fresh, &token),
        "{name}: the shown-once token: {fresh}"
    );
}

async fn evrythng(name: &str, p: &dyn Platform) {
    let docs = documents(name, p).await;
    let project = doc(&docs, Kind::Project, name);
    assert!(
        project["createdAt"].is_i64(),
        "{name}: integer ms: {project}"
    );
    let app = doc(&docs, Kind::Application, name);
    assert!(app["createdAt"].is_i64(), "{name}: integer ms: {app}");
    assert!(has(app, "appApiKey"), "{name}: {app}");
    assert!(
        !has(app, "secretApiKey"),
        "{name}: the trusted key is read on request only: {app}"
    );
}

async fn losant(name: &str, p: &dyn Platform) {
    let docs = documents(name, p).await;
    for (kind, (target, d)) in &docs {
        assert!(
            has(d, "id") && has(d, "applicationId"),
            "{name}: {kind}: {d}"
        );
        assert_eq!(d["id"], Value::String(target.id.clone()), "{name}: {kind}");
    }
    let app = doc(&docs, Kind::Application, name);
    let app_id = app["id"].as_str().unwrap().to_string();
    assert_eq!(app["applicationId"], app["id"], "{name}: {app}");
    let key = doc(&docs, Kind::AccessKey, name);
    assert!(!has(key, "secret"), "{name}: {key}");

    let (id, secret) = created(
        p,
        Operation::Create {
            kind: Kind::AccessKey,
            parent: Some(app_id.clone()),
            values: values(&[
                ("name", "Raw document key"),
                ("filterType", "whitelist"),
                ("pubTopics", "raw/+/doc"),
            ]),
        },
    )
    .await;
    let target = Target {
        kind: Kind::AccessKey,
        id: id.clone(),
        name: "Raw document key".into(),
        parent: Some(app_id),
    };
    let fresh = p.document(&target).await.expect("document of the new key");
    assert_eq!(fresh["id"], Value::String(id), "{fresh}");
    assert!(!has(&fresh, "secret"), "{fresh}");
    assert!(
        !holds(&fresh, &secret),
        "{name}: the shown-once secret: {fresh}"
    );
}

#[tokio::test]
async fn every_demo_tenant_reads_back_its_vendors_own_documents() {
    let demo = demo().await;
    let mut seen: Vec<&str> = Vec::new();
    for (name, vendor, platform) in &demo.tenants {
        let p = platform.as_ref();
        match vendor.as_str() {
            "project44" => project44(name, p).await,
            "mashery" => mashery(name, p).await,
            "kitsu" => kitsu(name, p).await,
            "evrythng" => evrythng(name, p).await,
            "losant" => losant(name, p).await,
            other => panic!("{name}: a vendor this test does not know: {other}"),
        }
        seen.push(vendor);
    }
    for vendor in ["project44", "mashery", "kitsu", "evrythng", "losant"] {
        assert!(seen.contains(&vendor), "no demo tenant for {vendor}");
    }
}

#[tokio::test]
async fn a_document_of_a_kind_the_platform_lacks_is_unsupported() {
    let demo = demo().await;
    for (name, vendor, platform) in &demo.tenants {
        // Of the five, only Losant has certificates, and it has no bots.
        let kind = if vendor == "losant" {
            Kind::Bot
        } else {
            Kind::Certificate
        };
        let target = Target {
            kind,
            id: "none".into(),
            name: "none".into(),
            parent: Some("none".into()),
        };
        match platform.document(&target).await {
            Err(PlatformError::Unsupported(_)) => {}
            other => panic!("{name}: {other:?}"),
        }
    }
}
