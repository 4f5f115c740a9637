//! The session's renewal rules, against a tiny Zou stand-in over real HTTP:
//! the stand-in decides when tokens expire, which neither the simulator nor
//! a real Zou lets a test do.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::*;
use crate::platform::{PaneBody, Platform};

#[derive(Default)]
struct Stub {
    logins: usize,
    refreshes: usize,
    /// The access token the stand-in currently accepts.
    valid_access: String,
    /// Whether the refresh endpoint accepts the refresh token.
    refresh_works: bool,
    /// Answer every call with this status and body first (once).
    wrong_password: bool,
}

type Shared = Arc<Mutex<Stub>>;

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string()
}

fn expired() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({"error": true, "message": "Signature has expired"})),
    )
        .into_response()
}

async fn start(stub: Stub) -> (String, Shared) {
    let shared: Shared = Arc::new(Mutex::new(stub));
    let app = Router::new()
        .route(
            "/api/auth/login",
            post({
                let s = shared.clone();
                move || async move {
                    let mut st = s.lock().unwrap();
                    if st.wrong_password {
                        return (
                            StatusCode::BAD_REQUEST,
                            axum::Json(json!({"login": false, "message": "Wrong email or password."})),
                        )
                            .into_response();
                    }
                    st.logins += 1;
                    let access = format!("access-login-{}", st.logins);
                    st.valid_access = access.clone();
                    axum::Json(json!({"login": true, "access_token": access, "refresh_token": "refresh-1"}))
                        .into_response()
                }
            }),
        )
        .route(
            "/api/auth/refresh-token",
            get({
                let s = shared.clone();
                move |headers: HeaderMap| async move {
                    let mut st = s.lock().unwrap();
                    if !st.refresh_works || bearer(&headers) != "refresh-1" {
                        return expired();
                    }
                    st.refreshes += 1;
                    let access = format!("access-refresh-{}", st.refreshes);
                    st.valid_access = access.clone();
                    axum::Json(json!({"access_token": access})).into_response()
                }
            }),
        )
        .route(
            "/api/data/projects",
            get({
                let s = shared.clone();
                move |headers: HeaderMap| async move {
                    let st = s.lock().unwrap();
                    if bearer(&headers) != st.valid_access {
                        return expired();
                    }
                    axum::Json(json!([{"id": "p1", "name": "Wing It", "project_status_id": "s1"}]))
                        .into_response()
                }
            }),
        )
        .route(
            "/api/data/project-status",
            get({
                let s = shared.clone();
                move |headers: HeaderMap| async move {
                    let st = s.lock().unwrap();
                    if bearer(&headers) != st.valid_access {
                        return expired();
                    }
                    axum::Json(json!([{"id": "s1", "name": "Open"}])).into_response()
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}/api"), shared)
}

fn login(base: &str) -> Kitsu {
    Kitsu::with_login(
        base,
        Duration::from_secs(5),
        "admin@example.com".into(),
        Secret::new("pw"),
    )
    .unwrap()
}

fn no_progress() -> Progress {
    Arc::new(|_, _| {})
}

#[tokio::test]
async fn an_expired_token_is_refreshed_and_the_call_retried_once() {
    let (base, stub) = start(Stub {
        refresh_works: true,
        ..Stub::default()
    })
    .await;
    let kitsu = login(&base);
    let rows = kitsu.list_productions().await.unwrap();
    assert_eq!(rows[0].status.as_deref(), Some("Open"));
    // The server now treats the session's token as expired.
    stub.lock().unwrap().valid_access = "something-else".into();
    let rows = kitsu
        .list(Source::Pane(Pane::Projects), None, no_progress())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let st = stub.lock().unwrap();
    assert_eq!((st.logins, st.refreshes), (1, 1));
    assert_eq!(st.valid_access, "access-refresh-1");
}

#[tokio::test]
async fn a_failed_refresh_logs_in_again() {
    let (base, stub) = start(Stub::default()).await;
    let kitsu = login(&base);
    kitsu.list_productions().await.unwrap();
    stub.lock().unwrap().valid_access = "something-else".into();
    kitsu.list_productions().await.unwrap();
    let st = stub.lock().unwrap();
    assert_eq!((st.logins, st.refreshes), (2, 0));
}

#[tokio::test]
async fn an_explicit_refresh_replaces_the_access_token() {
    let (base, stub) = start(Stub {
        refresh_works: true,
        ..Stub::default()
    })
    .await;
    let kitsu = login(&base);
    kitsu.refresh().await.unwrap();
    assert_eq!(stub.lock().unwrap().valid_access, "access-refresh-1");
    kitsu.list_productions().await.unwrap();
    assert_eq!(stub.lock().unwrap().logins, 1);
}

#[tokio::test]
async fn an_expired_bot_token_is_an_auth_error_without_login() {
    let (base, stub) = start(Stub::default()).await;
    let kitsu = Kitsu::with_token(&base, Duration::from_secs(5), Secret::new("old-bot")).unwrap();
    let err = kitsu.list_productions().await.unwrap_err();
    assert!(
        matches!(err, PlatformError::Auth(ref m) if m.contains("bot token has expired")),
        "{err:?}"
    );
    assert_eq!(stub.lock().unwrap().logins, 0);
}

#[tokio::test]
async fn a_wrong_password_is_an_auth_error_with_zous_message() {
    let (base, _stub) = start(Stub {
        wrong_password: true,
        ..Stub::default()
    })
    .await;
    let err = login(&base).list_productions().await.unwrap_err();
    assert_eq!(err, PlatformError::Auth("Wrong email or password.".into()));
}

#[test]
fn error_bodies_of_every_shape_give_their_message() {
    let cases = [
        (
            json!({"message": "A required field is missing."}),
            "A required field is missing.",
        ),
        (
            json!({"msg": "Token has been revoked"}),
            "Token has been revoked",
        ),
        (
            json!({"error": true, "message": "Only closed projects can be deleted"}),
            "Only closed projects can be deleted",
        ),
        (
            json!({"error": true, "message": "Validation error.", "data": {"errors": [{"field": "email", "message": "Field required"}]}}),
            "Validation error. (email: Field required)",
        ),
    ];
    for (body, want) in cases {
        assert_eq!(message_of(&body).as_deref(), Some(want));
    }
    assert_eq!(message_of(&json!({"other": 1})), None);
}

#[test]
fn expiry_is_recognised_in_both_of_zous_shapes() {
    assert!(is_expired(&PlatformError::Auth(
        "Signature has expired".into()
    )));
    assert!(is_expired(&PlatformError::Api {
        status: 422,
        message: "Token has expired".into()
    }));
    assert!(!is_expired(&PlatformError::Auth(
        "Token has been revoked".into()
    )));
}

#[test]
fn form_values_are_checked_before_zou_sees_them() {
    let values: Values = vec![
        ("production_type".into(), "TVShow".into()),
        ("start_date".into(), "2026-02-30".into()),
    ];
    assert_eq!(
        choice(&values, "production_type", PRODUCTION_TYPES).unwrap(),
        Some("tvshow")
    );
    assert!(date(&values, "start_date").is_err());
    assert!(choice(&vec![("role".into(), "boss".into())], "role", ROLES).is_err());
}

#[test]
fn capabilities_name_the_columns_the_panes_draw() {
    let caps = capabilities();
    assert_eq!(
        caps.pane(Pane::Applications).body(),
        &PaneBody::List {
            columns: vec!["Role", "Expires", "Active"],
            scope: None
        }
    );
    assert_eq!(caps.pane(Pane::Projects).title(), "Productions");
    assert_eq!(caps.pane(Pane::Applications).title(), "Bots");
    let production = caps.kind(Kind::Project).unwrap();
    let edit_keys: Vec<&str> = production
        .edit
        .as_ref()
        .unwrap()
        .iter()
        .map(|f| f.key)
        .collect();
    assert_eq!(
        edit_keys,
        [
            "name",
            "description",
            "start_date",
            "end_date",
            "production_type",
            "production_style",
            "team_add",
            "team_remove"
        ]
    );
    let bot = caps.kind(Kind::Bot).unwrap();
    assert_eq!(bot.toggle, Some(("Reactivate", "Deactivate")));
    let bot_keys: Vec<&str> = bot.edit.as_ref().unwrap().iter().map(|f| f.key).collect();
    assert_eq!(
        bot_keys,
        ["role", "expiration_date", "active", "departments"]
    );
    // R asks which expiry the new token gets before anything is sent.
    let crate::platform::Rotation::Renew { fields, .. } = &bot.rotate else {
        panic!("a bot's token regeneration is previewed: {:?}", bot.rotate);
    };
    let rotate_keys: Vec<&str> = fields.iter().map(|f| f.key).collect();
    assert_eq!(rotate_keys, ["token_expiry", "new_expiration_date"]);
    assert_eq!(production.toggle, Some(("Reopen", "Close")));
    assert_eq!(
        caps.view("asset-types").unwrap().scope,
        Some(Pane::Projects)
    );
}
