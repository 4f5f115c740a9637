//! The command line: a scriptable twin of every console action. It reads
//! tenants through the same adapters, and changes them through the same
//! path as the console ([`runtime::perform_once`]): read-only rail,
//! keeper, secret store and audit log.

pub mod args;
pub mod docs;
mod exit;
mod kinds;
mod output;
mod radar;
mod record;
mod verbs;
pub mod version;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

pub use args::Command;
pub use exit::Exit;
pub use kinds::{Noun, slug};

use self::exit::Failed;
use crate::audit::Audit;
use crate::config::{self, Config, Tenant};
use crate::platform::crawl::{Found, crawl};
use crate::platform::{Platform, PlatformError, registry};
use crate::runtime::Stores;
use crate::secrets::Vault;

/// Where Portico keeps issued secrets, the audit log and its own log.
pub fn data_dir(demo: bool) -> PathBuf {
    let base = std::env::var_os("PORTICO_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            directories::ProjectDirs::from("", "", "portico").map(|d| d.data_dir().to_path_buf())
        })
        .unwrap_or_else(|| PathBuf::from(".portico"));
    if demo { base.join("demo") } else { base }
}

/// What every command starts from.
pub(crate) struct Context {
    config: Config,
    only: Option<String>,
    stores: Stores,
}

impl Context {
    fn load(config_path: Option<&Path>, only: Option<&str>) -> Result<Self, Failed> {
        let located = config::locate(config_path);
        let config =
            Config::load(located.path()).map_err(|e| Failed::new(Exit::Failure, e.to_string()))?;
        if let Some(name) = only
            && config.tenant(name).is_none()
        {
            return Err(Failed::new(
                Exit::Usage,
                format!("no tenant named {name:?} in {}", config.origin()),
            ));
        }
        let data = data_dir(false);
        let stores = Stores {
            vault: Vault::new(data.join("issued")),
            audit: Audit::new(data.join("audit.jsonl")),
        };
        Ok(Self {
            config,
            only: only.map(str::to_string),
            stores,
        })
    }

    /// The tenants a command covers: `--tenant`, or all of them.
    fn tenants(&self) -> Vec<Tenant> {
        self.config
            .tenants()
            .iter()
            .filter(|t| self.only.as_deref().is_none_or(|n| t.name() == n))
            .cloned()
            .collect()
    }

    /// The one tenant a change goes to.
    fn tenant(&self) -> Result<Tenant, Failed> {
        let name = self
            .only
            .as_deref()
            .ok_or_else(|| Failed::new(Exit::Usage, "this verb needs --tenant NAME"))?;
        self.config
            .tenant(name)
            .cloned()
            .ok_or_else(|| Failed::new(Exit::Usage, format!("no tenant named {name:?}")))
    }

    fn checked_stores(&self) -> Result<&Stores, Failed> {
        self.stores
            .vault
            .check()
            .map_err(|e| Failed::new(Exit::Failure, format!("refusing the secret store: {e}")))?;
        self.stores
            .audit
            .check()
            .map_err(|e| Failed::new(Exit::Failure, format!("refusing the audit log: {e}")))?;
        Ok(&self.stores)
    }
}

/// Builds the tenant's adapter; credential commands run on a blocking thread.
pub(crate) async fn connect(tenant: &Tenant) -> Result<Arc<dyn Platform>, PlatformError> {
    let owned = tenant.clone();
    tokio::task::spawn_blocking(move || registry::connect(&owned))
        .await
        .map_err(|e| PlatformError::Credentials(e.to_string()))?
}

/// Everything one tenant lists, without the console's id-less rows (such
/// as Mashery's "all members", which lists every application at once):
/// they are a way to browse, not a resource, and a record's `parent` is a
/// real id or null.
pub(crate) async fn everything(tenant: &Tenant) -> Result<Vec<Found>, PlatformError> {
    let platform = connect(tenant).await?;
    let mut found = crawl(platform.as_ref(), &tenant.platform().capabilities()).await?;
    found.retain(|f| !f.resource.id.is_empty());
    for f in &mut found {
        if f.parent.as_deref() == Some("") {
            f.parent = None;
        }
    }
    Ok(found)
}

/// The pane title a found resource is listed in.
pub(crate) fn pane_title(tenant: &Tenant, found: &Found) -> &'static str {
    let caps = tenant.platform().capabilities();
    match found.source {
        crate::platform::Source::Pane(p) => caps.pane(p).title(),
        crate::platform::Source::View(name) => caps.view(name).map_or("", |v| v.title),
    }
}

pub(crate) fn stdout_is_tty() -> bool {
    std::io::stdout().is_terminal()
}

pub(crate) fn stdin_is_tty() -> bool {
    std::io::stdin().is_terminal()
}

/// Runs one command-line command to its exit code.
pub fn run(
    rt: &tokio::runtime::Runtime,
    config_path: Option<&Path>,
    tenant: Option<&str>,
    command: &Command,
) -> ExitCode {
    let result = Context::load(config_path, tenant).and_then(|ctx| {
        rt.block_on(async {
            match command {
                Command::Tenants { verb } => verbs::tenants(&ctx, verb),
                Command::Find {
                    text,
                    deadline,
                    out,
                } => radar::find(&ctx, text, *deadline, out.format).await,
                Command::Expiring {
                    within,
                    deadline,
                    out,
                } => radar::expiring(&ctx, *within, *deadline, out.format).await,
                other => match other.noun() {
                    Some((noun, verb)) => verbs::run(&ctx, noun, verb).await,
                    None => Err(Failed::new(Exit::Usage, "unknown command")),
                },
            }
        })
    });
    match result {
        Ok(exit) => exit.code(),
        Err(failed) => {
            if !failed.message.is_empty() {
                eprintln!("portico: {}", failed.message);
            }
            failed.exit.code()
        }
    }
}
