//! The EVRYTHNG adapter against the simulator over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use portico::model::{Kind, Pane, Resource, Secret};
use portico::platform::evrythng::Evrythng;
use portico::platform::{Operation, Outcome, Platform, PlatformError, Progress, Source, Target};

const TIMEOUT: Duration = Duration::from_secs(10);

struct Keys {
    admin: String,
    viewer: String,
}

fn demo_keys(config: &str, tenant: &str) -> Keys {
    let start = config
        .find(&format!("name = \"{tenant}\""))
        .unwrap_or_else(|| panic!("no tenant {tenant}"));
    let block = &config[start..];
    let block = &block[..block.find("[[tenants]]").unwrap_or(block.len())];
    let key = |prefix: &str| {
        block
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .map_or_else(
                || panic!("no {prefix}"),
                |v| v.trim().trim_matches('"').to_string(),
            )
    };
    Keys {
        admin: key("api_key = "),
        viewer: key("# api_key = "),
    }
}

struct Sim {
    _running: portico::sim::Running,
    root: String,
    us: Keys,
    eu: Keys,
}

impl Sim {
    async fn start() -> Self {
        let running =
            portico::platform::registry::start_simulator("127.0.0.1:0".parse().expect("addr"))
                .await
                .expect("start sim");
        let root = running.base_url();
        let config = portico::platform::registry::demo_config(&root);
        Self {
            us: demo_keys(&config, "evrythng-us"),
            eu: demo_keys(&config, "evrythng-eu"),
            _running: running,
            root,
        }
    }

    fn base(&self, region: &str) -> String {
        format!("{}/evrythng/{region}", self.root)
    }

    fn adapter(&self, region: &str, key: &str) -> Evrythng {
        Evrythng::new(&self.base(region), TIMEOUT, Secret::new(key)).expect("adapter")
    }

    fn us(&self) -> Evrythng {
        self.adapter("us", &self.us.admin)
    }
}

fn quiet() -> Progress {
    Arc::new(|_, _| {})
}

type Reports = Arc<Mutex<Vec<(usize, Option<usize>)>>>;

fn recorder() -> (Progress, Reports) {
    let seen: Reports = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let progress: Progress = Arc::new(move |loaded, total| {
        sink.lock().expect("lock").push((loaded, total));
    });
    (progress, seen)
}

fn values(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn perform(adapter: &Evrythng, op: Operation) -> Outcome {
    let verb = op.verb();
    adapter
        .perform(&op)
        .await
        .unwrap_or_else(|e| panic!("{verb}: {e}"))
}

async fn create(
    adapter: &Evrythng,
    kind: Kind,
    parent: Option<&str>,
    pairs: &[(&str, &str)],
) -> String {
    let outcome = perform(
        adapter,
        Operation::Create {
            kind,
            parent: parent.map(str::to_string),
            values: values(pairs),
        },
    )
    .await;
    outcome.created.expect("created id")
}

async fn projects(adapter: &Evrythng) -> Vec<Resource> {
    adapter
        .list(Source::Pane(Pane::Projects), None, quiet())
        .await
        .expect("projects")
}

async fn apps(adapter: &Evrythng, project: &str) -> Result<Vec<Resource>, PlatformError> {
    adapter
        .list(Source::Pane(Pane::Applications), Some(project), quiet())
        .await
}

fn target(kind: Kind, id: &str, name: &str, parent: Option<&str>) -> Target {
    Target {
        kind,
        id: id.into(),
        name: name.into(),
        parent: parent.map(str::to_string),
    }
}

fn find<'a>(items: &'a [Resource], id: &str) -> &'a Resource {
    items
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

#[tokio::test]
async fn projects_page_across_more_than_three_pages_with_progress() {
    let sim = Sim::start().await;
    let adapter = sim.us().with_page_size(10);
    let (progress, seen) = recorder();
    let all = adapter
        .list(Source::Pane(Pane::Projects), None, progress)
        .await
        .expect("projects");
    assert!(all.len() > 30, "{}", all.len());
    let reports = seen.lock().expect("lock").clone();
    assert!(reports.len() > 3, "one report per page: {reports:?}");
    assert_eq!(reports.last(), Some(&(all.len(), Some(all.len()))));
    assert!(reports.windows(2).all(|w| w[0].0 < w[1].0));
    let ids: HashSet<&str> = all.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), all.len(), "no project twice");
    let full = projects(&sim.us()).await;
    assert_eq!(full.len(), all.len());
    let dated = all
        .iter()
        .find(|r| !r.cells[1].is_empty())
        .expect("a project with dates");
    assert_eq!(dated.cells[1].len(), 10, "YYYY-MM-DD: {:?}", dated.cells);
    assert_eq!(dated.detail("startsAt"), Some(dated.cells[1].as_str()));
    assert!(all.iter().any(|r| !r.cells[0].is_empty()), "tags shown");
}

#[tokio::test]
async fn server_filters_by_name_or_tag() {
    let sim = Sim::start().await;
    let adapter = sim.us().with_page_size(5);
    let all = projects(&adapter).await;
    let pilot = adapter
        .find_projects("pilot", quiet())
        .await
        .expect("pilot");
    let expected = all
        .iter()
        .filter(|r| {
            r.detail("tags")
                .is_some_and(|t| t.split(", ").any(|t| t == "pilot"))
        })
        .count();
    assert!(expected > 5, "spans pages");
    assert_eq!(pilot.len(), expected);
    let name = all[3].name.clone();
    let named = adapter.find_projects(&name, quiet()).await.expect("named");
    assert!(!named.is_empty());
    assert!(named.iter().all(|r| r.name == name));
    let none = adapter
        .find_projects("no, such = project", quiet())
        .await
        .expect("escaped");
    assert!(none.is_empty());
}

#[tokio::test]
async fn project_and_application_lifecycle_with_keys() {
    let sim = Sim::start().await;
    let adapter = sim.us();
    let pid = create(
        &adapter,
        Kind::Project,
        None,
        &[
            ("name", "Lifecycle"),
            ("description", "first"),
            ("tags", "pilot, adapter"),
            ("customFields", "region=eu"),
            ("identifiers", "gs1:414=4012345000999"),
            ("startsAt", "2026-03-01"),
            ("endsAt", "2026-09-30"),
        ],
    )
    .await;
    let listed = projects(&adapter).await;
    let p = find(&listed, &pid);
    assert_eq!(p.cells[..3], ["pilot, adapter", "2026-03-01", "2026-09-30"]);
    assert_eq!(p.cells[3], "", "application count not known yet");
    assert_eq!(p.detail("customFields"), Some("region=eu"));

    // Only the fields the form has are sent; the rest stay as they were.
    perform(
        &adapter,
        Operation::Update {
            target: target(Kind::Project, &pid, "Lifecycle", None),
            values: values(&[("name", "Lifecycle 2"), ("startsAt", ""), ("endsAt", "")]),
        },
    )
    .await;
    let listed = projects(&adapter).await;
    let p = find(&listed, &pid);
    assert_eq!(p.name, "Lifecycle 2");
    assert_eq!(p.detail("description"), Some("first"));
    assert_eq!(p.detail("tags"), Some("pilot, adapter"));
    assert_eq!(p.detail("startsAt"), Some("2026-03-01"));
    assert_eq!(p.detail("identifiers"), Some("gs1:414=4012345000999"));

    let refused = adapter
        .perform(&Operation::Create {
            kind: Kind::Project,
            parent: None,
            values: values(&[("name", "Bad"), ("customFields", "no-equals")]),
        })
        .await;
    assert!(
        matches!(refused, Err(PlatformError::Invalid(_))),
        "{refused:?}"
    );

    let aid = create(
        &adapter,
        Kind::Application,
        Some(&pid),
        &[
            ("name", "Scanner"),
            ("description", "web"),
            ("tags", "consumer"),
        ],
    )
    .await;
    let listed_apps = apps(&adapter, &pid).await.expect("apps");
    assert_eq!(listed_apps.len(), 1);
    let app = find(&listed_apps, &aid);
    assert_eq!(app.detail("socialNetworks"), Some("{}"));
    let api_key = app.detail("appApiKey").expect("appApiKey").to_string();
    assert_eq!(api_key.len(), 80);
    assert_eq!(
        find(&projects(&adapter).await, &pid).cells[3],
        "1",
        "count now known"
    );

    perform(
        &adapter,
        Operation::Update {
            target: target(Kind::Application, &aid, "Scanner", Some(&pid)),
            values: values(&[("description", "mobile")]),
        },
    )
    .await;
    let app = apps(&adapter, &pid).await.expect("apps");
    assert_eq!(app[0].name, "Scanner");
    assert_eq!(app[0].detail("description"), Some("mobile"));
    assert_eq!(app[0].detail("tags"), Some("consumer"));

    // A fresh adapter has not listed the project: it finds the application.
    let fresh = sim.us();
    let keys = fresh
        .list(Source::Pane(Pane::Certificates), Some(&aid), quiet())
        .await
        .expect("keys");
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].kind, Kind::AppKey);
    assert_eq!(keys[0].detail("appApiKey"), Some(api_key.as_str()));
    let trusted = &keys[1];
    assert_eq!(trusted.kind, Kind::TrustedKey);
    assert!(
        trusted.details.iter().all(|(_, v)| v.len() < 80),
        "the trusted key is not read by a list"
    );
    let shown = perform(
        &fresh,
        Operation::Reveal {
            target: target(Kind::TrustedKey, &trusted.id, &trusted.name, Some(&aid)),
        },
    )
    .await;
    assert!(shown.rereadable, "never saved: the API shows it again");
    let secret = shown.secret.expect("secret");
    let raw: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{}/projects/{pid}/applications/{aid}/secretKey",
            sim.base("us")
        ))
        .header("Authorization", &sim.us.admin)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(raw["secretApiKey"], secret.secret.expose());
    assert!(!shown.summary.contains(secret.secret.expose()));

    let rotate = adapter
        .perform(&Operation::Rotate {
            target: target(Kind::TrustedKey, "secretKey", "Trusted", Some(&aid)),
            previous: None,
        })
        .await;
    match rotate {
        Err(PlatformError::Unsupported(why)) => assert!(why.contains("Dashboard"), "{why}"),
        other => panic!("{other:?}"),
    }

    let second = create(
        &adapter,
        Kind::Application,
        Some(&pid),
        &[("name", "Second")],
    )
    .await;
    perform(
        &adapter,
        Operation::Delete {
            target: target(Kind::Application, &second, "Second", Some(&pid)),
        },
    )
    .await;
    assert_eq!(apps(&adapter, &pid).await.expect("apps").len(), 1);

    perform(
        &adapter,
        Operation::Delete {
            target: target(Kind::Project, &pid, "Lifecycle 2", None),
        },
    )
    .await;
    assert!(projects(&adapter).await.iter().all(|r| r.id != pid));
    assert!(matches!(
        apps(&adapter, &pid).await,
        Err(PlatformError::NotFound(_))
    ));
    let orphan = sim
        .us()
        .list(Source::Pane(Pane::Certificates), Some(&aid), quiet())
        .await;
    assert!(
        matches!(orphan, Err(PlatformError::NotFound(_))),
        "{orphan:?}"
    );
}

#[tokio::test]
async fn applications_page_across_more_than_three_pages() {
    let sim = Sim::start().await;
    let adapter = sim.us().with_page_size(4);
    let pid = create(&adapter, Kind::Project, None, &[("name", "Many apps")]).await;
    for n in 0..14 {
        create(
            &adapter,
            Kind::Application,
            Some(&pid),
            &[("name", &format!("App {n:02}"))],
        )
        .await;
    }
    let (progress, seen) = recorder();
    let listed = adapter
        .list(Source::Pane(Pane::Applications), Some(&pid), progress)
        .await
        .expect("apps");
    assert_eq!(listed.len(), 14);
    assert_eq!(seen.lock().expect("lock").len(), 4);
    let names: HashSet<&str> = listed.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names.len(), 14);
}

#[tokio::test]
async fn regions_are_isolated_and_keys_are_checked() {
    let sim = Sim::start().await;
    let us = sim.us();
    let eu = sim.adapter("eu", &sim.eu.admin);
    let pid = create(&us, Kind::Project, None, &[("name", "US only")]).await;
    let eu_projects = projects(&eu).await;
    assert!(!eu_projects.is_empty());
    assert!(eu_projects.iter().all(|r| r.id != pid));
    assert!(matches!(
        apps(&eu, &pid).await,
        Err(PlatformError::NotFound(_))
    ));

    let crossed = sim.adapter("eu", &sim.us.admin);
    let refused = crossed
        .list(Source::Pane(Pane::Projects), None, quiet())
        .await;
    assert!(
        matches!(refused, Err(PlatformError::Auth(_))),
        "{refused:?}"
    );

    let viewer = sim.adapter("us", &sim.us.viewer);
    assert_eq!(
        projects(&viewer).await.len(),
        2,
        "the viewer sees its scope"
    );
    let denied = viewer
        .perform(&Operation::Create {
            kind: Kind::Project,
            parent: None,
            values: values(&[("name", "Nope")]),
        })
        .await;
    assert!(
        matches!(denied, Err(PlatformError::Api { status: 403, .. })),
        "{denied:?}"
    );
}

#[tokio::test]
async fn the_trait_reports_pages_and_searches_on_the_server() {
    let sim = Sim::start().await;
    let adapter = sim.us().with_page_size(5);
    let projects_pane = Source::Pane(Pane::Projects);
    assert!(
        Platform::capabilities(&adapter)
            .pane(Pane::Projects)
            .searches()
    );
    let whole = adapter
        .list_paged(projects_pane, None, quiet())
        .await
        .expect("paged");
    assert!(
        whole.pages() > 1,
        "{} rows at five a page",
        whole.items().len()
    );
    assert_eq!(whole.pages(), whole.items().len().div_ceil(5));
    let pilot = adapter
        .search(projects_pane, None, "pilot", quiet())
        .await
        .expect("search");
    let tagged = whole
        .items()
        .iter()
        .filter(|r| {
            r.detail("tags")
                .is_some_and(|t| t.split(", ").any(|t| t == "pilot"))
        })
        .count();
    assert!(tagged > 0 && tagged < whole.items().len());
    assert_eq!(pilot.items().len(), tagged, "narrowed by the server");
    let apps = adapter
        .search(
            Source::Pane(Pane::Applications),
            Some("x"),
            "pilot",
            quiet(),
        )
        .await;
    assert!(
        matches!(apps, Err(PlatformError::Unsupported(_))),
        "{apps:?}"
    );
}
