//! One suite, two targets: Portico's Kitsu adapter against the simulator
//! and against a real Zou. Where the two disagree, the simulator is wrong.
//!
//! The real run needs a Zou (`scripts/zou.sh up`) and its address:
//!   eval "$(bash scripts/zou.sh env)"
//!   `PORTICO_REQUIRE_ZOU=1` cargo test --test `kitsu_suite` -- --nocapture
//! Without `PORTICO_ZOU_URL` the real run is skipped with a note, unless
//! `PORTICO_REQUIRE_ZOU=1` (as CI sets), which makes the absence a failure.
//!
//! Everything the suite creates carries a random tag and is removed at the
//! end, also when a step fails, so runs against one Zou never collide.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

#[path = "support/kitsu_factors.rs"]
mod factors;
#[path = "support/kitsu_manage.rs"]
mod manage;
mod support;
#[path = "support/totp.rs"]
mod totp;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use portico::config::Config;
use portico::model::{Kind, Pane, Resource, Secret};
use portico::platform::kitsu::Kitsu;
use portico::platform::{
    Check, Operation, Platform, PlatformError, Progress, Source, Target, Values,
};
use reqwest::Method;
use serde_json::{Value, json};
use support::kitsu::Raw;

const TIMEOUT: Duration = Duration::from_secs(30);
const REVOKED: &str = "Token has been revoked";

#[derive(Clone)]
struct Target0 {
    base: String,
    email: String,
    password: String,
}

/// What a failed run must still remove.
#[derive(Clone, Debug, PartialEq)]
enum Leftover {
    Production(String),
    Bot(String),
}

type Leftovers = Arc<Mutex<Vec<Leftover>>>;

fn step(what: &str) {
    println!("kitsu suite: {what}");
}

fn no_progress() -> Progress {
    Arc::new(|_, _| {})
}

fn values(pairs: &[(&str, &str)]) -> Values {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn target(kind: Kind, id: &str, name: &str, parent: Option<&str>) -> Target {
    Target {
        kind,
        id: id.into(),
        name: name.into(),
        parent: parent.map(str::to_string),
    }
}

fn find<'a>(rows: &'a [Resource], id: &str) -> Option<&'a Resource> {
    rows.iter().find(|r| r.id == id)
}

fn labels(checks: &[Check]) -> Vec<(String, bool)> {
    checks.iter().map(|c| (c.label.clone(), c.passed)).collect()
}

async fn list(kitsu: &Kitsu, source: Source, parent: Option<&str>) -> Vec<Resource> {
    kitsu
        .list(source, parent, no_progress())
        .await
        .unwrap_or_else(|e| panic!("list {source:?} under {parent:?}: {e}"))
}

async fn perform(kitsu: &Kitsu, op: Operation) -> portico::platform::Outcome {
    let verb = op.verb();
    kitsu
        .perform(&op)
        .await
        .unwrap_or_else(|e| panic!("{verb} failed: {e}"))
}

/// Performs an operation Zou must refuse, and the adapter's error for it.
async fn refused(kitsu: &Kitsu, op: Operation) -> PlatformError {
    kitsu.perform(&op).await.unwrap_err()
}

fn api_error(status: u16, message: &str) -> PlatformError {
    PlatformError::Api {
        status,
        message: message.into(),
    }
}

/// A year from today: a bot's expiration must not be in the past.
fn next_year() -> String {
    let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(365);
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// Runs the suite and removes its leftovers whatever happened, then fails
/// the test if a step did.
async fn suite(base_url: &str, email: &str, password: &str) {
    let env = Target0 {
        base: base_url.trim_end_matches('/').to_string(),
        email: email.into(),
        password: password.into(),
    };
    let leftovers: Leftovers = Arc::default();
    // A spawned task turns a failed assertion into a JoinError, so the
    // cleanup below still runs.
    let run = tokio::spawn(steps(env.clone(), leftovers.clone())).await;
    let left = leftovers.lock().unwrap().clone();
    if !left.is_empty() {
        step(&format!("cleaning up {left:?}"));
        cleanup(&env, &left).await;
    }
    if let Err(err) = run {
        std::panic::resume_unwind(err.into_panic());
    }
}

async fn cleanup(env: &Target0, left: &[Leftover]) {
    let raw = Raw::login(&env.base, &env.email, &env.password).await;
    for item in left {
        match item {
            Leftover::Production(id) => {
                let closed = raw.status_id("Closed").await;
                let path = format!("/data/projects/{id}");
                raw.call(
                    Method::PUT,
                    &path,
                    Some(json!({ "project_status_id": closed })),
                )
                .await;
                let (status, body) = raw.delete(&format!("{path}?force=true")).await;
                println!("cleanup: production {id}: {status} {body}");
            }
            Leftover::Bot(id) => {
                let (status, body) = raw.delete(&format!("/data/persons/{id}?force=true")).await;
                println!("cleanup: bot {id}: {status} {body}");
            }
        }
    }
}

fn forget(leftovers: &Leftovers, item: &Leftover) {
    leftovers.lock().unwrap().retain(|l| l != item);
}

async fn steps(env: Target0, leftovers: Leftovers) {
    let tag = rand::random::<u32>();
    let kitsu = Kitsu::with_login(
        &env.base,
        TIMEOUT,
        env.email.clone(),
        Secret::new(env.password.as_str()),
    )
    .expect("adapter");
    let raw = Raw::login(&env.base, &env.email, &env.password).await;

    auth(&env, &kitsu, &raw).await;
    let production = productions(&kitsu, &raw, tag, &leftovers).await;
    asset_types_and_links(&kitsu, &raw, &production, tag).await;
    manage::production_settings(&kitsu, &raw, &production, &env.email).await;
    manage::task_types_and_statuses(&kitsu, &raw, tag).await;
    close_and_delete(&kitsu, &raw, &production, &leftovers).await;
    bots(&env, &kitsu, &raw, tag, &leftovers).await;
    manage::bot_management(&kitsu, &raw, tag).await;
    factors::regeneration(&kitsu, &raw, tag).await;
    factors::departments(&kitsu, &raw, tag).await;
    factors::two_factor(&env.base, &raw, tag).await;
    factors::person_search(&kitsu, &env.email).await;

    step("certificates are not a Kitsu thing");
    let err = kitsu
        .list(Source::Pane(Pane::Certificates), None, no_progress())
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Unsupported(_)), "{err:?}");
}

async fn auth(env: &Target0, kitsu: &Kitsu, raw: &Raw) {
    step("login");
    assert_eq!(kitsu.whoami().await.unwrap(), env.email);

    step("a wrong password is refused with Zou's message");
    let wrong = Kitsu::with_login(
        &env.base,
        TIMEOUT,
        env.email.clone(),
        Secret::new("not-the-password"),
    )
    .expect("adapter");
    assert_eq!(
        wrong.whoami().await.unwrap_err(),
        PlatformError::Auth("Wrong email or password.".into())
    );
    let (status, body) = raw
        .call(
            Method::POST,
            "/auth/login",
            Some(json!({"email": env.email, "password": "not-the-password"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"login": false, "message": "Wrong email or password."})
        )
    );

    step("refresh: the adapter trades its refresh token and keeps working");
    kitsu.refresh().await.unwrap();
    kitsu.refresh().await.unwrap();
    assert_eq!(kitsu.whoami().await.unwrap(), env.email);

    step("refresh: Zou's answers to the refresh endpoint");
    let refresh = raw.refresh.clone();
    let (status, body) = raw
        .call_as(&refresh, Method::GET, "/auth/refresh-token", None)
        .await;
    assert_eq!(status, 200, "{body}");
    let fresh = body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    assert_eq!(
        body.as_object().map(serde_json::Map::len),
        Some(1),
        "{body}"
    );
    let (status, body) = raw
        .call_as(&fresh, Method::GET, "/auth/authenticated", None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["authenticated"], true);
    assert_eq!(body["user"]["email"], env.email.as_str());
    let (status, body) = raw.call(Method::GET, "/auth/refresh-token", None).await;
    assert_eq!(
        (status, body),
        (422, json!({"msg": "Only refresh tokens are allowed"}))
    );
}

/// Creates and edits a production through the adapter; returns its id.
async fn productions(kitsu: &Kitsu, raw: &Raw, tag: u32, leftovers: &Leftovers) -> String {
    step("listing productions");
    let before = list(kitsu, Source::Pane(Pane::Projects), None).await;
    for row in &before {
        assert_eq!(row.kind, Kind::Project);
        assert!(
            matches!(row.status.as_deref(), Some("Open" | "Closed")),
            "{row:?}"
        );
        assert_eq!(row.cells.len(), 3);
    }

    step("creating a production");
    let name = format!("Portico Suite {tag}");
    let outcome = perform(
        kitsu,
        Operation::Create {
            kind: Kind::Project,
            parent: None,
            values: values(&[
                ("name", &name),
                ("description", "Made by the Kitsu suite"),
                ("start_date", "2026-01-05"),
                ("end_date", ""),
                ("production_type", "featurefilm"),
            ]),
        },
    )
    .await;
    let id = outcome.created.clone().expect("created id");
    leftovers
        .lock()
        .unwrap()
        .push(Leftover::Production(id.clone()));
    assert!(outcome.secret.is_none());

    let rows = list(kitsu, Source::Pane(Pane::Projects), None).await;
    let row = find(&rows, &id).expect("new production listed");
    assert_eq!(row.name, name);
    assert_eq!(row.status.as_deref(), Some("Open"));
    assert_eq!(row.cells, ["Open", "featurefilm", "2d3d"]);
    assert_eq!(row.detail("description"), Some("Made by the Kitsu suite"));
    assert_eq!(row.detail("start_date"), Some("2026-01-05"));
    assert_eq!(row.detail("end_date"), Some(""));
    assert_eq!(rows.len(), before.len() + 1);

    step("a duplicate name is refused with Zou's message");
    let duplicate = Operation::Create {
        kind: Kind::Project,
        parent: None,
        values: values(&[("name", &name)]),
    };
    assert_eq!(
        refused(kitsu, duplicate).await,
        api_error(400, "A record with the same unique values already exists.")
    );

    step("editing the production");
    let renamed = format!("Portico Suite {tag} (edited)");
    perform(
        kitsu,
        Operation::Update {
            target: target(Kind::Project, &id, &name, None),
            values: values(&[
                ("name", &renamed),
                ("description", "Edited by the Kitsu suite"),
                ("start_date", ""),
                ("end_date", "2026-12-18"),
            ]),
        },
    )
    .await;
    let rows = list(kitsu, Source::Pane(Pane::Projects), None).await;
    let row = find(&rows, &id).expect("edited production listed");
    assert_eq!(row.name, renamed);
    assert_eq!(row.detail("description"), Some("Edited by the Kitsu suite"));
    assert_eq!(row.detail("start_date"), Some(""));
    assert_eq!(row.detail("end_date"), Some("2026-12-18"));
    let body = raw.get(&format!("/data/projects/{id}")).await;
    assert_eq!(body["name"], renamed.as_str());
    assert_eq!(body["start_date"], Value::Null);
    assert_eq!(body["end_date"], "2026-12-18");
    assert_eq!(body["project_status_name"], "Open");
    id
}

async fn asset_types_and_links(kitsu: &Kitsu, raw: &Raw, production: &str, tag: u32) {
    step("asset types: none before the production has assets");
    let types = list(kitsu, Source::View("asset-types"), Some(production)).await;
    assert!(types.is_empty(), "{types:?}");

    step("asset types: only those the production's assets use");
    let all = raw.get("/data/asset-types").await;
    let all = all.as_array().expect("asset types array");
    assert!(
        all.len() >= 3,
        "need three asset types to tell used from unused: {all:?}"
    );
    let (first, second) = (&all[0], &all[1]);
    let mut assets = Vec::new();
    for (kind, name) in [(first, "Ellie"), (second, "Basket"), (first, "Rex")] {
        let path = format!(
            "/data/projects/{production}/asset-types/{}/assets/new",
            kind["id"].as_str().expect("asset type id")
        );
        let asset = raw
            .create(
                &path,
                json!({"name": format!("{name} {tag}"), "description": "suite asset"}),
            )
            .await;
        assert_eq!(asset["type"], "Asset", "{asset}");
        assets.push((
            asset["id"].as_str().expect("asset id").to_string(),
            format!("{name} {tag}"),
        ));
    }
    let types = list(kitsu, Source::View("asset-types"), Some(production)).await;
    let mut got: Vec<&str> = types.iter().map(|r| r.name.as_str()).collect();
    got.sort_unstable();
    let mut want = vec![
        first["name"].as_str().expect("name"),
        second["name"].as_str().expect("name"),
    ];
    want.sort_unstable();
    assert_eq!(got, want);
    assert!(types.iter().all(|r| r.kind == Kind::AssetType));

    step("entity links: listed with entity names");
    let mut links = Vec::new();
    for (from, to, label) in [(0, 1, "fixed"), (2, 1, "animate")] {
        let link = raw
            .create(
                "/data/entity-links",
                json!({
                    "entity_in_id": assets[from].0,
                    "entity_out_id": assets[to].0,
                    "nb_occurences": 2,
                    "label": label,
                }),
            )
            .await;
        assert_eq!(link["type"], "EntityLink", "{link}");
        links.push(link["id"].as_str().expect("link id").to_string());
    }
    let rows = list(kitsu, Source::View("entity-links"), Some(production)).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let first_link = find(&rows, &links[0]).expect("first link listed");
    assert_eq!(first_link.kind, Kind::EntityLink);
    assert_eq!(
        first_link.name,
        format!("{} → {}", assets[0].1, assets[1].1)
    );
    assert_eq!(first_link.cells, ["2", "fixed"]);

    step("entity links: paging reports progress up to the total");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let progress: Progress = {
        let seen = seen.clone();
        Arc::new(move |done, total| seen.lock().unwrap().push((done, total)))
    };
    kitsu
        .list(Source::View("entity-links"), Some(production), progress)
        .await
        .unwrap();
    assert_eq!(seen.lock().unwrap().last(), Some(&(2, Some(2))));

    step("entity links: deleting one");
    let victim = find(&rows, &links[1]).expect("second link listed");
    perform(
        kitsu,
        Operation::Delete {
            target: target(Kind::EntityLink, &victim.id, &victim.name, Some(production)),
        },
    )
    .await;
    let rows = list(kitsu, Source::View("entity-links"), Some(production)).await;
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, [links[0].as_str()]);
    let bare = raw
        .get(&format!("/data/projects/{production}/entity-links"))
        .await;
    assert_eq!(bare.as_array().map(Vec::len), Some(1), "{bare}");

    step("entity links: Zou's answer to the delete the console sends");
    let link = raw
        .create(
            "/data/entity-links",
            json!({"entity_in_id": assets[2].0, "entity_out_id": assets[0].0, "nb_occurences": 1, "label": "animate"}),
        )
        .await;
    let link_id = link["id"].as_str().expect("link id");
    let (status, body) = raw
        .delete(&format!(
            "/data/projects/{production}/entity-links/{link_id}"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], link_id, "{body}");
    assert_eq!(body["type"], "EntityLink", "{body}");
}

async fn close_and_delete(kitsu: &Kitsu, raw: &Raw, production: &str, leftovers: &Leftovers) {
    let name = "suite production";
    let it = || target(Kind::Project, production, name, None);

    step("deleting an open production fails");
    let (status, body) = raw.delete(&format!("/data/projects/{production}")).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": true, "message": "Only closed projects can be deleted"})
        )
    );
    assert_eq!(
        refused(kitsu, Operation::Delete { target: it() }).await,
        api_error(400, "Only closed projects can be deleted")
    );

    step("closing, reopening and closing the production");
    for (open, want) in [(false, "Closed"), (true, "Open"), (false, "Closed")] {
        perform(
            kitsu,
            Operation::SetActive {
                target: it(),
                active: open,
            },
        )
        .await;
        let rows = list(kitsu, Source::Pane(Pane::Projects), None).await;
        let row = find(&rows, production).expect("production listed");
        assert_eq!(row.status.as_deref(), Some(want));
        assert_eq!(row.cells[0], want);
        assert_eq!(row.is_active(), open);
        let body = raw.get(&format!("/data/projects/{production}")).await;
        assert_eq!(body["project_status_name"], want);
    }

    step("deleting the closed production, assets and links included");
    perform(kitsu, Operation::Delete { target: it() }).await;
    forget(leftovers, &Leftover::Production(production.to_string()));
    let rows = list(kitsu, Source::Pane(Pane::Projects), None).await;
    assert!(find(&rows, production).is_none());
    let (status, body) = raw
        .call(Method::GET, &format!("/data/projects/{production}"), None)
        .await;
    assert_eq!((status, body), (404, not_found()));
}

/// Zou's (Flask's) answer for an unknown id or route.
fn not_found() -> Value {
    json!({
        "error": true,
        "message": "404 Not Found: The requested URL was not found on the server. \
                    If you entered the URL manually please check your spelling and try again."
    })
}

async fn bots(env: &Target0, kitsu: &Kitsu, raw: &Raw, tag: u32, leftovers: &Leftovers) {
    step("creating a bot");
    let name = format!("portico-suite-bot-{tag}");
    let expires = next_year();
    let outcome = perform(
        kitsu,
        Operation::Create {
            kind: Kind::Bot,
            parent: None,
            values: values(&[
                ("name", &name),
                ("role", "user"),
                ("expiration_date", &expires),
            ]),
        },
    )
    .await;
    let id = outcome.created.clone().expect("created bot id");
    leftovers.lock().unwrap().push(Leftover::Bot(id.clone()));
    let issued = outcome.secret.clone().expect("bot token");
    assert_eq!(issued.label, "bot token");
    assert_eq!(issued.public_id.as_deref(), Some(name.as_str()));
    assert_eq!(
        labels(&outcome.checks),
        [("new token accepted".to_string(), true)]
    );
    let first = issued.secret;

    let rows = list(kitsu, Source::Pane(Pane::Applications), None).await;
    let row = find(&rows, &id).expect("bot listed");
    assert_eq!(row.kind, Kind::Bot);
    assert_eq!(row.name, name);
    assert_eq!(row.cells, ["user", "", "yes"]);
    assert_eq!(row.detail("expiration_date"), Some(expires.as_str()));
    let expiry = row.expires.expect("bot expiry");
    assert_eq!(expiry.date().to_string(), expires);
    assert!(rows.iter().all(|r| r.kind == Kind::Bot));

    step("the persons view lists people and bots");
    let persons = list(kitsu, Source::View("persons"), None).await;
    let me = persons
        .iter()
        .find(|p| p.detail("email") == Some(env.email.as_str()))
        .expect("admin among persons");
    assert_eq!(me.detail("bot"), Some("no"));
    assert_eq!(
        find(&persons, &id).and_then(|p| p.detail("bot")),
        Some("yes")
    );

    step("bots and persons read a page at a time are the whole of them");
    let ids = |rows: &[Resource]| {
        let mut ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        ids.sort();
        ids
    };
    let unpaged: Vec<String> = {
        let all = raw.get("/data/persons?is_bot=true").await;
        let mut ids: Vec<String> = all
            .as_array()
            .expect("bare array without page")
            .iter()
            .map(|b| b["id"].as_str().expect("id").to_string())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&rows), unpaged);
    let (status, envelope) = raw
        .call(
            Method::GET,
            "/data/persons?is_bot=true&page=1&limit=1",
            None,
        )
        .await;
    assert_eq!(status, 200, "{envelope}");
    assert_eq!(envelope["total"], json!(unpaged.len()), "{envelope}");
    assert_eq!(envelope["nb_pages"], json!(unpaged.len()), "{envelope}");
    assert_eq!(envelope["data"].as_array().map(Vec::len), Some(1));
    let one_a_page = Kitsu::with_login(
        &env.base,
        TIMEOUT,
        env.email.clone(),
        Secret::new(env.password.as_str()),
    )
    .expect("adapter")
    .with_page_size(1);
    let paged = one_a_page
        .list_paged(Source::Pane(Pane::Applications), None, no_progress())
        .await
        .expect("bots a page at a time");
    assert_eq!(ids(paged.items()), unpaged);
    assert_eq!(paged.pages(), unpaged.len());
    let people = list(&one_a_page, Source::View("persons"), None).await;
    assert_eq!(ids(&people), ids(&persons));

    step("the bot's token works, and a console can run on it");
    let as_bot = Kitsu::with_token(&env.base, TIMEOUT, first.clone()).expect("adapter");
    as_bot.list_productions().await.unwrap();

    step("regenerating the token with the previous one known");
    let bot = target(Kind::Bot, &id, &name, None);
    let outcome = perform(
        kitsu,
        Operation::Rotate {
            target: bot.clone(),
            previous: Some(first.clone()),
        },
    )
    .await;
    let second = outcome.secret.clone().expect("new token").secret;
    assert_ne!(second, first);
    assert_eq!(
        labels(&outcome.checks),
        [
            ("new token accepted".to_string(), true),
            (format!("previous token rejected (401 {REVOKED})"), true),
        ]
    );
    let (status, body) = raw
        .call_as(first.expose(), Method::GET, "/data/projects", None)
        .await;
    assert_eq!((status, body), (401, json!({ "msg": REVOKED })));
    let (status, body) = raw
        .call_as(second.expose(), Method::GET, "/data/projects", None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        as_bot.list_productions().await.unwrap_err(),
        PlatformError::Auth(REVOKED.into())
    );

    step("the expiration date survives the regeneration");
    let rows = list(kitsu, Source::Pane(Pane::Applications), None).await;
    assert_eq!(
        find(&rows, &id).and_then(|r| r.detail("expiration_date")),
        Some(expires.as_str())
    );

    step("only an update naming expiration_date issues a token");
    let path = format!("/data/persons/{id}");
    let (status, body) = raw
        .call(
            Method::PUT,
            &path,
            Some(json!({"expiration_date": "2020-01-31"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": true, "message": "Expiration date can't be in the past.", "data": null})
        )
    );
    let (status, body) = raw
        .call(Method::PUT, &path, Some(json!({"last_name": "Suite"})))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("access_token").is_none(), "{body}");
    assert_eq!(body["expiration_date"], expires.as_str());
    let (status, body) = raw
        .call_as(second.expose(), Method::GET, "/auth/authenticated", None)
        .await;
    assert_eq!(status, 200, "the token must survive other updates: {body}");

    step("regenerating without a copy of the previous token");
    let outcome = perform(
        kitsu,
        Operation::Rotate {
            target: bot.clone(),
            previous: None,
        },
    )
    .await;
    let third = outcome.secret.clone().expect("new token").secret;
    assert_eq!(
        labels(&outcome.checks),
        [
            ("new token accepted".to_string(), true),
            (
                "previous token not checked: Portico held no copy of it".to_string(),
                true
            ),
        ]
    );
    let (status, body) = raw
        .call_as(second.expose(), Method::GET, "/auth/authenticated", None)
        .await;
    assert_eq!((status, body), (401, json!({ "msg": REVOKED })));

    step("deleting the bot revokes its token");
    perform(kitsu, Operation::Delete { target: bot }).await;
    forget(leftovers, &Leftover::Bot(id.clone()));
    let rows = list(kitsu, Source::Pane(Pane::Applications), None).await;
    assert!(find(&rows, &id).is_none());
    let (status, body) = raw
        .call_as(third.expose(), Method::GET, "/data/projects", None)
        .await;
    assert_eq!((status, body), (401, json!({ "msg": REVOKED })));
}

#[tokio::test]
async fn simulator() {
    let sim = portico::platform::registry::start_simulator("127.0.0.1:0".parse().unwrap())
        .await
        .expect("simulator");
    let base = sim.base_url();
    // The demo admin is whatever the simulator's own demo config says.
    let config = Config::parse(&portico::platform::registry::demo_config(&base), "<sim>")
        .expect("demo config");
    let tenant = config
        .tenants()
        .iter()
        .find(|t| t.platform().as_str() == "kitsu")
        .expect("a kitsu tenant in the demo config");
    assert_eq!(tenant.base_url(), format!("{base}/kitsu/api"));
    let credential = |key: &str| {
        tenant
            .auth()
            .get(key)
            .unwrap_or_else(|| panic!("demo auth.{key}"))
            .resolve()
            .expect("literal credential")
            .to_string()
    };
    suite(
        tenant.base_url(),
        &credential("email"),
        &credential("password"),
    )
    .await;
}

#[tokio::test]
async fn real_zou() {
    let required = std::env::var("PORTICO_REQUIRE_ZOU").is_ok_and(|v| v == "1");
    let url = std::env::var("PORTICO_ZOU_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let Some(url) = url else {
        assert!(
            !required,
            "PORTICO_REQUIRE_ZOU=1 but PORTICO_ZOU_URL is not set: \
             run `eval \"$(bash scripts/zou.sh env)\"` after `bash scripts/zou.sh up`"
        );
        println!(
            "real_zou skipped: PORTICO_ZOU_URL is not set \
             (bash scripts/zou.sh up; eval \"$(bash scripts/zou.sh env)\")"
        );
        return;
    };
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| panic!("{name} must be set with PORTICO_ZOU_URL"))
    };
    suite(
        &url,
        &var("PORTICO_ZOU_EMAIL"),
        &var("PORTICO_ZOU_PASSWORD"),
    )
    .await;
}
