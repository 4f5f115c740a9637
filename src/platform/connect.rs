//! From a configured tenant to a live adapter.

use std::sync::Arc;

use super::{Capabilities, PaneSpec, Platform, PlatformError, kitsu, losant, mashery, project44};
use crate::config::{PlatformKind, Tenant};
use crate::model::Secret;

/// What a platform offers, known without credentials or network.
pub fn capabilities(kind: PlatformKind) -> Capabilities {
    match kind {
        PlatformKind::Project44 => project44::capabilities(),
        PlatformKind::Kitsu => kitsu::capabilities(),
        PlatformKind::Losant => losant::capabilities(),
        PlatformKind::Mashery => mashery::capabilities(),
        PlatformKind::Evrythng => not_built(kind),
    }
}

fn not_built(kind: PlatformKind) -> Capabilities {
    let reason = match kind {
        PlatformKind::Mashery => {
            "Mashery is configured, but this build of Portico does not speak it yet"
        }
        PlatformKind::Evrythng => {
            "EVRYTHNG is configured, but this build of Portico does not speak it yet"
        }
        _ => "this build of Portico does not speak this platform yet",
    };
    Capabilities {
        panes: [
            PaneSpec::Unsupported(reason),
            PaneSpec::Unsupported(reason),
            PaneSpec::Unsupported(reason),
        ],
        views: Vec::new(),
        kinds: Vec::new(),
        creates: [Vec::new(), Vec::new(), Vec::new()],
    }
}

/// Resolves the tenant's credentials and builds its adapter. Blocking:
/// a credential may come from a command.
pub fn connect(tenant: &Tenant) -> Result<Arc<dyn Platform>, PlatformError> {
    let secret = |key: &str| -> Result<Secret, PlatformError> {
        let credential = tenant.auth().get(key).ok_or_else(|| {
            PlatformError::Credentials(format!("{}: auth.{key} is not set", tenant.name()))
        })?;
        credential
            .resolve()
            .map(|value| Secret::new(value.as_str()))
            .map_err(|e| PlatformError::Credentials(format!("{}: auth.{key}: {e}", tenant.name())))
    };
    match tenant.platform() {
        PlatformKind::Project44 => {
            let username = secret("username")?;
            let adapter = project44::Project44::new(
                tenant.base_url(),
                tenant.timeout(),
                username.expose().to_string(),
                secret("password")?,
            )?;
            Ok(Arc::new(adapter))
        }
        PlatformKind::Kitsu => {
            // A bot token when given, else a person's login; the config
            // loader has already made sure exactly one group is complete.
            let adapter = if tenant.auth().contains("token") {
                kitsu::Kitsu::with_token(tenant.base_url(), tenant.timeout(), secret("token")?)?
            } else {
                let email = secret("email")?;
                kitsu::Kitsu::with_login(
                    tenant.base_url(),
                    tenant.timeout(),
                    email.expose().to_string(),
                    secret("password")?,
                )?
            };
            Ok(Arc::new(adapter))
        }
        PlatformKind::Losant => {
            // The config allows exactly one of the two; a token wins if both slipped through.
            let auth = if tenant.auth().get("token").is_some() {
                losant::Auth::Token(secret("token")?)
            } else {
                losant::Auth::Login {
                    email: secret("email")?.expose().to_string(),
                    password: secret("password")?,
                }
            };
            let adapter = losant::Losant::new(tenant.base_url(), tenant.timeout(), auth)?;
            Ok(Arc::new(adapter))
        }
        PlatformKind::Mashery => {
            let creds = mashery::Credentials::new(
                secret("api_key")?,
                secret("api_secret")?,
                secret("username")?.expose().to_string(),
                secret("password")?,
                secret("area_id")?.expose().to_string(),
            );
            let adapter = mashery::Mashery::new(
                tenant.base_url(),
                tenant.timeout(),
                creds,
                mashery::DEFAULT_QPS,
            )?;
            Ok(Arc::new(adapter))
        }
        other => Err(PlatformError::Unsupported(format!(
            "this build of Portico does not speak {} yet",
            other.label()
        ))),
    }
}
