//! Simulator for project44's OAuth 2.0 client-application API (v4).
//!
//! project44 runs one host per region (NA, EU, sandbox), each a separate
//! tenant: a client id from NA means nothing on EU. The simulator mirrors that
//! with three independent states nested at `/na`, `/eu` and `/sandbox`, each
//! serving the real paths under `/api/v4/`.
//!
//! Choices where the vendor facts are silent are documented next to the code
//! that makes them; the most visible ones:
//! - `PUT .../client-applications/{id}` renames only. `id` and `secret` in the
//!   body are read-only fields and are ignored, as a Jackson-bound read-only
//!   property would be; the path id always wins.
//! - The deprecated `/api/v4/oauth/token` is served exactly like
//!   `/api/v4/oauth2/token`, because the docs call it deprecated, not removed.
//! - Deleting an application deletes its app user, so access tokens it was
//!   issued stop working at once (rotation, by contrast, keeps them).
//! - `GET /api/v4/capacityproviders/accountgroups` stands in for "every other
//!   project44 API": it takes only Bearer tokens, so a console can prove that a
//!   token from the token endpoint is usable.
use std::fmt::Write as _;

mod auth;
mod errors;
mod gate;
mod routes;
mod state;

use std::sync::Arc;

pub use gate::TokenGate;
use state::{Region, Tenant};

/// The three regional tenants, each freshly seeded.
pub fn router() -> axum::Router {
    build(None, 0)
}

/// Like [`router`], with `scale` more applications in every region.
pub fn router_with_scale(scale: usize) -> axum::Router {
    build(None, scale)
}

/// Like [`router`], with every token request held at `gate` until it opens.
pub fn router_with_token_gate(gate: TokenGate) -> axum::Router {
    build(Some(gate), 0)
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "each region router gets its own clone of the gate"
)]
fn build(gate: Option<TokenGate>, scale: usize) -> axum::Router {
    Region::ALL
        .into_iter()
        .fold(axum::Router::new(), |router, region| {
            let tenant = Tenant::seeded(region, scale).with_gate(gate.clone());
            router.nest(
                &format!("/{}", region.slug()),
                routes::tenant_router(Arc::new(tenant)),
            )
        })
        .fallback(routes::not_found)
}

/// `[[tenants]]` blocks for the three regions, with each tenant's demo admin.
pub fn demo_config(base: &str) -> String {
    let base = base.trim_end_matches('/');
    let mut out = String::new();
    for (i, region) in Region::ALL.into_iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = write!(
            out,
            "[[tenants]]\n\
             name = \"{name}\"\n\
             platform = \"project44\"\n\
             base_url = \"{base}/project44/{slug}\"\n\
             color = \"{color}\"\n",
            name = region.tenant_name(),
            slug = region.slug(),
            color = region.color(),
        );
        // The sandbox is where a console is expected to experiment, so it is
        // explicitly writable even though it is not production.
        if region == Region::Sandbox {
            out.push_str("read_only = false\n");
        }
        let _ = write!(
            out,
            "\n[tenants.auth]\nusername = \"{}\"\npassword = \"{}\"\n",
            region.admin_username(),
            region.admin_password(),
        );
    }
    out
}
