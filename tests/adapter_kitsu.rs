//! The Kitsu adapter against the simulator over real HTTP, for what only
//! the simulator can show: the login codes it "mails" (see its `/_sim`
//! route) and the demo's TOTP account. The rest of the adapter is covered
//! by the Kitsu suite, against the simulator and a real Zou alike.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

#[path = "support/totp.rs"]
mod totp;

use std::time::Duration;

use portico::model::Change;
use portico::model::Secret;
use portico::platform::PlatformError;
use portico::platform::kitsu::Kitsu;
use portico::sim::kitsu::{
    DEMO_EMAIL, DEMO_EMAIL_OTP_EMAIL, DEMO_PASSWORD, DEMO_TOTP_EMAIL, DEMO_TOTP_SECRET,
};
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(10);

async fn start() -> (portico::sim::Running, String) {
    let sim = portico::platform::registry::start_simulator("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("{}/kitsu", sim.base_url());
    (sim, base)
}

fn login(base: &str, email: &str) -> Kitsu {
    Kitsu::with_login(
        &format!("{base}/api"),
        TIMEOUT,
        email.to_string(),
        Secret::new(DEMO_PASSWORD),
    )
    .unwrap()
}

fn prompt(err: PlatformError) -> String {
    match err {
        PlatformError::SecondFactor(text) => text,
        other => panic!("expected a second-factor prompt, got {other:?}"),
    }
}

/// The last code the simulator "mailed" to `email`, if any.
async fn mailed(base: &str, email: &str) -> Option<String> {
    let answer = reqwest::Client::new()
        .get(format!("{base}/_sim/email-otp"))
        .query(&[("email", email)])
        .send()
        .await
        .unwrap();
    if answer.status() == 404 {
        return None;
    }
    let body: Value = answer.json().await.unwrap();
    body["code"].as_str().map(str::to_string)
}

#[tokio::test]
async fn an_emailed_code_is_asked_for_mailed_once_and_logs_in() {
    let (_sim, base) = start().await;
    let kitsu = login(&base, DEMO_EMAIL_OTP_EMAIL);
    assert_eq!(mailed(&base, DEMO_EMAIL_OTP_EMAIL).await, None);
    let asked = prompt(kitsu.whoami().await.unwrap_err());
    assert_eq!(
        asked,
        format!(
            "Kitsu mailed a login code to {DEMO_EMAIL_OTP_EMAIL}; enter it (or a recovery code)"
        )
    );
    let code = mailed(&base, DEMO_EMAIL_OTP_EMAIL)
        .await
        .expect("a code was mailed");
    // Calls refused together do not each mail a new code.
    prompt(kitsu.list_productions().await.unwrap_err());
    assert_eq!(
        mailed(&base, DEMO_EMAIL_OTP_EMAIL).await.as_deref(),
        Some(code.as_str())
    );

    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = prompt(kitsu.second_factor(Secret::new(wrong)).await.unwrap_err());
    assert!(refused.starts_with("Kitsu refused the code"), "{refused}");
    assert_eq!(
        kitsu
            .second_factor(Secret::new(code.as_str()))
            .await
            .unwrap(),
        DEMO_EMAIL_OTP_EMAIL
    );
    // Logged in: later calls need no code.
    kitsu.list_productions().await.unwrap();
}

#[tokio::test]
async fn the_demo_totp_account_logs_in_with_its_published_secret() {
    let (_sim, base) = start().await;
    let kitsu = login(&base, DEMO_TOTP_EMAIL);
    let asked = prompt(kitsu.whoami().await.unwrap_err());
    assert!(asked.contains("authenticator app"), "{asked}");
    // No mail for an authenticator account.
    assert_eq!(mailed(&base, DEMO_TOTP_EMAIL).await, None);
    let code = totp::now(DEMO_TOTP_SECRET);
    assert_eq!(
        kitsu
            .second_factor(Secret::new(code.as_str()))
            .await
            .unwrap(),
        DEMO_TOTP_EMAIL
    );
}

#[tokio::test]
async fn the_account_portico_signs_in_as_may_not_be_deactivated_or_demoted() {
    let (_sim, base) = start().await;
    let kitsu = login(&base, DEMO_EMAIL);
    let persons = kitsu.list_persons().await.unwrap();
    let email = |r: &portico::model::Resource| r.detail("email").unwrap_or_default().to_string();
    let me = persons
        .iter()
        .find(|r| email(r).eq_ignore_ascii_case(DEMO_EMAIL))
        .expect("the signed-in admin is listed");
    for change in [Change::Toggle, Change::Edit] {
        let why = me.refusal(change).unwrap_or_default();
        assert!(why.contains("signs in as"), "{change:?}: {why:?}");
    }
    let other = persons
        .iter()
        .find(|r| email(r) == DEMO_TOTP_EMAIL)
        .expect("another person is listed");
    assert_eq!(other.refusal(Change::Toggle), None);
    assert_eq!(other.refusal(Change::Edit), None);
}

#[tokio::test]
async fn a_bot_token_session_has_no_second_factor() {
    let (_sim, base) = start().await;
    let kitsu =
        Kitsu::with_token(&format!("{base}/api"), TIMEOUT, Secret::new("not-a-jwt")).unwrap();
    let err = kitsu
        .second_factor(Secret::new("123456"))
        .await
        .unwrap_err();
    assert!(!matches!(err, PlatformError::SecondFactor(_)), "{err:?}");
}

/// For scripts: `auth.otp` (a literal here; a script would give a
/// command printing the current code) is resolved when the tenant
/// connects and given to the login Zou asks it of.
#[tokio::test(flavor = "multi_thread")]
async fn a_configured_otp_is_offered_to_the_login() {
    let (sim, _) = start().await;
    let code = totp::now(DEMO_TOTP_SECRET);
    let otp_line = format!("otp = \"{code}\"\n");
    let toml = format!(
        "[[tenants]]\nname = \"scripted\"\nplatform = \"kitsu\"\nbase_url = \"{}/kitsu/api\"\n\n\
         [tenants.auth]\nemail = \"{DEMO_TOTP_EMAIL}\"\npassword = \"{DEMO_PASSWORD}\"\n{otp_line}",
        sim.base_url()
    );
    let config = portico::config::Config::parse(&toml, "<test>").expect("otp is accepted");
    let tenant = config.tenant("scripted").unwrap();
    let platform = tokio::task::block_in_place(|| portico::platform::registry::connect(tenant))
        .expect("connect");
    let rows = platform
        .list(
            portico::platform::Source::Pane(portico::model::Pane::Applications),
            None,
            std::sync::Arc::new(|_, _| {}),
        )
        .await
        .expect("listed after a login with the configured code");
    assert!(rows.iter().any(|r| r.name == "Render Farm"));

    // Without it, the same login asks for the code.
    let toml = toml.replace(&otp_line, "");
    let config = portico::config::Config::parse(&toml, "<test>").unwrap();
    let platform = tokio::task::block_in_place(|| {
        portico::platform::registry::connect(config.tenant("scripted").unwrap())
    })
    .unwrap();
    let err = platform
        .list(
            portico::platform::Source::Pane(portico::model::Pane::Applications),
            None,
            std::sync::Arc::new(|_, _| {}),
        )
        .await
        .unwrap_err();
    prompt(err);
}

#[test]
fn otp_belongs_with_email_and_password_only() {
    let config = |auth: &str| {
        portico::config::Config::parse(
            &format!(
                "[[tenants]]\nname = \"k\"\nplatform = \"kitsu\"\nbase_url = \"http://127.0.0.1:9/api\"\n\n\
                 [tenants.auth]\n{auth}\n"
            ),
            "<test>",
        )
    };
    assert!(config("email = \"a@b.c\"\npassword = \"p\"").is_ok());
    assert!(config("email = \"a@b.c\"\npassword = \"p\"\notp = \"123456\"").is_ok());
    let err = config("token = \"t\"\notp = \"123456\"")
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot be combined with token"), "{err}");
    let err = config("otp = \"123456\"").unwrap_err().to_string();
    assert!(err.contains("missing required key"), "{err}");
    assert!(
        err.contains("email and password (optional: otp), or token"),
        "{err}"
    );
}
