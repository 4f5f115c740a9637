//! The shared client retries idempotent calls and never a
//! non-idempotent one, whatever the answer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use portico::platform::http::{Http, Retry};

/// A server answering every request with `status`, counting requests.
async fn server(status: u16) -> (String, Arc<AtomicUsize>, portico::sim::Running) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let app = axum::Router::new().fallback(move || {
        let seen = seen.clone();
        async move {
            seen.fetch_add(1, Ordering::SeqCst);
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            // Retry-After 0 keeps a retried 429 quick.
            (status, [("retry-after", "0")], "{\"message\": \"no\"}").into_response()
        }
    });
    let running = portico::sim::start("127.0.0.1:0".parse().unwrap(), app)
        .await
        .unwrap();
    (running.base_url(), count, running)
}

fn message_of(v: &serde_json::Value) -> Option<String> {
    v.get("message")
        .and_then(|m| m.as_str())
        .map(str::to_string)
}

#[tokio::test]
async fn idempotent_calls_retry_transient_answers_and_others_never() {
    for (status, retried) in [
        (500, false),
        (502, true),
        (503, true),
        (504, true),
        (429, true),
        (400, false),
        (401, false),
        (403, false),
        (404, false),
        (409, false),
        (200, false),
    ] {
        let (base, count, _running) = server(status).await;
        let http = Http::new(&base, Duration::from_secs(5), message_of).unwrap();
        let _ = http
            .send(http.client().get(http.url("/x")), Retry::Idempotent)
            .await;
        let expected = if retried { 3 } else { 1 };
        assert_eq!(
            count.load(Ordering::SeqCst),
            expected,
            "GET answered {status}"
        );
        count.store(0, Ordering::SeqCst);
        let _ = http
            .send(http.client().post(http.url("/x")).body("{}"), Retry::Never)
            .await;
        assert_eq!(count.load(Ordering::SeqCst), 1, "POST answered {status}");
    }
}

#[tokio::test]
async fn a_dropped_connection_is_retried_only_when_idempotent() {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf).await;
            drop(conn);
        }
    });
    let http = Http::new(
        &format!("http://{addr}"),
        Duration::from_secs(5),
        message_of,
    )
    .unwrap();
    let got = http
        .send(http.client().get(http.url("/x")), Retry::Idempotent)
        .await;
    assert!(got.is_err());
    assert_eq!(count.load(Ordering::SeqCst), 3);
    count.store(0, Ordering::SeqCst);
    let got = http
        .send(http.client().post(http.url("/x")), Retry::Never)
        .await;
    assert!(got.is_err());
    assert_eq!(count.load(Ordering::SeqCst), 1);
}
