//! The Mashery adapter against the simulator over real HTTP: paging,
//! fields/filter/sort/search, token renewal, pacing and throttling, every
//! operation, and package-key secret rotation checked by raw reads.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portico::model::Pane;
use portico::model::{Kind, Resource, Secret};
use portico::platform::mashery::{ALL_MEMBERS, Credentials, Mashery};
use portico::platform::{Operation, Outcome, Platform, PlatformError, Progress, Source, Target};
use serde_json::{Value, json};

const KEY: &str = "p7qk3mzd9vw4hxr8bfea2c6n";
const SECRET: &str = "Tq4MwZ8rKd";
const USER: &str = "portico-admin";
const PASSWORD: &str = "portico-demo-mashery";
const AREA: &str = "6f1c2a7e-3b9d-4c5e-8a1f-2d7b9e0c4a53";
const QUOTA_KEY: &str = "q4tz8hbv2nr6wdm3xpfju9cs";
const QUOTA_SECRET: &str = "Qz2Vb7NxLp";
const TIMEOUT: Duration = Duration::from_secs(10);

struct Sim {
    _running: portico::sim::Running,
    base: String,
    http: reqwest::Client,
}

async fn sim() -> Sim {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let running =
        portico::platform::registry::start_simulator("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("simulator");
    let base = format!("{}/mashery", running.base_url());
    Sim {
        _running: running,
        base,
        http: reqwest::Client::new(),
    }
}

fn creds(key: &str, secret: &str) -> Credentials {
    Credentials::new(
        Secret::new(key),
        Secret::new(secret),
        USER.to_string(),
        Secret::new(PASSWORD),
        AREA.to_string(),
    )
}

fn adapter(sim: &Sim, qps: u32) -> Mashery {
    Mashery::new(&sim.base, TIMEOUT, creds(KEY, SECRET), qps).expect("adapter")
}

fn quiet() -> Progress {
    Arc::new(|_, _| {})
}

type Reports = Arc<Mutex<Vec<(usize, Option<usize>)>>>;

fn recorder() -> (Progress, Reports) {
    let reports: Reports = Arc::default();
    let r = reports.clone();
    (
        Arc::new(move |n, total| r.lock().expect("lock").push((n, total))),
        reports,
    )
}

impl Sim {
    /// Raw reads with their own token, independent of the adapter. The
    /// demo key's QPS is shared, so over-QPS answers are waited out.
    async fn raw_token(&self) -> String {
        let resp = self
            .http
            .post(format!("{}/v3/token", self.base))
            .basic_auth(KEY, Some(SECRET))
            .form(&[
                ("grant_type", "password"),
                ("username", USER),
                ("password", PASSWORD),
                ("scope", AREA),
            ])
            .send()
            .await
            .expect("token");
        let body: Value = resp.json().await.expect("json");
        body["access_token"].as_str().expect("access").to_string()
    }

    async fn raw_get(&self, token: &str, path: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let resp = self
                .http
                .get(format!("{}/v3/rest{path}", self.base))
                .bearer_auth(token)
                .send()
                .await
                .expect("get");
            if resp.status().as_u16() == 403 && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            assert_eq!(resp.status().as_u16(), 200, "{path}");
            return resp.json().await.expect("json");
        }
    }

    async fn expire_tokens(&self) {
        let resp = self
            .http
            .post(format!("{}/_sim/expire-tokens", self.base))
            .send()
            .await
            .expect("expire");
        assert_eq!(resp.status().as_u16(), 200);
    }
}

fn by_name<'a>(items: &'a [Resource], name: &str) -> &'a Resource {
    items
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn target(res: &Resource, parent: Option<&str>) -> Target {
    Target {
        kind: res.kind,
        id: res.id.clone(),
        name: res.name.clone(),
        parent: parent.map(str::to_string),
    }
}

fn values(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn perform(m: &Mashery, op: Operation) -> Outcome {
    m.perform(&op)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", op.verb()))
}

#[tokio::test]
async fn members_come_first_with_all_members_and_scope_the_applications() {
    let sim = sim().await;
    let m = adapter(&sim, 2);
    let members = m
        .list(Source::Pane(Pane::Projects), None, quiet())
        .await
        .expect("members");
    assert_eq!(members[0].name, "all members");
    assert_eq!(members[0].id, ALL_MEMBERS);
    let names: Vec<&str> = members[1..].iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "acme-dev",
            "blueharbor",
            "cedarlabs",
            "deltamobile",
            "echo-partners"
        ]
    );
    let acme = &members[1];
    assert_eq!(acme.cells, ["dev@acme-logistics.example", "active"]);

    let all = m
        .list(Source::Pane(Pane::Applications), Some(ALL_MEMBERS), quiet())
        .await
        .expect("all");
    assert_eq!(all.len(), 30);
    let mine = m
        .list(Source::Pane(Pane::Applications), Some("acme-dev"), quiet())
        .await
        .expect("mine");
    assert_eq!(mine.len(), 6);
    assert!(mine.iter().all(|a| a.cells[0] == "acme-dev"));
    let fleet = by_name(&mine, "Fleet Tracker");
    assert_eq!(fleet.cells[2], "logistics");
    assert_eq!(
        fleet.cells[1].len(),
        10,
        "created as a date: {:?}",
        fleet.cells
    );
    for key in [
        "name",
        "username",
        "created",
        "updated",
        "description",
        "type",
        "commercial",
        "ads",
        "adsSystem",
        "usageModel",
        "tags",
        "notes",
        "howDidYouHear",
        "preferredProtocol",
        "preferredOutput",
        "externalId",
        "uri",
        "oauthRedirectUri",
    ] {
        assert!(fleet.detail(key).is_some(), "detail {key} missing");
    }
    assert_eq!(fleet.detail("preferredProtocol"), Some("REST"));
}

#[tokio::test]
async fn a_long_list_loads_every_page_concurrently_under_the_qps() {
    let sim = sim().await;
    let m = adapter(&sim, 2).with_page_size(10);
    let (progress, reports) = recorder();
    let started = Instant::now();
    let apps = m
        .find_apps(ALL_MEMBERS, &[], None, progress)
        .await
        .expect("apps");
    let took = started.elapsed();
    assert_eq!(apps.len(), 30);
    let mut ids: Vec<&str> = apps.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 30, "no application twice");
    let names: Vec<String> = apps.iter().map(|a| a.name.to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "sorted by name across pages");
    let reports = reports.lock().expect("lock").clone();
    assert_eq!(reports.len(), 3, "one report a page: {reports:?}");
    assert!(reports.iter().all(|(_, total)| *total == Some(30)));
    assert_eq!(reports.iter().map(|(n, _)| *n).max(), Some(30));
    // Three pages at 2 QPS cannot take less than two intervals.
    assert!(took >= Duration::from_secs(1), "{took:?}");
}

#[tokio::test]
async fn filter_and_search_narrow_on_the_server() {
    let sim = sim().await;
    let m = adapter(&sim, 2).with_page_size(10);
    let billing = m
        .find_apps(ALL_MEMBERS, &[("tags", "billing")], None, quiet())
        .await
        .expect("filter");
    assert_eq!(billing.len(), 6);
    assert!(billing.iter().all(|a| a.cells[2].contains("billing")));
    let trackers = m
        .find_apps(ALL_MEMBERS, &[], Some("tracker"), quiet())
        .await
        .expect("search");
    let names: Vec<&str> = trackers.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Fleet Tracker", "Rail Tracker"]);
    let scoped = m
        .find_apps("acme-dev", &[], Some("tracker"), quiet())
        .await
        .expect("scoped search");
    assert_eq!(
        scoped.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["Fleet Tracker"]
    );
}

#[tokio::test]
async fn an_expired_token_is_renewed_without_an_error() {
    let sim = sim().await;
    let m = adapter(&sim, 2);
    assert_eq!(
        m.list(Source::Pane(Pane::Projects), None, quiet())
            .await
            .expect("first")
            .len(),
        6
    );
    sim.expire_tokens().await;
    let again = m.list(Source::Pane(Pane::Projects), None, quiet()).await;
    assert_eq!(again.expect("after expiry").len(), 6);
}

#[tokio::test]
async fn a_client_faster_than_the_gateway_waits_out_over_qps_silently() {
    let sim = sim().await;
    // Configured at 20 QPS against a key the gateway holds to 2: six pages
    // requested four at a time are refused and retried.
    let m = adapter(&sim, 20).with_page_size(5);
    let started = Instant::now();
    let apps = m
        .find_apps(ALL_MEMBERS, &[], None, quiet())
        .await
        .expect("no error shown");
    assert_eq!(apps.len(), 30);
    // Seven calls (token excluded) at 2 a second: the gateway made it wait.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_exhausted_daily_quota_is_an_error_that_names_the_quota() {
    let sim = sim().await;
    let m = Mashery::new(&sim.base, TIMEOUT, creds(QUOTA_KEY, QUOTA_SECRET), 2).expect("adapter");
    let mut error = None;
    for _ in 0..10 {
        if let Err(e) = m.list(Source::Pane(Pane::Projects), None, quiet()).await {
            error = Some(e);
            break;
        }
    }
    match error.expect("the quota of five calls runs out") {
        PlatformError::Api {
            status: 403,
            message,
        } => {
            assert!(message.contains("quota"), "{message}");
            assert!(message.contains("ERR_403_DEVELOPER_OVER_RATE"), "{message}");
        }
        other => panic!("not a quota error: {other:?}"),
    }
}

#[tokio::test]
async fn wrong_credentials_are_auth_errors_without_the_secret() {
    let sim = sim().await;
    let m = Mashery::new(&sim.base, TIMEOUT, creds(KEY, "not-the-secret"), 2).expect("adapter");
    match m.list(Source::Pane(Pane::Projects), None, quiet()).await {
        Err(PlatformError::Auth(message)) => {
            assert!(message.contains("invalid_client"), "{message}");
            assert!(!message.contains("not-the-secret"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn applications_are_created_for_a_member_edited_and_deleted() {
    let sim = sim().await;
    let m = adapter(&sim, 2);
    let made = perform(
        &m,
        Operation::Create {
            kind: Kind::Application,
            parent: Some("cedarlabs".into()),
            values: values(&[
                ("name", "Berth Planner"),
                ("username", ""),
                ("description", "d"),
                ("tags", "port"),
            ]),
        },
    )
    .await;
    let id = made.created.expect("created id");
    let app = m.app(&id).await.expect("read");
    assert_eq!(
        (app.name.as_str(), app.detail("username")),
        ("Berth Planner", Some("cedarlabs"))
    );

    let t = target(&app, Some("cedarlabs"));
    perform(
        &m,
        Operation::Update {
            target: t.clone(),
            values: values(&[
                ("name", "Berth Planner 2"),
                ("username", "cedarlabs"),
                ("description", ""),
                ("commercial", "true"),
                ("notes", "n"),
            ]),
        },
    )
    .await;
    let app = m.app(&id).await.expect("read");
    assert_eq!(app.name, "Berth Planner 2");
    assert_eq!(app.detail("description"), Some(""), "emptied field cleared");
    assert_eq!(app.detail("commercial"), Some("true"));
    assert_eq!(app.detail("tags"), Some("port"), "untouched field kept");

    let refused = m
        .perform(&Operation::Update {
            target: t.clone(),
            values: values(&[("username", "ghost")]),
        })
        .await;
    assert!(
        matches!(&refused, Err(PlatformError::Invalid(msg)) if msg.contains("username")),
        "{refused:?}"
    );

    let all = m.create_needs_member().await;
    assert!(matches!(all, Err(PlatformError::Invalid(_))), "{all:?}");

    perform(&m, Operation::Delete { target: t }).await;
    assert!(matches!(m.app(&id).await, Err(PlatformError::NotFound(_))));
}

trait CreateProbe {
    async fn create_needs_member(&self) -> Result<Outcome, PlatformError>;
}

impl CreateProbe for Mashery {
    /// With "all members" chosen and no member in the form there is no
    /// member to create under.
    async fn create_needs_member(&self) -> Result<Outcome, PlatformError> {
        self.perform(&Operation::Create {
            kind: Kind::Application,
            parent: Some(ALL_MEMBERS.into()),
            values: values(&[("name", "Orphan")]),
        })
        .await
    }
}

#[tokio::test]
async fn package_keys_are_listed_created_toggled_edited_and_deleted() {
    let sim = sim().await;
    let m = adapter(&sim, 2);
    let apps = m
        .list(
            Source::Pane(Pane::Applications),
            Some("blueharbor"),
            quiet(),
        )
        .await
        .expect("apps");
    let app = by_name(&apps, "Route Planner");
    let keys = m
        .list(Source::Pane(Pane::Certificates), Some(&app.id), quiet())
        .await
        .expect("keys");
    assert_eq!(keys.len(), 1);
    let k = &keys[0];
    assert_eq!(k.kind, Kind::PackageKey);
    assert_eq!(k.cells.len(), 6);
    assert_eq!(k.cells[1], "Carrier Rates API");
    assert_eq!(k.cells[2], "Trial");
    assert_eq!(k.cells[3], "plan");

    let made = perform(
        &m,
        Operation::Create {
            kind: Kind::PackageKey,
            parent: Some(app.id.clone()),
            values: values(&[
                ("package", "shipment tracking api"),
                ("plan", "Gold"),
                ("status", "waiting"),
            ]),
        },
    )
    .await;
    let id = made.created.expect("id");
    let issued = made.secret.expect("the new key's secret is delivered");
    assert_eq!(issued.secret.expose().len(), 10);
    let key = m.key(&id).await.expect("key");
    assert_eq!(
        (
            key.status.as_deref(),
            key.cells[1].as_str(),
            key.cells[2].as_str()
        ),
        (Some("waiting"), "Shipment Tracking API", "Gold")
    );

    let t = target(&key, Some(&app.id));
    perform(
        &m,
        Operation::SetActive {
            target: t.clone(),
            active: true,
        },
    )
    .await;
    assert!(m.key(&id).await.expect("key").is_active());
    perform(
        &m,
        Operation::SetActive {
            target: t.clone(),
            active: false,
        },
    )
    .await;
    assert_eq!(
        m.key(&id).await.expect("key").status.as_deref(),
        Some("disabled")
    );
    perform(
        &m,
        Operation::Update {
            target: t.clone(),
            values: values(&[
                ("status", "active"),
                ("qpsLimitCeiling", "7"),
                ("rateLimitCeiling", ""),
            ]),
        },
    )
    .await;
    let key = m.key(&id).await.expect("key");
    assert_eq!(
        (
            key.status.as_deref(),
            key.cells[3].as_str(),
            key.cells[4].as_str()
        ),
        (Some("active"), "7", "plan")
    );

    let wrong_plan = m
        .perform(&Operation::Create {
            kind: Kind::PackageKey,
            parent: Some(app.id.clone()),
            values: values(&[("package", "Shipment Tracking API"), ("plan", "Partner")]),
        })
        .await;
    assert!(
        matches!(wrong_plan, Err(PlatformError::Invalid(_))),
        "{wrong_plan:?}"
    );

    perform(&m, Operation::Delete { target: t }).await;
    assert!(matches!(m.key(&id).await, Err(PlatformError::NotFound(_))));
}

#[tokio::test]
async fn rotating_a_package_key_puts_a_new_secret_of_the_same_shape() {
    let sim = sim().await;
    let m = adapter(&sim, 2);
    let apps = m
        .list(Source::Pane(Pane::Applications), Some("acme-dev"), quiet())
        .await
        .expect("apps");
    let app = by_name(&apps, "Fleet Tracker");
    let keys = m
        .list(Source::Pane(Pane::Certificates), Some(&app.id), quiet())
        .await
        .expect("keys");
    let key = &keys[0];
    let token = sim.raw_token().await;
    let before = sim
        .raw_get(&token, &format!("/packageKeys/{}", key.id))
        .await;
    let old = before["secret"].as_str().expect("secret").to_string();

    let outcome = perform(
        &m,
        Operation::Rotate {
            target: target(key, Some(&app.id)),
            previous: None,
        },
    )
    .await;
    let issued = outcome.secret.clone().expect("issued secret");
    assert_eq!(issued.public_id.as_deref(), before["apikey"].as_str());
    assert_eq!(outcome.checks.len(), 2);
    assert!(
        outcome.checks.iter().all(|c| c.passed),
        "{:?}",
        outcome.checks
    );
    assert!(
        !format!("{outcome:?}").contains(issued.secret.expose()),
        "Debug never shows it"
    );

    let after = sim
        .raw_get(&token, &format!("/packageKeys/{}", key.id))
        .await;
    let new = after["secret"].as_str().expect("secret");
    assert_eq!(new, issued.secret.expose());
    assert_ne!(new, old, "the old secret is no longer the key's");
    assert_eq!(new.len(), old.len());
    assert_eq!(after["apikey"], before["apikey"]);
    assert_ne!(after["updated"], before["updated"]);
    let shown = perform(
        &m,
        Operation::Reveal {
            target: target(key, Some(&app.id)),
        },
    )
    .await;
    assert!(
        shown.rereadable,
        "Mashery shows a key's secret on every read"
    );
    assert_eq!(shown.secret.map(|s| s.secret), Some(issued.secret.clone()));
    let reread = m.key(&key.id).await.expect("key");
    assert_ne!(reread.cells[5], key.cells[5], "the Updated column moves");
    assert_eq!(json!(reread.name), before["apikey"]);
}

#[tokio::test]
async fn the_trait_reports_pages_and_searches_on_the_server() {
    let sim = sim().await;
    let m = adapter(&sim, 20).with_page_size(10);
    let apps = Source::Pane(Pane::Applications);
    assert!(
        Platform::capabilities(&m)
            .pane(Pane::Applications)
            .searches()
    );
    let whole = m
        .list_paged(apps, Some(ALL_MEMBERS), quiet())
        .await
        .expect("paged");
    assert_eq!(whole.items().len(), 30);
    assert_eq!(whole.pages(), 3, "thirty rows at ten a page");
    let found = m
        .search(apps, Some(ALL_MEMBERS), "tracker", quiet())
        .await
        .expect("search");
    let names: Vec<&str> = found.items().iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Fleet Tracker", "Rail Tracker"]);
    assert_eq!(found.pages(), 1);
    let scoped = m
        .search(apps, Some("acme-dev"), "tracker", quiet())
        .await
        .expect("scoped");
    assert_eq!(scoped.items().len(), 1, "the member's own only");
    let members = m
        .search(Source::Pane(Pane::Projects), None, "acme", quiet())
        .await;
    assert!(
        matches!(members, Err(PlatformError::Unsupported(_))),
        "{members:?}"
    );
}

impl Sim {
    /// Sets the demo key's QPS at the gateway (`None` only reads) and
    /// answers how many calls it has refused as over the QPS so far.
    async fn gateway_qps(&self, qps: Option<u32>) -> u64 {
        let body = qps.map_or_else(|| json!({}), |q| json!({ "qps": q }));
        let resp = self
            .http
            .put(format!("{}/_sim/limits", self.base))
            .json(&body)
            .send()
            .await
            .expect("limits");
        assert_eq!(resp.status().as_u16(), 200);
        let answer: Value = resp.json().await.expect("json");
        answer["overQps"].as_u64().expect("overQps")
    }

    /// The adapter the registry builds from a config tenant with `extra`
    /// keys, as the console would.
    fn configured(&self, extra: &str) -> Arc<dyn Platform> {
        let text = format!(
            "[[tenants]]\nname = \"m\"\nplatform = \"mashery\"\nbase_url = \"{}\"\n\
             page_size = 5\n{extra}\n[tenants.auth]\napi_key = \"{KEY}\"\n\
             api_secret = \"{SECRET}\"\nusername = \"{USER}\"\npassword = \"{PASSWORD}\"\n\
             area_id = \"{AREA}\"\n",
            self.base
        );
        let config = portico::config::Config::parse(&text, "config.toml").expect("config");
        let tenant = config.tenant("m").expect("tenant");
        portico::platform::registry::connect(tenant).expect("connect")
    }
}

#[tokio::test]
async fn the_tenants_qps_paces_concurrent_pages_to_the_gateways_limit() {
    let sim = sim().await;
    // A gateway limit the default of 2 would never reach, so what the
    // pacer does is the config's doing.
    assert_eq!(sim.gateway_qps(Some(5)).await, 0);
    let at_limit = sim.configured("qps = 5");
    let apps = at_limit
        .list(Source::Pane(Pane::Applications), Some(ALL_MEMBERS), quiet())
        .await
        .expect("no error at the gateway's own QPS");
    assert_eq!(apps.len(), 30, "six pages of five");
    assert_eq!(
        sim.gateway_qps(None).await,
        0,
        "kept to the limit: never refused"
    );

    // The same list from a tenant set above the limit is refused by the
    // gateway, waits it out, and still shows no error.
    let above = sim.configured("qps = 50");
    let again = above
        .list(Source::Pane(Pane::Applications), Some(ALL_MEMBERS), quiet())
        .await
        .expect("over-QPS refusals are waited out");
    assert_eq!(again.len(), 30);
    assert!(
        sim.gateway_qps(None).await > 0,
        "at 50 a second the gateway refused some calls"
    );
}

#[tokio::test]
async fn a_package_key_form_offers_every_plan_of_the_areas_packages() {
    let sim = sim().await;
    let m = adapter(&sim, 2);
    let apps = m
        .list(
            Source::Pane(Pane::Applications),
            Some("blueharbor"),
            quiet(),
        )
        .await
        .expect("apps");
    let app = by_name(&apps, "Route Planner");
    let offered = m
        .offer(Kind::PackageKey, "plan", Some(&app.id))
        .await
        .expect("offered");

    // What the area holds, read raw: each package's plans by name.
    let token = sim.raw_token().await;
    let raw = sim
        .raw_get(&token, "/packages?fields=name,plans.name&limit=1000")
        .await;
    let mut expected = Vec::new();
    for package in raw.as_array().expect("packages") {
        for plan in package["plans"].as_array().expect("plans") {
            expected.push(format!(
                "{} / {}",
                package["name"].as_str().expect("name"),
                plan["name"].as_str().expect("plan name")
            ));
        }
    }
    assert!(expected.len() > 2, "{expected:?}");
    assert_eq!(offered, expected);
    assert!(offered.contains(&"Shipment Tracking API / Gold".to_string()));
    assert!(
        m.offer(Kind::Application, "plan", None)
            .await
            .expect("nothing")
            .is_empty()
    );

    // The offered text is what a create takes.
    let made = perform(
        &m,
        Operation::Create {
            kind: Kind::PackageKey,
            parent: Some(app.id.clone()),
            values: values(&[("plan", "Shipment Tracking API / Gold"), ("status", "")]),
        },
    )
    .await;
    let key = m.key(&made.created.expect("id")).await.expect("key");
    assert_eq!(
        (key.cells[1].as_str(), key.cells[2].as_str()),
        ("Shipment Tracking API", "Gold")
    );
    let unknown = m
        .perform(&Operation::Create {
            kind: Kind::PackageKey,
            parent: Some(app.id.clone()),
            values: values(&[("plan", "Shipment Tracking API / Platinum")]),
        })
        .await;
    assert!(
        matches!(&unknown, Err(PlatformError::Invalid(m)) if m.contains("Platinum")),
        "{unknown:?}"
    );
}
