//! The validated configuration types and the per-platform rules
//! (regions, default addresses, credential keys).

use std::fmt;
use std::time::Duration;

use ratatui::style::Color;

use super::credential::Credential;
use super::delivery::Delivery;

pub use crate::platform::registry::PlatformKind;

/// One tenant: a platform account Portico administers.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub(super) name: String,
    pub(super) platform: PlatformKind,
    pub(super) region: Option<String>,
    pub(super) base_url: String,
    pub(super) color: Option<(String, Color)>,
    pub(super) read_only: bool,
    pub(super) protected: bool,
    pub(super) timeout: Duration,
    pub(super) max_body: usize,
    pub(super) page_size: Option<usize>,
    pub(super) qps: Option<u32>,
    pub(super) refresh: Option<Duration>,
    pub(super) auth: Auth,
    /// Pattern entries in file order, then the tenant-wide one.
    pub(super) deliveries: Vec<Delivery>,
}

impl Tenant {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub const fn platform(&self) -> PlatformKind {
        self.platform
    }

    /// The region as written, if any (it may be overridden by `base_url`).
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The API address, without a trailing slash: `base_url` if given,
    /// else the region's address, else the platform default.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The tenant's colour for the status line and picker.
    pub fn color(&self) -> Option<Color> {
        self.color.as_ref().map(|(_, c)| *c)
    }

    /// The colour as written in the file (e.g. `"light-blue"`, `"#ff8800"`).
    pub fn color_spec(&self) -> Option<&str> {
        self.color.as_ref().map(|(s, _)| s.as_str())
    }

    /// Every mutation is refused.
    pub const fn read_only(&self) -> bool {
        self.read_only
    }

    /// Destructive actions need the resource's name typed to confirm.
    pub const fn protected(&self) -> bool {
        self.protected
    }

    /// Per-request timeout.
    pub const fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The largest answer body read from this tenant, in bytes.
    pub const fn max_body(&self) -> usize {
        self.max_body
    }

    /// Rows per list request, if the tenant sets one.
    pub const fn page_size(&self) -> Option<usize> {
        self.page_size
    }

    /// Calls a second the tenant's API key may make, if the tenant sets
    /// it; a platform whose gateway counts them paces to it.
    pub const fn qps(&self) -> Option<u32> {
        self.qps
    }

    /// How often the console refreshes this tenant's panes while it is
    /// the active one; `None` (the default) never does on its own.
    pub const fn refresh(&self) -> Option<Duration> {
        self.refresh
    }

    pub const fn auth(&self) -> &Auth {
        &self.auth
    }

    /// Where a new secret of the resource `name` is delivered: the first
    /// `[[tenants.deliveries]]` whose pattern matches, else the tenant's
    /// `[tenants.delivery]`.
    pub fn delivery_for(&self, name: &str) -> Option<&Delivery> {
        self.deliveries.iter().find(|d| d.matches(name))
    }

    /// Credential keys written into the file as literal values.
    pub fn literal_keys(&self) -> Vec<&str> {
        self.auth
            .iter()
            .filter(|(_, c)| c.is_literal())
            .map(|(k, _)| k)
            .collect()
    }
}

/// A tenant's credentials, by key (`username`, `password`, `token`, ...).
/// The keys present are exactly one complete group of
/// [`PlatformKind::auth_groups`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Auth {
    // Few entries, kept in file order: a Vec beats a map here.
    entries: Vec<(String, Credential)>,
}

impl Auth {
    pub(super) fn push(&mut self, key: String, credential: Credential) {
        self.entries.push((key, credential));
    }

    pub fn get(&self, key: &str) -> Option<&Credential> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, cred)| cred)
    }

    /// The keys present, in file order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Credential)> {
        self.entries.iter().map(|(k, c)| (k.as_str(), c))
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Credential's own Debug hides literals.
        f.debug_map()
            .entries(self.entries.iter().map(|(k, c)| (k, c)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn named(name: &str) -> PlatformKind {
        PlatformKind::from_config_name(name).unwrap()
    }

    #[test]
    fn platform_names_round_trip() {
        for p in PlatformKind::all() {
            assert_eq!(PlatformKind::from_config_name(p.as_str()), Some(p));
            assert_eq!(p.to_string(), p.as_str());
        }
        assert_eq!(PlatformKind::from_config_name("Project44"), None);
    }

    #[test]
    fn auth_summaries_read_naturally() {
        assert_eq!(named("project44").auth_summary(), "username and password");
        assert_eq!(
            named("losant").auth_summary(),
            "either token, or email and password"
        );
        assert_eq!(
            named("mashery").auth_summary(),
            "api_key, api_secret, username, password and area_id"
        );
    }

    #[test]
    fn auth_debug_hides_literals() {
        let mut auth = Auth::default();
        auth.push(
            "username".into(),
            Credential::Literal(Zeroizing::new("admin@example.com".into())),
        );
        auth.push(
            "password".into(),
            Credential::Literal(Zeroizing::new("hunter2".into())),
        );
        auth.push("token".into(), Credential::Env("TOKEN_VAR".into()));
        let debug = format!("{auth:?} {auth:#?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(!debug.contains("admin@example.com"), "{debug}");
        assert!(debug.contains("\"password\": Literal(\"***\")"), "{debug}");
        assert!(debug.contains("TOKEN_VAR"), "{debug}");
        assert_eq!(
            auth.keys().collect::<Vec<_>>(),
            ["username", "password", "token"]
        );
        assert!(auth.get("password").is_some());
        assert!(auth.get("email").is_none());
    }
}
