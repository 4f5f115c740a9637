//! Per-tenant state: the admin user, client applications and issued tokens.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::Rng;
use rand::distr::Alphanumeric;

/// Access tokens live 12 hours, per project44's authentication guide.
pub(super) const TOKEN_LIFETIME: Duration = Duration::from_hours(12);

/// project44 only says ids are alphanumeric; 24 characters keeps them clearly
/// distinct from the 40-character secrets in a console.
const CLIENT_ID_LEN: usize = 24;
const SECRET_LEN: usize = 40;
const ACCESS_TOKEN_LEN: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Region {
    Na,
    Eu,
    Sandbox,
}

impl Region {
    pub(super) const ALL: [Self; 3] = [Self::Na, Self::Eu, Self::Sandbox];

    pub(super) const fn slug(self) -> &'static str {
        match self {
            Self::Na => "na",
            Self::Eu => "eu",
            Self::Sandbox => "sandbox",
        }
    }

    pub(super) const fn tenant_name(self) -> &'static str {
        match self {
            Self::Na => "p44-na",
            Self::Eu => "p44-eu",
            Self::Sandbox => "p44-sandbox",
        }
    }

    pub(super) const fn color(self) -> &'static str {
        match self {
            Self::Na => "cyan",
            Self::Eu => "blue",
            Self::Sandbox => "yellow",
        }
    }

    pub(super) const fn admin_username(self) -> &'static str {
        match self {
            Self::Na => "admin@na.portico.demo",
            Self::Eu => "admin@eu.portico.demo",
            Self::Sandbox => "admin@sandbox.portico.demo",
        }
    }

    pub(super) const fn admin_password(self) -> &'static str {
        match self {
            Self::Na => "portico-demo-na",
            Self::Eu => "portico-demo-eu",
            Self::Sandbox => "portico-demo-sandbox",
        }
    }

    /// What an admin of each region would plausibly have registered.
    const fn seed_names(self) -> &'static [&'static str] {
        match self {
            Self::Na => &[
                "TMS Integration - Oracle OTM",
                "Carrier Visibility Sync",
                "Dock Scheduling Webhook Relay",
                "ERP Order Feed - SAP S/4HANA",
                "Ocean Tracking Data Lake Export",
                "Customer Portal ETA Widget",
                "Freight Audit Reconciliation",
                "Yard Management Bridge",
            ],
            Self::Eu => &[
                "TMS Integration - Transporeon",
                "Carrier Visibility Sync - EU",
                "Rotterdam Port Events Relay",
                "ERP Order Feed - SAP ECC (DE)",
                "Customs Broker Status Push",
            ],
            Self::Sandbox => &[
                "Integration Test Harness",
                "Carrier Onboarding Tester",
                "Dock Scheduling Webhook Relay (staging)",
                "CI Smoke Tests",
            ],
        }
    }

    /// Static account groups for the Bearer stand-in route.
    pub(super) const fn account_groups(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Na => &[("Default", "Default"), ("US_LTL", "US LTL Carriers")],
            Self::Eu => &[("Default", "Default"), ("EU_FTL", "EU Road Freight")],
            Self::Sandbox => &[("Default", "Default")],
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct ClientApp {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) secret: String,
}

/// What an access token stands for: the app user it was issued to, and when.
#[derive(Clone, Debug)]
struct Grant {
    client_id: String,
    issued_at: Instant,
}

impl Grant {
    fn is_live_at(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.issued_at) < TOKEN_LIFETIME
    }
}

#[derive(Debug, Default)]
pub(super) struct TenantState {
    /// Kept in creation order, which is the order the list endpoint answers.
    apps: Vec<ClientApp>,
    tokens: HashMap<String, Grant>,
}

impl TenantState {
    pub(super) fn apps(&self) -> &[ClientApp] {
        &self.apps
    }

    pub(super) fn get(&self, id: &str) -> Option<&ClientApp> {
        self.apps.iter().find(|app| app.id == id)
    }

    pub(super) fn create(&mut self, name: String) -> ClientApp {
        let app = ClientApp {
            id: self.fresh_id(),
            name,
            secret: random_alphanumeric(SECRET_LEN),
        };
        self.apps.push(app.clone());
        app
    }

    pub(super) fn rename(&mut self, id: &str, name: String) -> Option<ClientApp> {
        let app = self.apps.iter_mut().find(|app| app.id == id)?;
        app.name = name;
        Some(app.clone())
    }

    /// Removing the app also removes its app user, so its tokens die with it.
    pub(super) fn delete(&mut self, id: &str) -> bool {
        let before = self.apps.len();
        self.apps.retain(|app| app.id != id);
        if self.apps.len() == before {
            return false;
        }
        self.tokens.retain(|_, grant| grant.client_id != id);
        true
    }

    /// Replaces the secret; tokens already issued are deliberately kept.
    pub(super) fn new_secret(&mut self, id: &str) -> Option<ClientApp> {
        let app = self.apps.iter_mut().find(|app| app.id == id)?;
        app.secret = random_alphanumeric(SECRET_LEN);
        Some(app.clone())
    }

    pub(super) fn client_matches(&self, id: &str, secret: &str) -> bool {
        self.get(id)
            .is_some_and(|app| constant_time_eq(app.secret.as_bytes(), secret.as_bytes()))
    }

    pub(super) fn issue_token(&mut self, client_id: &str, now: Instant) -> String {
        // Expired grants are dropped here so a long-running simulator does not
        // accumulate every token it ever issued.
        self.tokens.retain(|_, grant| grant.is_live_at(now));
        let token = random_alphanumeric(ACCESS_TOKEN_LEN);
        self.tokens.insert(
            token.clone(),
            Grant {
                client_id: client_id.to_owned(),
                issued_at: now,
            },
        );
        token
    }

    pub(super) fn token_is_valid(&self, token: &str, now: Instant) -> bool {
        self.tokens
            .get(token)
            .is_some_and(|grant| grant.is_live_at(now) && self.get(&grant.client_id).is_some())
    }

    fn fresh_id(&self) -> String {
        loop {
            let id = random_alphanumeric(CLIENT_ID_LEN);
            if self.get(&id).is_none() {
                return id;
            }
        }
    }
}

pub(super) struct Tenant {
    pub(super) region: Region,
    state: Mutex<TenantState>,
    pub(super) token_gate: Option<super::TokenGate>,
}

impl Tenant {
    /// The region's demo applications, then `scale` generated ones.
    pub(super) fn seeded(region: Region, scale: usize) -> Self {
        let mut state = TenantState::default();
        for name in region.seed_names() {
            state.create((*name).to_owned());
        }
        // Random ids of this length do not collide in practice, and
        // checking each against the others would make seeding quadratic.
        state.apps.extend((0..scale).map(|i| ClientApp {
            id: random_alphanumeric(CLIENT_ID_LEN),
            name: format!("Scale application {i:06}"),
            secret: random_alphanumeric(SECRET_LEN),
        }));
        Self {
            region,
            state: Mutex::new(state),
            token_gate: None,
        }
    }

    pub(super) fn with_gate(mut self, gate: Option<super::TokenGate>) -> Self {
        self.token_gate = gate;
        self
    }

    /// A handler that panicked mid-update cannot leave the state half-written
    /// in a way that matters here, so a poisoned lock is simply taken over.
    pub(super) fn lock(&self) -> MutexGuard<'_, TenantState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub(super) fn random_alphanumeric(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Secrets are compared without an early exit so timing does not leak a prefix.
pub(super) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_expires_after_twelve_hours() {
        let mut state = TenantState::default();
        let app = state.create("Expiry".to_owned());
        let issued = Instant::now();
        let token = state.issue_token(&app.id, issued);

        assert!(state.token_is_valid(&token, issued));
        assert!(
            state.token_is_valid(
                &token,
                (issued + TOKEN_LIFETIME)
                    .checked_sub(Duration::from_secs(1))
                    .unwrap()
            )
        );
        assert!(!state.token_is_valid(&token, issued + TOKEN_LIFETIME));
    }

    #[test]
    fn expired_tokens_are_pruned_on_issue() {
        let mut state = TenantState::default();
        let app = state.create("Prune".to_owned());
        let issued = Instant::now();
        let old = state.issue_token(&app.id, issued);
        let later = issued + TOKEN_LIFETIME + Duration::from_secs(1);
        let fresh = state.issue_token(&app.id, later);

        assert!(!state.tokens.contains_key(&old));
        assert!(state.token_is_valid(&fresh, later));
    }

    #[test]
    fn ids_and_secrets_are_alphanumeric() {
        let mut state = TenantState::default();
        let app = state.create("Shape".to_owned());
        assert_eq!(app.id.len(), CLIENT_ID_LEN);
        assert_eq!(app.secret.len(), SECRET_LEN);
        assert!(app.id.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(app.secret.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
