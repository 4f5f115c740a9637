//! The one table of vendors. Each entry carries everything shared code
//! needs to know about a platform: its config name and label, regions and
//! default host, credential groups, capabilities, how to connect, and the
//! simulator that imitates it with its demo tenants. Outside this table
//! and the vendors' own folders (`platform/<vendor>/`, `sim/<vendor>/`),
//! no code names a vendor.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use super::{Capabilities, Platform, PlatformError, evrythng, kitsu, losant, mashery, project44};
use crate::config::Tenant;
use crate::model::Secret;
use crate::sim;

/// One vendor API Portico speaks.
pub struct Vendor {
    name: &'static str,
    label: &'static str,
    regions: &'static [(&'static str, &'static str)],
    default_base_url: Option<&'static str>,
    auth_groups: &'static [&'static [&'static str]],
    capabilities: fn() -> Capabilities,
    connect: fn(&Connection<'_>) -> Result<Arc<dyn Platform>, PlatformError>,
    /// The vendor's simulator, seeded with this many more applications per tenant.
    sim_router: fn(usize) -> axum::Router,
    /// How the vendor answers a client over its request rate.
    sim_throttled: sim::faults::Throttled,
    demo_config: fn(&str) -> String,
}

/// Every platform, in the order the docs list them. The simulator mounts
/// each under `/<name>`.
static VENDORS: &[Vendor] = &[
    Vendor {
        name: "project44",
        label: "project44",
        regions: &[
            ("na", "https://na12.api.project44.com"),
            ("eu", "https://eu12.api.project44.com"),
            ("sandbox", "https://na12.api.sandbox.p-44.com"),
        ],
        // Guessing a region wrong sends credentials to the wrong continent.
        default_base_url: None,
        auth_groups: &[&["username", "password"]],
        capabilities: project44::capabilities,
        connect: project44::connect,
        sim_router: sim::project44::router_with_scale,
        sim_throttled: sim::faults::too_many_requests,
        demo_config: sim::project44::demo_config,
    },
    Vendor {
        name: "mashery",
        label: "Mashery",
        regions: &[],
        default_base_url: Some("https://api.mashery.com"),
        auth_groups: &[&["api_key", "api_secret", "username", "password", "area_id"]],
        capabilities: mashery::capabilities,
        connect: mashery::connect,
        sim_router: sim::mashery::router_with_scale,
        sim_throttled: sim::mashery::throttled,
        demo_config: sim::mashery::demo_config,
    },
    Vendor {
        name: "kitsu",
        label: "Kitsu",
        regions: &[],
        // Self-hosted: there is no address to default to.
        default_base_url: None,
        // A script may give the login's one-time code too; the console asks.
        auth_groups: &[&["email", "password", "otp?"], &["token"]],
        capabilities: kitsu::capabilities,
        connect: kitsu::connect,
        sim_router: sim::kitsu::router_with_scale,
        sim_throttled: sim::faults::too_many_requests,
        demo_config: sim::kitsu::demo_config,
    },
    Vendor {
        name: "evrythng",
        label: "EVRYTHNG",
        regions: &[
            ("us", "https://api.evrythng.com"),
            ("eu", "https://api-eu.evrythng.com"),
        ],
        default_base_url: None,
        auth_groups: &[&["api_key"]],
        capabilities: evrythng::capabilities,
        connect: evrythng::connect,
        sim_router: sim::evrythng::router_with_scale,
        sim_throttled: sim::faults::too_many_requests,
        demo_config: sim::evrythng::demo_config,
    },
    Vendor {
        name: "losant",
        label: "Losant",
        regions: &[],
        default_base_url: Some("https://api.losant.com"),
        auth_groups: &[&["token"], &["email", "password"]],
        capabilities: losant::capabilities,
        connect: losant::connect,
        sim_router: sim::losant::router_with_scale,
        sim_throttled: sim::faults::too_many_requests,
        demo_config: sim::losant::demo_config,
    },
];

/// A platform, as an index into [`VENDORS`]: cheap to copy and compare,
/// and impossible to construct for a vendor that has no entry.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlatformKind(usize);

impl PlatformKind {
    /// Every platform, in table order.
    pub fn all() -> impl Iterator<Item = Self> {
        (0..VENDORS.len()).map(PlatformKind)
    }

    /// Parses the config spelling (exact, lower case).
    pub fn from_config_name(name: &str) -> Option<Self> {
        VENDORS
            .iter()
            .position(|v| v.name == name)
            .map(PlatformKind)
    }

    fn vendor(self) -> &'static Vendor {
        &VENDORS[self.0]
    }

    /// The spelling used in the config file (`platform = "..."`).
    pub fn as_str(self) -> &'static str {
        self.vendor().name
    }

    /// The vendor's own spelling, for titles and badges.
    pub fn label(self) -> &'static str {
        self.vendor().label
    }

    /// The named regions and the API address each stands for.
    pub fn regions(self) -> &'static [(&'static str, &'static str)] {
        self.vendor().regions
    }

    /// The address used when a tenant gives neither `region` nor `base_url`.
    pub fn default_base_url(self) -> Option<&'static str> {
        self.vendor().default_base_url
    }

    /// The credential combinations `[tenants.auth]` accepts: exactly one
    /// group must be complete, and keys of different groups must not mix.
    /// A key ending in `?` is optional within its group (see [`auth_key`]).
    pub fn auth_groups(self) -> &'static [&'static [&'static str]] {
        self.vendor().auth_groups
    }

    /// `"username and password"` or `"either token, or email and password"`;
    /// optional keys follow in parentheses.
    pub fn auth_summary(self) -> String {
        let groups: Vec<String> = self
            .auth_groups()
            .iter()
            .map(|group| {
                let required: Vec<&str> = group
                    .iter()
                    .copied()
                    .filter(|k| !k.ends_with('?'))
                    .collect();
                let optional: Vec<&str> =
                    group.iter().filter_map(|k| k.strip_suffix('?')).collect();
                if optional.is_empty() {
                    join_and(&required)
                } else {
                    format!(
                        "{} (optional: {})",
                        join_and(&required),
                        optional.join(", ")
                    )
                }
            })
            .collect();
        match groups.as_slice() {
            [one] => one.clone(),
            many => format!("either {}", many.join(", or ")),
        }
    }

    /// What the platform offers, known without credentials or network.
    pub fn capabilities(self) -> Capabilities {
        (self.vendor().capabilities)()
    }

    /// The simulator's router for this platform, with fresh seeded state.
    pub fn sim_router(self) -> axum::Router {
        self.sim_router_scaled(0)
    }

    /// Like [`Self::sim_router`], with `scale` more applications per tenant.
    pub fn sim_router_scaled(self, scale: usize) -> axum::Router {
        (self.vendor().sim_router)(scale)
    }

    /// `[[tenants]]` blocks for this platform's demo tenants on a simulator at `base`.
    pub fn demo_config(self, base: &str) -> String {
        (self.vendor().demo_config)(base)
    }
}

impl fmt::Display for PlatformKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for PlatformKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A key of [`PlatformKind::auth_groups`] as the config spells it, and
/// whether the group needs it.
pub fn auth_key(entry: &str) -> (&str, bool) {
    match entry.strip_suffix('?') {
        Some(key) => (key, false),
        None => (entry, true),
    }
}

fn join_and(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What an adapter gets to build itself from: the tenant's address and
/// timeout, and its credentials, resolved on demand.
pub struct Connection<'a> {
    tenant: &'a Tenant,
}

impl Connection<'_> {
    pub fn name(&self) -> &str {
        self.tenant.name()
    }

    pub fn base_url(&self) -> &str {
        self.tenant.base_url()
    }

    pub const fn timeout(&self) -> Duration {
        self.tenant.timeout()
    }

    /// Rows per list request, if the tenant sets one; else the adapter's default.
    pub const fn page_size(&self) -> Option<usize> {
        self.tenant.page_size()
    }

    /// Calls a second the tenant sets for its API key, if any; else the
    /// adapter's default for its gateway.
    pub const fn qps(&self) -> Option<u32> {
        self.tenant.qps()
    }

    /// The tenant's timeout and body cap, as the shared client takes them.
    pub fn limits(&self) -> super::http::Limits {
        super::http::Limits::new(self.tenant.timeout(), self.tenant.max_body())
    }

    /// Whether the tenant's auth holds `key`.
    pub fn has(&self, key: &str) -> bool {
        self.tenant.auth().contains(key)
    }

    /// Resolves one credential. Blocking: it may run a command.
    pub fn secret(&self, key: &str) -> Result<Secret, PlatformError> {
        let name = self.tenant.name();
        let credential =
            self.tenant.auth().get(key).ok_or_else(|| {
                PlatformError::Credentials(format!("{name}: auth.{key} is not set"))
            })?;
        credential
            .resolve()
            .map(|value| Secret::new(value.as_str()))
            .map_err(|e| PlatformError::Credentials(format!("{name}: auth.{key}: {e}")))
    }
}

/// Resolves the tenant's credentials and builds its adapter. Blocking:
/// a credential may come from a command.
pub fn connect(tenant: &Tenant) -> Result<Arc<dyn Platform>, PlatformError> {
    (tenant.platform().vendor().connect)(&Connection { tenant })
}

/// Every vendor's simulator, each under `/<name>`, each with fresh state.
pub fn simulator() -> axum::Router {
    simulator_with(&sim::faults::Knobs::default())
}

/// Like [`simulator`], with load and fault knobs on the vendors they name.
pub fn simulator_with(knobs: &sim::faults::Knobs) -> axum::Router {
    PlatformKind::all().fold(axum::Router::new(), |router, kind| {
        let sim = kind.sim_router_scaled(knobs.scale_for(kind.as_str()));
        mount(router, kind, knobs, |prefix, nested| {
            nested.nest(prefix, sim)
        })
    })
}

/// Nests one vendor under its prefix, inside the fault knobs when they
/// apply to it: wrapped after nesting, so the knobs see the full path.
fn mount(
    router: axum::Router,
    kind: PlatformKind,
    knobs: &sim::faults::Knobs,
    nest: impl FnOnce(&str, axum::Router) -> axum::Router,
) -> axum::Router {
    let prefix = format!("/{}", kind.as_str());
    if knobs.applies_to(kind.as_str()) {
        let nested = nest(&prefix, axum::Router::new());
        router.merge(knobs.wrap(nested, kind.vendor().sim_throttled))
    } else {
        nest(&prefix, router)
    }
}

/// Like [`simulator_with`], with each vendor seeded when first asked for;
/// the vendors come back too, in the registry's order, for a warm-up.
fn lazy_simulator(knobs: &sim::faults::Knobs) -> (axum::Router, Vec<sim::lazy::Lazy>) {
    let mut vendors = Vec::new();
    let router = PlatformKind::all().fold(axum::Router::new(), |router, kind| {
        let scale = knobs.scale_for(kind.as_str());
        let vendor = sim::lazy::Lazy::new(move || kind.sim_router_scaled(scale));
        vendors.push(vendor.clone());
        mount(router, kind, knobs, |prefix, nested| {
            nested.nest_service(prefix, vendor)
        })
    });
    (router, vendors)
}

/// Serves every vendor's simulator on `addr` (port 0 picks a free one).
pub async fn start_simulator(addr: SocketAddr) -> std::io::Result<sim::Running> {
    sim::start(addr, simulator()).await
}

/// Serves every vendor's simulator on a listener bound already, each
/// seeded in the background, first come first. Returns at once, so the
/// demo can bind early, draw, and only then start the simulator. Needs a
/// tokio runtime.
pub fn serve_simulator(
    listener: std::net::TcpListener,
    knobs: &sim::faults::Knobs,
) -> std::io::Result<sim::Running> {
    let (app, vendors) = lazy_simulator(knobs);
    sim::spawn_on(listener, app, vendors)
}

/// Like [`start_simulator`], with load and fault knobs.
pub async fn start_simulator_with(
    addr: SocketAddr,
    knobs: &sim::faults::Knobs,
) -> std::io::Result<sim::Running> {
    sim::start(addr, simulator_with(knobs)).await
}

/// A ready `config.toml` for the tenants a simulator at `base` serves,
/// demo credentials included.
pub fn demo_config(base: &str) -> String {
    let base = base.trim_end_matches('/');
    let mut out = String::from(
        "# Tenants served by `portico sim`. Credentials are the simulator's demo users.\n",
    );
    for kind in PlatformKind::all() {
        let part = kind.demo_config(base);
        if !part.is_empty() {
            out.push('\n');
            out.push_str(&part);
        }
    }
    out
}
