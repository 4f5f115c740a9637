//! The platform simulator: a stateful HTTP imitation of each vendor API.
//!
//! It imports nothing from the rest of the crate. The adapters and the
//! simulator are written separately from the vendor contracts, so a field
//! name one side gets wrong fails the tests instead of agreeing with itself.
//! Which vendors are mounted, and where, is the registry's business
//! (`platform::registry`): each vendor folder offers a `router()` and the
//! `demo_config()` of its demo tenants.

pub mod evrythng;
pub mod faults;
pub mod http;
pub mod kitsu;
pub mod lazy;
pub mod losant;
pub mod mashery;
pub mod ordered;
pub mod project44;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A simulator serving on a loopback port, stopped when dropped.
pub struct Running {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Running {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Long enough for a console to decode and draw its first answer.
const AFTER_FIRST_ANSWER: std::time::Duration = std::time::Duration::from_millis(50);

/// Serves `app` on a listener bound already, at once, and seeds the
/// `vendors` it nests in their order on a blocking thread shortly after
/// the first answer has gone out: a request for one not seeded yet waits
/// for it alone. A caller can hand out the address, and draw, before any
/// seeding has been done. Needs a tokio runtime.
pub fn spawn_on(
    listener: std::net::TcpListener,
    app: axum::Router,
    vendors: Vec<lazy::Lazy>,
) -> std::io::Result<Running> {
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    // On two cores, seeding the other vendors while the first request is
    // served, or while the console decodes and draws its answer, would slow
    // the very frame the user is waiting for.
    let answered = Arc::new(tokio::sync::Notify::new());
    let app = {
        let answered = Arc::clone(&answered);
        app.layer(axum::middleware::map_response(
            move |response: axum::response::Response| {
                let answered = Arc::clone(&answered);
                async move {
                    answered.notify_one();
                    response
                }
            },
        ))
    };
    let task = tokio::spawn(async move {
        let listener = match TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(err) => {
                tracing::error!("simulator cannot listen: {err}");
                return;
            }
        };
        // Stopped with the serving, also when that is aborted.
        let _warm = Abort(tokio::spawn(async move {
            answered.notified().await;
            tokio::time::sleep(AFTER_FIRST_ANSWER).await;
            for vendor in vendors {
                let _seeded = vendor.router().await;
            }
        }));
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!("simulator stopped: {err}");
        }
    });
    Ok(Running { addr, task })
}

/// Aborts its task when dropped.
struct Abort(tokio::task::JoinHandle<()>);

impl Drop for Abort {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Binds `addr` (port 0 picks a free one) and serves `app` in the background.
pub async fn start(addr: SocketAddr, app: axum::Router) -> std::io::Result<Running> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!("simulator stopped: {err}");
        }
    });
    Ok(Running { addr, task })
}
