//! Portico's configuration: the tenants to administer and their credentials.
//!
//! The file is TOML (see `config.example.toml` at the repository root for
//! every key). Finding it is [`locate`]; reading it is [`Config::load`], which
//! validates everything up front and reports the first problem as
//! `file:line:column: key: message`. Key paths index tenants from zero:
//! `tenants[0]` is the first `[[tenants]]` table.
//!
//! Addresses: `base_url` wins when both it and `region` are given (the
//! region must still be valid for the platform); otherwise the region's
//! address is used, otherwise the platform's default host. Each
//! platform's regions and default come from its registry entry; one
//! without a default needs a region or a `base_url`.
//!
//! Credentials are kept as written ([`Credential`]); environment variables
//! and commands are only read when [`Credential::resolve`] is called.

mod console;
mod credential;
mod delivery;
mod document;
mod error;
mod load;
mod locate;
mod schema;
mod warnings;

use std::path::{Path, PathBuf};

pub use console::Console;
pub(crate) use credential::clean_stderr;
pub use credential::{COMMAND_TIMEOUT, Credential, CredentialError};
pub use delivery::Delivery;
pub use document::{json_schema, json_schema_text, schema_violations};
pub use error::ConfigError;
pub use locate::{ConfigSource, ENV_VAR, Located, default_path, describe_lookup, locate};
pub use schema::{Auth, PlatformKind, Tenant};

/// A validated configuration: at least one tenant, names unique.
#[derive(Debug, Clone)]
pub struct Config {
    tenants: Vec<Tenant>,
    console: Console,
    origin: String,
    path: Option<PathBuf>,
}

impl Config {
    /// Reads and validates the file at `path`. Errors name the path as given.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        Self::check(path).map_err(first)
    }

    /// Like [`Config::load`], with every error in the file, tenant by tenant
    /// (`portico config check`).
    pub fn check(path: impl AsRef<Path>) -> Result<Self, Vec<ConfigError>> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|err| vec![ConfigError::io(path, err)])?;
        let mut config = Self::parse_all(&text, &path.display().to_string())?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// Validates config text; `origin` names it in error messages
    /// (e.g. `"<demo>"` for the simulator's printed config).
    pub fn parse(text: &str, origin: &str) -> Result<Self, ConfigError> {
        Self::parse_all(text, origin).map_err(first)
    }

    /// Like [`Config::parse`], with every error, tenant by tenant.
    pub fn parse_all(text: &str, origin: &str) -> Result<Self, Vec<ConfigError>> {
        load::parse(text, origin)
    }

    /// The tenants, in file order.
    pub fn tenants(&self) -> &[Tenant] {
        &self.tenants
    }

    /// The `[console]` settings, defaults where the file has none.
    pub const fn console(&self) -> &Console {
        &self.console
    }

    /// The tenant with exactly this name.
    pub fn tenant(&self, name: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.name() == name)
    }

    /// The name errors use: the path for a loaded file, else the origin
    /// given to [`Config::parse`].
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The file it was loaded from; `None` for parsed text.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

#[cfg(test)]
mod tests;

/// The first of the errors `check` and `parse_all` return; they never
/// return an empty list.
fn first(mut errors: Vec<ConfigError>) -> ConfigError {
    if errors.is_empty() {
        return ConfigError::Syntax {
            file: String::new(),
            line: 1,
            column: 1,
            message: "invalid configuration".into(),
        };
    }
    errors.swap_remove(0)
}
