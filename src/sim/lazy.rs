//! A vendor's simulator seeded when it is first asked for, on a blocking
//! thread, so that the demo's first tenant answers without waiting for
//! every other vendor's seeding (Losant's certificates above all).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::response::Response;
use tokio::sync::OnceCell;
use tower::ServiceExt;

type Make = Arc<dyn Fn() -> Router + Send + Sync>;

/// Nested like a router: every request under its prefix waits for the
/// seeding, once, then goes to the seeded router.
#[derive(Clone)]
pub struct Lazy {
    router: Arc<OnceCell<Router>>,
    make: Make,
}

impl Lazy {
    pub fn new(make: impl Fn() -> Router + Send + Sync + 'static) -> Self {
        Self {
            router: Arc::new(OnceCell::new()),
            make: Arc::new(make),
        }
    }

    /// The seeded router, seeding it now unless that is done or under way.
    pub async fn router(&self) -> Router {
        self.router
            .get_or_init(|| async {
                let make = Arc::clone(&self.make);
                match tokio::task::spawn_blocking(move || make()).await {
                    Ok(router) => router,
                    Err(err) => {
                        // Answers 404 to everything rather than hang.
                        tracing::error!("simulator seeding failed: {err}");
                        Router::new()
                    }
                }
            })
            .await
            .clone()
    }
}

impl tower::Service<Request<Body>> for Lazy {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { this.router().await.oneshot(req).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn seeds_once_on_first_use_and_then_serves() {
        let seeded = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&seeded);
        let lazy = Lazy::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Router::new().route("/hi", axum::routing::get(|| async { "hello" }))
        });
        let app = Router::new().nest_service("/v", lazy.clone());
        assert_eq!(
            seeded.load(Ordering::SeqCst),
            0,
            "nothing seeded before a request"
        );
        for _ in 0..3 {
            let req = Request::get("/v/hi").body(Body::empty()).expect("request");
            let answer = app.clone().oneshot(req).await.expect("answer");
            assert_eq!(answer.status(), 200);
            let body = axum::body::to_bytes(answer.into_body(), 1024)
                .await
                .expect("body");
            assert_eq!(&body[..], b"hello");
        }
        let req = Request::get("/v/nope")
            .body(Body::empty())
            .expect("request");
        assert_eq!(app.oneshot(req).await.expect("answer").status(), 404);
        assert_eq!(seeded.load(Ordering::SeqCst), 1);
    }
}
