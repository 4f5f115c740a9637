//! The Kitsu adapter against the simulator over real HTTP, for what only
//! the simulator can show: the login codes it "mails" (see its `/_sim`
//! route) and the demo's TOTP account. The rest of the adapter is covered
//! by the Kitsu suite, against the simulator and a real Zou alike.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

#[path = "support/totp.rs"]
mod totp;

use std::time::Duration;

use portico::model::Secret;
use portico::platform::PlatformError;
use portico::platform::kitsu::Kitsu;
use portico::sim::kitsu::{DEMO_EMAIL_OTP_EMAIL, DEMO_PASSWORD, DEMO_TOTP_EMAIL, DEMO_TOTP_SECRET};
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
