//! The platform simulator: a stateful HTTP imitation of each vendor API.
//!
//! It imports nothing from the rest of the crate. The adapters and the
//! simulator are written separately from the vendor contracts, so a field
//! name one side gets wrong fails the tests instead of agreeing with itself.

pub mod kitsu;
pub mod losant;
pub mod mashery;
pub mod project44;

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Every vendor, each mounted under its own prefix, each with fresh seeded state.
pub fn router() -> axum::Router {
    axum::Router::new()
        .nest("/project44", project44::router())
        .nest("/losant", losant::router())
        .nest("/kitsu", kitsu::router())
        .nest("/mashery", mashery::router())
}

/// A ready `config.toml` for the tenants a simulator at `base` serves,
/// demo credentials included.
pub fn print_config(base: &str) -> String {
    let base = base.trim_end_matches('/');
    let mut out = String::from(
        "# Tenants served by `portico sim`. Credentials are the simulator's demo users.\n",
    );
    for part in [
        project44::demo_config(base),
        losant::demo_config(base),
        kitsu::demo_config(base),
        mashery::demo_config(base),
    ] {
        out.push('\n');
        out.push_str(&part);
    }
    out
}

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

/// Binds `addr` (port 0 picks a free one) and serves in the background.
pub async fn start(addr: SocketAddr) -> std::io::Result<Running> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let app = router();
    let task = tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!("simulator stopped: {err}");
        }
    });
    Ok(Running { addr, task })
}
