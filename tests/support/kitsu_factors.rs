//! Kitsu suite steps for two-factor login, token regeneration with a
//! chosen expiry, and bots' departments. Each runs against the simulator
//! and a real Zou alike: TOTP is set up over Zou's own API, as a person
//! does it from Kitsu's settings.

use std::time::Duration;

use portico::model::{Kind, Pane, Secret};
use portico::platform::kitsu::Kitsu;
use portico::platform::{Operation, Platform, PlatformError, Source, Target, Values};
use reqwest::Method;
use serde_json::{Value, json};

use super::support::kitsu::Raw;
use super::totp;

const TIMEOUT: Duration = Duration::from_secs(30);

fn step(what: &str) {
    println!("kitsu suite: {what}");
}

fn values(pairs: &[(&str, &str)]) -> Values {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn bot(id: &str, name: &str) -> Target {
    Target {
        kind: Kind::Bot,
        id: id.into(),
        name: name.into(),
        parent: None,
    }
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

/// Removes what `run` made even when one of its steps fails.
async fn cleaning_up(raw: &Raw, ids: &[&str], run: impl std::future::Future<Output = ()>) {
    let result = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(run)).await;
    for id in ids {
        let (code, body) = raw.delete(&format!("/data/persons/{id}?force=true")).await;
        println!("cleanup: person {id}: {code} {body}");
    }
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

fn second_factor_prompt(err: &PlatformError) -> &str {
    match err {
        PlatformError::SecondFactor(text) => text,
        other => panic!("expected a second-factor prompt, got {other:?}"),
    }
}

pub async fn two_factor(base: &str, raw: &Raw, tag: u32) {
    step("a person turns TOTP on over Zou's API");
    let email = format!("suite-2fa-{tag}@example.com");
    let password = format!("suite-2fa-pw-{tag}");
    let person = raw
        .create(
            "/data/persons",
            json!({"first_name": "Suite", "last_name": format!("Otp{tag}"),
                   "email": email, "password": password, "role": "user"}),
        )
        .await;
    let id = person["id"].as_str().expect("person id").to_string();
    let run = async {
        let me = Raw::login(base, &email, &password).await;
        let (status, prepared) = me.call(Method::PUT, "/auth/totp", None).await;
        assert_eq!(status, 200, "{prepared}");
        let secret = prepared["otp_secret"]
            .as_str()
            .expect("otp_secret")
            .to_string();
        let (status, enabled) = me
            .call(
                Method::POST,
                "/auth/totp",
                Some(json!({"totp": totp::now(&secret)})),
            )
            .await;
        assert_eq!(status, 200, "{enabled}");
        let recovery = enabled["otp_recovery_codes"][0]
            .as_str()
            .expect("recovery codes")
            .to_string();

        step("a login without the code: missing_OTP, in Zou's words");
        let (status, body) = me
            .call_anonymous(
                Method::POST,
                "/auth/login",
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(
            (status, body),
            (
                400,
                json!({
                    "error": true, "login": false, "missing_OTP": true,
                    "message": "A two-factor authentication code is required.",
                    "preferred_two_factor_authentication": "totp",
                    "two_factor_authentication_enabled": ["recovery_code", "totp"],
                })
            )
        );
        let (status, body) = me
            .call_anonymous(
                Method::POST,
                "/auth/login",
                json!({"email": email, "password": password, "totp": totp::wrong(&secret)}),
            )
            .await;
        assert_eq!(
            (status, body),
            (
                400,
                json!({"error": true, "login": false, "wrong_OTP": true,
                       "message": "Wrong two-factor authentication code."})
            )
        );

        step("the adapter asks for the code, refuses a wrong one, then logs in");
        let kitsu = Kitsu::with_login(base, TIMEOUT, email.clone(), Secret::new(password.as_str()))
            .expect("adapter");
        let asked = kitsu
            .list(
                Source::Pane(Pane::Projects),
                None,
                std::sync::Arc::new(|_, _| {}),
            )
            .await
            .unwrap_err();
        assert!(
            second_factor_prompt(&asked).contains("authenticator app"),
            "{asked}"
        );
        let wrong = kitsu
            .second_factor(Secret::new(totp::wrong(&secret)))
            .await
            .unwrap_err();
        assert!(
            second_factor_prompt(&wrong).contains("Wrong two-factor authentication code"),
            "{wrong}"
        );
        // The code is used once: with none given, Zou asks again.
        let again = kitsu.whoami().await.unwrap_err();
        second_factor_prompt(&again);
        assert_eq!(
            kitsu
                .second_factor(Secret::new(totp::now(&secret)))
                .await
                .unwrap(),
            email
        );
        kitsu
            .list_productions()
            .await
            .expect("lists once logged in");

        step("a recovery code logs in once");
        let fresh = Kitsu::with_login(base, TIMEOUT, email.clone(), Secret::new(password.as_str()))
            .expect("adapter");
        second_factor_prompt(&fresh.whoami().await.unwrap_err());
        assert_eq!(
            fresh
                .second_factor(Secret::new(recovery.as_str()))
                .await
                .unwrap(),
            email
        );
        let used = Kitsu::with_login(base, TIMEOUT, email.clone(), Secret::new(password.as_str()))
            .expect("adapter");
        second_factor_prompt(&used.whoami().await.unwrap_err());
        second_factor_prompt(
            &used
                .second_factor(Secret::new(recovery.as_str()))
                .await
                .unwrap_err(),
        );

        step("asking Zou to mail a code answers the same for anyone");
        let (status, body) = me
            .call(Method::GET, &format!("/auth/email-otp?email={email}"), None)
            .await;
        assert_eq!((status, body), (200, json!({"success": true})));
        let (status, body) = me.call(Method::GET, "/auth/email-otp", None).await;
        assert_eq!(
            (status, body),
            (
                400,
                json!({"error": true, "message": "Missing required parameter: email", "data": null})
            )
        );

        step("turning TOTP off needs a code; the login then needs none");
        let (status, body) = me
            .call(
                Method::DELETE,
                "/auth/totp",
                Some(json!({"totp": totp::now(&secret)})),
            )
            .await;
        assert_eq!((status, body), (200, json!({"success": true})));
        let plain = Kitsu::with_login(base, TIMEOUT, email.clone(), Secret::new(password.as_str()))
            .expect("adapter");
        assert_eq!(plain.whoami().await.unwrap(), email);
    };
    cleaning_up(raw, &[&id], run).await;
}

pub async fn regeneration(kitsu: &Kitsu, raw: &Raw, tag: u32) {
    step("regenerating a bot's token: keep the expiry, or set a new one");
    let name = format!("portico-regen-bot-{tag}");
    let expires = days_from_now(200);
    let created = raw
        .create(
            "/data/persons",
            json!({"first_name": name, "last_name": "", "is_bot": true, "role": "user",
                   "expiration_date": expires}),
        )
        .await;
    let id = created["id"].as_str().expect("bot id").to_string();
    let first = created["access_token"].as_str().expect("token").to_string();
    let run = async {
        let target = bot(&id, &name);
        let keep = Operation::Update {
            target: target.clone(),
            values: values(&[("token_expiry", "keep"), ("new_expiration_date", "")]),
        };
        let lines = kitsu.preview(&keep).await.expect("preview");
        assert_eq!(
            lines,
            [
                format!("current token expires: {expires}"),
                format!("new token expires: {expires} (kept)"),
            ]
        );
        let outcome = kitsu.perform(&keep).await.expect("regenerate, keeping");
        let second = outcome.secret.clone().expect("new token").secret;
        let labels: Vec<(String, bool)> = outcome
            .checks
            .iter()
            .map(|c| (c.label.clone(), c.passed))
            .collect();
        assert_eq!(
            labels,
            [
                ("new token accepted".to_string(), true),
                (
                    "previous token not checked: Portico held no copy of it".to_string(),
                    true
                ),
                (format!("new token expires {expires}, as chosen"), true),
            ]
        );
        let (status, _) = raw
            .call_as(&first, Method::GET, "/auth/authenticated", None)
            .await;
        assert_eq!(status, 401, "the old token is revoked");
        assert_eq!(
            raw.get(&format!("/data/persons/{id}")).await["expiration_date"],
            expires.as_str()
        );

        let later = days_from_now(30);
        let new = Operation::Update {
            target: target.clone(),
            values: values(&[("token_expiry", "new"), ("new_expiration_date", &later)]),
        };
        assert_eq!(
            kitsu.preview(&new).await.expect("preview")[1],
            format!("new token expires: {later} (was {expires})")
        );
        let outcome = kitsu.perform(&new).await.expect("regenerate, new expiry");
        assert!(
            outcome.checks.iter().all(|c| c.passed),
            "{:?}",
            outcome.checks
        );
        assert_eq!(
            raw.get(&format!("/data/persons/{id}")).await["expiration_date"],
            later.as_str()
        );
        let (status, _) = raw
            .call_as(second.expose(), Method::GET, "/auth/authenticated", None)
            .await;
        assert_eq!(status, 401);
        let third = outcome.secret.expect("new token").secret;
        let (status, body) = raw
            .call_as(third.expose(), Method::GET, "/auth/authenticated", None)
            .await;
        assert_eq!(status, 200, "{body}");

        let never = Operation::Update {
            target: target.clone(),
            values: values(&[("token_expiry", "new"), ("new_expiration_date", "")]),
        };
        let outcome = kitsu.perform(&never).await.expect("regenerate, no expiry");
        assert!(
            outcome
                .checks
                .iter()
                .any(|c| c.label == "new token expires never, as chosen")
        );
        assert_eq!(
            raw.get(&format!("/data/persons/{id}")).await["expiration_date"],
            Value::Null
        );

        let past = Operation::Update {
            target,
            values: values(&[
                ("token_expiry", "new"),
                ("new_expiration_date", "2020-01-31"),
            ]),
        };
        let err = kitsu.preview(&past).await.unwrap_err();
        assert!(matches!(err, PlatformError::Invalid(_)), "{err:?}");
    };
    cleaning_up(raw, &[&id], run).await;
}

pub async fn departments(kitsu: &Kitsu, raw: &Raw, tag: u32) {
    step("a bot's departments, by name");
    let name = format!("portico-dept-bot-{tag}");
    let created = raw
        .create(
            "/data/persons",
            json!({"first_name": name, "last_name": "", "is_bot": true, "role": "user"}),
        )
        .await;
    let id = created["id"].as_str().expect("bot id").to_string();
    let token = created["access_token"].as_str().expect("token").to_string();
    let run = async {
        let all = raw.get("/data/departments").await;
        let id_of = |wanted: &str| {
            all.as_array()
                .unwrap()
                .iter()
                .find(|d| d["name"] == wanted)
                .unwrap_or_else(|| panic!("department {wanted}"))["id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let edit = |list: &str| Operation::Update {
            target: bot(&id, &name),
            values: values(&[("role", "user"), ("active", "yes"), ("departments", list)]),
        };
        let outcome = kitsu
            .perform(&edit("modeling, Animation"))
            .await
            .expect("set departments");
        assert!(outcome.secret.is_none(), "departments keep the token");
        let mut linked: Vec<String> = raw.get(&format!("/data/persons/{id}")).await["departments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect();
        linked.sort();
        let mut wanted = vec![id_of("Modeling"), id_of("Animation")];
        wanted.sort();
        assert_eq!(linked, wanted);
        let rows = kitsu
            .list(
                Source::Pane(Pane::Applications),
                None,
                std::sync::Arc::new(|_, _| {}),
            )
            .await
            .expect("bots");
        let row = rows.iter().find(|r| r.id == id).expect("bot listed");
        assert_eq!(row.detail("departments"), Some("Animation, Modeling"));
        let (status, _) = raw
            .call_as(&token, Method::GET, "/auth/authenticated", None)
            .await;
        assert_eq!(status, 200);

        let err = kitsu
            .perform(&edit("Modeling, Catering"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, PlatformError::Invalid(m) if m.contains("\"Catering\"")),
            "{err:?}"
        );
        kitsu.perform(&edit("")).await.expect("clear departments");
        assert_eq!(
            raw.get(&format!("/data/persons/{id}")).await["departments"],
            json!([])
        );
    };
    cleaning_up(raw, &[&id], run).await;
}

pub async fn person_search(kitsu: &Kitsu, env_email: &str) {
    step("persons are searched on the server, by Zou's query-string filters");
    let search = |query: &'static str| async move {
        kitsu
            .search(
                Source::View("persons"),
                None,
                query,
                std::sync::Arc::new(|_, _| {}),
            )
            .await
    };
    let admins = search("role:admin")
        .await
        .expect("role search")
        .into_parts()
        .0;
    assert!(!admins.is_empty());
    assert!(admins.iter().all(|p| p.detail("role") == Some("admin")));
    assert!(admins.iter().any(|p| p.detail("email") == Some(env_email)));
    let bots = search("bot:yes active:yes")
        .await
        .expect("bot search")
        .into_parts()
        .0;
    assert!(
        bots.iter()
            .all(|p| p.detail("bot") == Some("yes") && p.detail("active") == Some("yes"))
    );
    let everyone = kitsu
        .list(
            Source::View("persons"),
            None,
            std::sync::Arc::new(|_, _| {}),
        )
        .await
        .expect("persons");
    assert!(admins.len() + bots.len() <= everyone.len());
    let err = search("lee").await.unwrap_err();
    assert!(
        matches!(&err, PlatformError::Invalid(m) if m.contains("\"lee\"")),
        "{err:?}"
    );
}
