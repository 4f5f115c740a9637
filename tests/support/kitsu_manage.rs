//! Kitsu suite steps for managing bots, persons, productions' settings and
//! teams, task types and project statuses. Each runs against the simulator
//! and a real Zou alike.

use std::sync::Arc;

use portico::model::{Kind, Lifecycle, Pane, Resource};
use portico::platform::kitsu::{Kitsu, VIEW_TASK_TYPES};
use portico::platform::{Operation, Platform, Progress, Source, Target, Values};
use reqwest::Method;
use serde_json::{Value, json};

use super::support::kitsu::Raw;

/// What real Zou 1.0.97 answers a deactivated bot's token (measured):
/// Flask's 401 text, not "Token has been revoked"; the token works again
/// once the bot is reactivated.
const INACTIVE: &str = "The server could not verify that you are authorized to access the URL \
requested. You either supplied the wrong credentials (e.g. a bad password), or your browser \
doesn't understand how to supply the credentials required.";

fn step(what: &str) {
    println!("kitsu suite: {what}");
}

fn values(pairs: &[(&str, &str)]) -> Values {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn target(kind: Kind, id: &str, name: &str) -> Target {
    Target {
        kind,
        id: id.into(),
        name: name.into(),
        parent: None,
    }
}

fn no_progress() -> Progress {
    Arc::new(|_, _| {})
}

async fn list(kitsu: &Kitsu, source: Source) -> Vec<Resource> {
    kitsu
        .list(source, None, no_progress())
        .await
        .unwrap_or_else(|e| panic!("list {source:?}: {e}"))
}

fn days_from_now(days: i64) -> String {
    let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(days);
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

fn ids(body: &Value) -> Vec<String> {
    body.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn production_settings(kitsu: &Kitsu, raw: &Raw, production: &str, email: &str) {
    step("a production's type and style are edited");
    let me = raw
        .get(&format!("/data/persons?email={email}"))
        .await
        .as_array()
        .and_then(|a| a.first().cloned())
        .expect("the admin by email");
    let me_id = me["id"].as_str().expect("admin id").to_string();
    let outcome = kitsu
        .perform(&Operation::Update {
            target: target(Kind::Project, production, "suite production"),
            values: values(&[
                ("production_type", "featurefilm"),
                ("production_style", "3d"),
                ("team_add", email),
            ]),
        })
        .await
        .expect("edit production");
    assert!(
        outcome.summary.contains(&format!("added {email}")),
        "{}",
        outcome.summary
    );
    let project = raw.get(&format!("/data/projects/{production}")).await;
    assert_eq!(project["production_type"], "featurefilm");
    assert_eq!(project["production_style"], "3d");
    assert!(
        project["project_status_name"].is_string(),
        "status name: {project}"
    );

    step("the team holds the added person, and the persons view shows the production");
    let team = raw.get(&format!("/data/projects/{production}/team")).await;
    assert!(ids(&team).contains(&me_id), "team: {team}");
    let persons = list(kitsu, Source::View("persons")).await;
    let row = persons
        .iter()
        .find(|p| p.id == me_id)
        .expect("admin listed");
    let name = project["name"].as_str().expect("name");
    assert!(
        row.detail("projects")
            .is_some_and(|p| p.split(", ").any(|n| n == name)),
        "projects of the admin: {:?}",
        row.detail("projects")
    );
    let productions = list(kitsu, Source::Pane(Pane::Projects)).await;
    let listed = productions
        .iter()
        .find(|p| p.id == production)
        .expect("production listed");
    assert_eq!(
        listed.status.as_deref(),
        project["project_status_name"].as_str()
    );

    step("removing from the team");
    kitsu
        .perform(&Operation::Update {
            target: target(Kind::Project, production, "suite production"),
            values: values(&[("team_remove", email)]),
        })
        .await
        .expect("remove from team");
    let team = raw.get(&format!("/data/projects/{production}/team")).await;
    assert!(!ids(&team).contains(&me_id), "team: {team}");

    step("Zou's routing takes a trailing slash");
    let (status, body) = raw.call(Method::GET, "/data/entity-links/", None).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.is_array(), "{body}");
}

pub async fn task_types_and_statuses(kitsu: &Kitsu, raw: &Raw, tag: u32) {
    step(":task-types lists Zou's task types, and one reads alone");
    let kinds = list(kitsu, Source::View(VIEW_TASK_TYPES)).await;
    let modeling = kinds
        .iter()
        .find(|k| k.name == "Modeling")
        .expect("init-data's Modeling");
    assert_eq!(modeling.kind, Kind::TaskType);
    assert_eq!(modeling.detail("for_entity"), Some("Asset"));
    let one = kitsu.task_type(&modeling.id).await.expect("one task type");
    assert_eq!(one.name, "Modeling");
    assert_eq!(one.cells, modeling.cells);

    step("an admin creates a project status");
    let name = format!("suite {}", tag % 100_000);
    let outcome = kitsu
        .perform(&Operation::Create {
            kind: Kind::ProjectStatus,
            parent: None,
            values: values(&[("name", &name), ("color", "#3366aa")]),
        })
        .await
        .expect("create status");
    let id = outcome.created.expect("status id");
    let status = raw.get(&format!("/data/project-status/{id}")).await;
    assert_eq!(status["name"], name.as_str());
    assert_eq!(status["color"], "#3366aa");
    let (code, body) = raw.delete(&format!("/data/project-status/{id}")).await;
    assert_eq!(code, 204, "{body}");
}

pub async fn bot_management(kitsu: &Kitsu, raw: &Raw, tag: u32) {
    step("a bot for management");
    let name = format!("portico-manage-bot-{tag}");
    let created = raw
        .create(
            "/data/persons",
            json!({"first_name": name, "last_name": "", "is_bot": true, "role": "user"}),
        )
        .await;
    let id = created["id"].as_str().expect("bot id").to_string();
    let first = created["access_token"].as_str().expect("token").to_string();
    let run = async {
        step("the bots pane lists bots only, filtered by Zou");
        let bots = list(kitsu, Source::Pane(Pane::Applications)).await;
        assert!(bots.iter().any(|b| b.id == id));
        assert!(bots.iter().all(|b| b.kind == Kind::Bot));

        step("editing role only keeps the token");
        let outcome = kitsu
            .perform(&Operation::Update {
                target: target(Kind::Bot, &id, &name),
                values: values(&[
                    ("role", "supervisor"),
                    ("expiration_date", ""),
                    ("active", "yes"),
                ]),
            })
            .await
            .expect("edit bot role");
        assert!(outcome.secret.is_none(), "{}", outcome.summary);
        let (status, _) = raw
            .call_as(&first, Method::GET, "/auth/authenticated", None)
            .await;
        assert_eq!(status, 200);

        step("a new expiry ten days out issues a new token; the row is due soon");
        let soon = days_from_now(10);
        let outcome = kitsu
            .perform(&Operation::Update {
                target: target(Kind::Bot, &id, &name),
                values: values(&[("role", "supervisor"), ("expiration_date", &soon)]),
            })
            .await
            .expect("edit bot expiry");
        let second = outcome.secret.expect("new token").secret;
        let (status, body) = raw
            .call_as(&first, Method::GET, "/auth/authenticated", None)
            .await;
        assert_eq!(
            (status, body["msg"].as_str()),
            (401, Some("Token has been revoked"))
        );
        let bots = list(kitsu, Source::Pane(Pane::Applications)).await;
        let row = bots.iter().find(|b| b.id == id).expect("bot listed");
        assert_eq!(row.cells[0], "supervisor");
        assert_eq!(row.detail("expiration_date"), Some(soon.as_str()));
        let left = row.expires.expect("expiry") - time::OffsetDateTime::now_utc();
        assert!(left > time::Duration::days(9) && left < time::Duration::days(11));
        assert_eq!(row.state, Lifecycle::Active);

        step("a deactivated bot's token is refused as Zou refuses it, and works again");
        kitsu
            .perform(&Operation::SetActive {
                target: target(Kind::Bot, &id, &name),
                active: false,
            })
            .await
            .expect("deactivate");
        for _ in 0..2 {
            assert_eq!(
                kitsu.token_accepted(&second).await.expect("check"),
                Err(INACTIVE.to_string())
            );
        }
        let bots = list(kitsu, Source::Pane(Pane::Applications)).await;
        let row = bots.iter().find(|b| b.id == id).expect("bot listed");
        assert_eq!(row.state, Lifecycle::Inactive);
        kitsu
            .perform(&Operation::SetActive {
                target: target(Kind::Bot, &id, &name),
                active: true,
            })
            .await
            .expect("reactivate");
        assert_eq!(kitsu.token_accepted(&second).await.expect("check"), Ok(()));

        step("a person's role changes and they are deactivated and back");
        let person = raw
            .create(
                "/data/persons",
                json!({"first_name": "Suite", "last_name": format!("Person{tag}"),
                       "email": format!("suite-{tag}@example.com"), "role": "user"}),
            )
            .await;
        let pid = person["id"].as_str().expect("person id").to_string();
        let who = target(Kind::Person, &pid, "Suite Person");
        kitsu
            .perform(&Operation::Update {
                target: who.clone(),
                values: values(&[("role", "manager"), ("active", "yes")]),
            })
            .await
            .expect("edit person");
        assert_eq!(
            raw.get(&format!("/data/persons/{pid}")).await["role"],
            "manager"
        );
        kitsu
            .perform(&Operation::SetActive {
                target: who.clone(),
                active: false,
            })
            .await
            .expect("deactivate person");
        assert_eq!(
            raw.get(&format!("/data/persons/{pid}")).await["active"],
            false
        );
        kitsu
            .perform(&Operation::SetActive {
                target: who,
                active: true,
            })
            .await
            .expect("reactivate person");
        assert_eq!(
            raw.get(&format!("/data/persons/{pid}")).await["active"],
            true
        );
        let (code, body) = raw.delete(&format!("/data/persons/{pid}?force=true")).await;
        assert!(code == 204 || code == 200, "{code} {body}");
    };
    // The bot goes after a failed step too.
    let result = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(run)).await;
    let (code, body) = raw.delete(&format!("/data/persons/{id}?force=true")).await;
    println!("cleanup: bot {id}: {code} {body}");
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
