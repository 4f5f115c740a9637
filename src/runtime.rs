//! The async action loop. It owns the terminal's input stream and the
//! adapters, runs each effect as a tokio task and posts the result back
//! as a message. The UI task itself never waits on the network or disk.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use tokio::sync::{Mutex, mpsc};
use tokio::task::{AbortHandle, JoinHandle};

use crate::app::{self, Effect, ListKey, Message, State};
use crate::audit::Audit;
use crate::config::Tenant;
use crate::model::IssuedSecret;
use crate::platform::{Operation, Outcome, Platform, PlatformError, Progress, Source, registry};
use crate::secrets::{Vault, clipboard};

type Adapter = Arc<Mutex<Option<Arc<dyn Platform>>>>;

/// Where issued secrets and the audit trail go.
#[derive(Debug, Clone)]
pub struct Stores {
    pub vault: Vault,
    pub audit: Audit,
}

pub struct Runtime {
    tx: mpsc::UnboundedSender<Message>,
    tenants: Vec<(Tenant, Adapter)>,
    /// The running list request per tenant and slot: a newer one replaces it.
    lists: HashMap<(usize, Source), AbortHandle>,
    stores: Stores,
    ticker: Option<JoinHandle<()>>,
}

impl Runtime {
    pub fn new(tx: mpsc::UnboundedSender<Message>, tenants: Vec<Tenant>, stores: Stores) -> Self {
        Runtime {
            tx,
            tenants: tenants
                .into_iter()
                .map(|t| (t, Arc::new(Mutex::new(None))))
                .collect(),
            lists: HashMap::new(),
            stores,
            ticker: None,
        }
    }

    /// Carries out one effect. Returns at once: the work runs on tasks.
    pub fn execute(&mut self, effect: Effect) {
        match effect {
            Effect::List {
                tenant,
                key,
                request,
            } => self.list(tenant, key, request),
            Effect::Perform {
                tenant,
                request,
                ops,
            } => self.perform(tenant, request, ops),
            Effect::Copy { what, text } => {
                let result = clipboard::copy(&mut std::io::stdout(), text.expose())
                    .map(|()| what)
                    .map_err(|e| e.to_string());
                let _ = self.tx.send(Message::Copied(result));
            }
            Effect::CompletePath { partial } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let candidates = complete_path(&partial);
                    let _ = tx.send(Message::Completions {
                        partial,
                        candidates,
                    });
                });
            }
            Effect::Quit => {}
        }
    }

    fn adapter(&self, tenant: usize) -> Option<(Tenant, Adapter)> {
        self.tenants
            .get(tenant)
            .map(|(t, a)| (t.clone(), a.clone()))
    }

    fn list(&mut self, tenant: usize, key: ListKey, request: u64) {
        let Some((config, adapter)) = self.adapter(tenant) else {
            return;
        };
        let tx = self.tx.clone();
        let progress_tx = tx.clone();
        let progress_key = key.clone();
        let progress: Progress = Arc::new(move |loaded, total| {
            let _ = progress_tx.send(Message::Progress {
                tenant,
                key: progress_key.clone(),
                request,
                loaded,
                total,
            });
        });
        let slot = (tenant, key.source);
        let task = tokio::spawn(async move {
            let result = match ready(&config, &adapter).await {
                Ok(platform) => {
                    platform
                        .list(key.source, key.parent.as_deref(), progress)
                        .await
                }
                Err(err) => Err(err),
            };
            match &result {
                Ok(items) => {
                    tracing::debug!(tenant = config.name(), source = ?key.source, rows = items.len(), "listed")
                }
                Err(err) => {
                    tracing::warn!(tenant = config.name(), source = ?key.source, %err, "list failed")
                }
            }
            let _ = tx.send(Message::Listed {
                tenant,
                key,
                request,
                at: SystemTime::now(),
                result,
            });
        });
        if let Some(stale) = self.lists.insert(slot, task.abort_handle()) {
            stale.abort();
        }
    }

    fn perform(&mut self, tenant: usize, request: u64, ops: Vec<Operation>) {
        let Some((config, adapter)) = self.adapter(tenant) else {
            return;
        };
        let tx = self.tx.clone();
        let stores = self.stores.clone();
        tokio::spawn(async move {
            let (result, saved) = match ready(&config, &adapter).await {
                Ok(platform) => run_ops(&config, platform.as_ref(), &ops, &stores).await,
                Err(err) => (Err(err.to_string()), None),
            };
            let _ = tx.send(Message::Performed {
                tenant,
                request,
                result: Box::new(result),
                saved,
            });
        });
    }

    /// Runs the spinner only while something is in flight, so an idle
    /// Portico uses no CPU.
    pub fn animate(&mut self, busy: bool) {
        match (busy, &self.ticker) {
            (true, None) => {
                let tx = self.tx.clone();
                self.ticker = Some(tokio::spawn(async move {
                    let mut every = tokio::time::interval(Duration::from_millis(120));
                    every.tick().await;
                    loop {
                        every.tick().await;
                        if tx.send(Message::Tick).is_err() {
                            break;
                        }
                    }
                }));
            }
            (false, Some(_)) => {
                if let Some(t) = self.ticker.take() {
                    t.abort();
                }
            }
            _ => {}
        }
    }
}

/// The tenant's adapter, built on first use. Credential commands run on
/// a blocking thread, once per tenant, and are retried after a failure.
async fn ready(config: &Tenant, adapter: &Adapter) -> Result<Arc<dyn Platform>, PlatformError> {
    let mut slot = adapter.lock().await;
    if let Some(platform) = slot.as_ref() {
        return Ok(platform.clone());
    }
    let tenant = config.clone();
    let platform = tokio::task::spawn_blocking(move || registry::connect(&tenant))
        .await
        .map_err(|e| PlatformError::Credentials(e.to_string()))??;
    *slot = Some(platform.clone());
    Ok(platform)
}

type Saved = Option<Result<std::path::PathBuf, String>>;

/// Runs operations in order, stopping at the first failure. An issued
/// secret is saved to the vault before anything else happens with it.
async fn run_ops(
    config: &Tenant,
    platform: &dyn Platform,
    ops: &[Operation],
    stores: &Stores,
) -> (Result<Outcome, String>, Saved) {
    let mut last = Outcome::default();
    let mut saved = None;
    for op in ops {
        let op = &with_previous(config, op, &stores.vault).await;
        let result = platform.perform(op).await;
        // The verb and target only: values and secrets stay out of logs.
        tracing::info!(
            tenant = config.name(),
            verb = op.verb(),
            ok = result.is_ok(),
            "performed"
        );
        let audit_result = result.as_ref().map(|_| ()).map_err(|e| e.to_string());
        let audit = stores.audit.clone();
        let (name, logged) = (config.name().to_string(), op.clone());
        let _ =
            tokio::task::spawn_blocking(move || audit.record(&name, &logged, &audit_result)).await;
        match result {
            Ok(outcome) => {
                if let Some(issued) = &outcome.secret
                    && !outcome.rereadable
                {
                    saved = Some(save(stores, config, op, &outcome, issued).await);
                }
                last = outcome;
            }
            Err(err) => return (Err(err.to_string()), saved),
        }
    }
    (Ok(last), saved)
}

/// Hands a rotation the secret it replaces, when the vault has it.
async fn with_previous(config: &Tenant, op: &Operation, vault: &Vault) -> Operation {
    let Operation::Rotate {
        target,
        previous: None,
    } = op
    else {
        return op.clone();
    };
    let (vault, tenant, id) = (vault.clone(), config.name().to_string(), target.id.clone());
    let previous = tokio::task::spawn_blocking(move || vault.latest(&tenant, &id))
        .await
        .ok()
        .flatten();
    Operation::Rotate {
        target: target.clone(),
        previous,
    }
}

async fn save(
    stores: &Stores,
    config: &Tenant,
    op: &Operation,
    outcome: &Outcome,
    issued: &IssuedSecret,
) -> Result<std::path::PathBuf, String> {
    let vault = stores.vault.clone();
    let tenant = config.name().to_string();
    let (kind, resource) = match op {
        Operation::Create { kind, .. } => (
            kind.label(),
            outcome
                .created
                .clone()
                .or_else(|| issued.public_id.clone())
                .unwrap_or_default(),
        ),
        // A rotation that made a new resource (a Losant key) files the
        // secret under the new one, not the one it replaces.
        other => match other.target() {
            Some(t) => (
                t.kind.label(),
                outcome.created.clone().unwrap_or_else(|| t.id.clone()),
            ),
            None => ("resource", String::new()),
        },
    };
    let issued = issued.clone();
    tokio::task::spawn_blocking(move || vault.save(&tenant, kind, &resource, &issued))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()))
}

/// File names under `partial`'s directory that start with its last part;
/// directories end with `/`.
pub fn complete_path(partial: &str) -> Vec<String> {
    let expanded = match (partial.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => format!("{}/{rest}", home.to_string_lossy()),
        _ => partial.to_string(),
    };
    let (dir, stem) = match expanded.rfind('/') {
        Some(i) => (&expanded[..=i], &expanded[i + 1..]),
        None => ("", expanded.as_str()),
    };
    let read_from = if dir.is_empty() { "." } else { dir };
    let Ok(entries) = std::fs::read_dir(read_from) else {
        return Vec::new();
    };
    let prefix = &partial[..partial.len() - stem.len()];
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(stem) || (name.starts_with('.') && !stem.starts_with('.')) {
                return None;
            }
            let slash = if e.file_type().is_ok_and(|t| t.is_dir()) {
                "/"
            } else {
                ""
            };
            Some(format!("{prefix}{name}{slash}"))
        })
        .collect();
    out.sort();
    out
}

/// Drives the app: input and results in, draws out, until quit.
pub async fn run(
    terminal: &mut ratatui::DefaultTerminal,
    mut state: State,
    mut runtime: Runtime,
    mut rx: mpsc::UnboundedReceiver<Message>,
) -> std::io::Result<()> {
    let tx = runtime.tx.clone();
    let input = tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(event) = events.next().await {
            let msg = match event {
                Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => Message::Key(key),
                Ok(Event::Paste(text)) => Message::Paste(text),
                Ok(Event::Resize(..)) => Message::Resize,
                Ok(_) => continue,
                Err(_) => break,
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
    for effect in app::start(&mut state) {
        runtime.execute(effect);
    }
    terminal.draw(|f| crate::ui::render(f, &state, SystemTime::now()))?;
    runtime.animate(state.in_flight() > 0);
    while let Some(first) = rx.recv().await {
        // Drain whatever else is queued, then draw once.
        let mut next = Some(first);
        while let Some(msg) = next {
            for effect in app::update(&mut state, msg) {
                runtime.execute(effect);
            }
            next = rx.try_recv().ok();
        }
        if state.should_quit() {
            break;
        }
        terminal.draw(|f| crate::ui::render(f, &state, SystemTime::now()))?;
        runtime.animate(state.in_flight() > 0);
    }
    input.abort();
    Ok(())
}
