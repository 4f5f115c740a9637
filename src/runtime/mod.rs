//! The async action loop. It owns the terminal's input stream and the
//! adapters, runs each effect as a tokio task and posts the result back
//! as a message. The UI task itself never waits on the network or disk.

mod bulk;
mod copying;
pub mod editor;
mod handoff;
#[cfg(unix)]
mod hangup;
mod keeper;
mod matcher;
mod opening;
pub mod screen;
mod settle;
pub mod tty;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend as _;
use tokio::sync::{Mutex, mpsc};
use tokio::task::{AbortHandle, JoinHandle};

pub use self::copying::ClipboardSettings;
use self::copying::Copier;
use self::keeper::{Keeper, Kept};
pub use self::screen::Screen;
use self::settle::{Hold, Settle};
use crate::app::{self, Effect, ListKey, Message, PendingSecret, State};
use crate::audit::{Audit, Entry};
use crate::config::Tenant;
use crate::model::{Kind, Resource};
use crate::platform::crawl::{crawl, within};
use crate::platform::{
    Check, Operation, Outcome, Paged, Platform, PlatformError, Progress, Source, Target, registry,
};
use crate::secrets::Vault;

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
    settle: Settle,
    /// Set once quitting starts: bulk items not yet sent stay unsent.
    stopping: Arc<AtomicBool>,
    exports: bulk::Exports,
    copier: Copier,
    /// Where the command history is kept, if anywhere.
    history: Option<PathBuf>,
    /// The running `:find` / `:expiring` crawl per tenant: a new one replaces it.
    crawls: HashMap<usize, AbortHandle>,
    /// A form to open in the editor, which the loop runs with the screen
    /// handed back.
    editor: Option<(u64, String, &'static str)>,
    theme: crate::ui::Theme,
    /// The auto-refresh timer and what it is for (tenant, interval):
    /// it exists only while the active tenant has one.
    refresher: Option<((usize, Duration), JoinHandle<()>)>,
    /// Large panes' filters, matched off the UI task.
    matcher: matcher::Matcher,
}

impl Runtime {
    pub fn new(tx: mpsc::UnboundedSender<Message>, tenants: Vec<Tenant>, stores: Stores) -> Self {
        Self {
            tx,
            tenants: tenants
                .into_iter()
                .map(|t| (t, Arc::new(Mutex::new(None))))
                .collect(),
            lists: HashMap::new(),
            stores,
            ticker: None,
            settle: Settle::new(),
            stopping: Arc::new(AtomicBool::new(false)),
            exports: bulk::Exports::default(),
            copier: Copier::default(),
            history: None,
            crawls: HashMap::new(),
            editor: None,
            theme: crate::ui::Theme::default(),
            refresher: None,
            matcher: matcher::Matcher::default(),
        }
    }

    /// Draws with `theme` instead of the default one.
    #[must_use]
    pub const fn with_theme(mut self, theme: crate::ui::Theme) -> Self {
        self.theme = theme;
        self
    }

    /// Keeps one timer for the active tenant's auto-refresh, or none:
    /// `wanted` is `(tenant, interval)`, `None` when it does not refresh.
    /// A tenant switch or a changed interval replaces the timer, so an
    /// idle Portico without auto-refresh runs no timer at all.
    pub fn auto_refresh(&mut self, wanted: Option<(usize, Duration)>) {
        if self.refresher.as_ref().map(|(w, _)| *w) == wanted {
            return;
        }
        if let Some((_, timer)) = self.refresher.take() {
            timer.abort();
        }
        let Some((tenant, every)) = wanted else {
            return;
        };
        let tx = self.tx.clone();
        let timer = tokio::spawn(async move {
            let start = tokio::time::Instant::now() + every;
            let mut ticks = tokio::time::interval_at(start, every);
            // A suspended laptop catches up with one refresh, not a burst.
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if tx.send(Message::AutoRefresh { tenant }).is_err() {
                    break;
                }
            }
        });
        self.refresher = Some(((tenant, every), timer));
    }

    /// Starts no more bulk items; those in flight finish and store.
    pub fn stop_new_work(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// Keeps the command history in `path`.
    #[must_use]
    pub fn with_history_file(mut self, path: PathBuf) -> Self {
        self.history = Some(path);
        self
    }

    /// Copies go to the native clipboard too, and secrets are cleared.
    #[must_use]
    pub fn with_clipboard(mut self, settings: ClipboardSettings) -> Self {
        self.copier = Copier::new(settings);
        self
    }

    /// Changes in flight that have not yet stored what they issued.
    pub fn unsettled(&self) -> usize {
        self.settle.unsettled()
    }

    /// Offers again every secret an earlier session left pending,
    /// whatever ended it.
    pub fn offer_pending(&self) {
        let tx = self.tx.clone();
        let vault = self.stores.vault.clone();
        let names: Vec<String> = self
            .tenants
            .iter()
            .map(|(t, _)| t.name().to_string())
            .collect();
        tokio::task::spawn_blocking(move || {
            let found = vault
                .pending()
                .map(|all| {
                    all.into_iter()
                        .map(|p| PendingSecret {
                            tenant: names.iter().position(|n| *n == p.tenant).unwrap_or(0),
                            summary: format!(
                                "Pending since {}: {} of {} \"{}\" on {}",
                                p.issued_at, p.issued.label, p.kind, p.name, p.tenant
                            ),
                            issued: p.issued,
                            path: p.path,
                        })
                        .collect()
                })
                .map_err(|e| e.to_string());
            let _ = tx.send(Message::Pending(found));
        });
    }

    /// Carries out one effect. Returns at once: the work runs on tasks.
    pub fn execute(&mut self, effect: Effect) {
        match effect {
            // A search is a list the server narrows: same slot, same answer.
            Effect::List {
                tenant,
                key,
                request,
            }
            | Effect::Search {
                tenant,
                key,
                request,
            } => self.list(tenant, key, request),
            Effect::Perform {
                tenant,
                request,
                ops,
            } => self.perform(tenant, request, ops),
            Effect::Copy {
                what,
                text,
                sensitive,
            } => self.copier.copy(&self.tx, what, text, sensitive),
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
            Effect::Offer {
                tenant,
                kind,
                field,
                parent,
            } => self.offer(tenant, kind, field, parent),
            Effect::Forget { path } => {
                let tx = self.tx.clone();
                let vault = self.stores.vault.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Message::Forgot(
                        vault.forget(&path).map_err(|e| e.to_string()),
                    ));
                });
            }
            Effect::Preview {
                tenant,
                request,
                op,
            } => self.preview(tenant, request, op),
            Effect::BulkRotate { run, items } => bulk::Bulk {
                tenants: &self.tenants,
                stores: &self.stores,
                settle: &self.settle,
                stopping: &self.stopping,
                exports: &self.exports,
                tx: &self.tx,
            }
            .start(run, items),
            Effect::Export { run, format } => {
                let (tx, exports) = (self.tx.clone(), self.exports.clone());
                // Beside the store, never in the working directory, where
                // a repository could pick it up.
                let dir = self.stores.vault.dir().parent().map_or_else(
                    || self.stores.vault.dir().join("exports"),
                    |p| p.join("exports"),
                );
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Message::Exported(exports.write(run, format, &dir)));
                });
            }
            Effect::SecondFactor {
                tenant,
                request,
                code,
            } => self.second_factor(tenant, request, code),
            Effect::SaveHistory { text } => {
                if let Some(path) = self.history.clone() {
                    // Best effort: a history that cannot be written costs
                    // the next run its arrows, nothing more.
                    tokio::task::spawn_blocking(move || {
                        if let Err(err) = save_history(&path, &text) {
                            tracing::warn!(%err, "command history not saved");
                        }
                    });
                }
            }
            Effect::Crawl {
                tenant,
                request,
                deadline,
            } => self.crawl(tenant, request, deadline),
            Effect::RawDoc {
                tenant,
                request,
                target,
                resource,
            } => self.raw_doc(tenant, request, target, *resource),
            Effect::OpenEditor { request, text, ext } => self.editor = Some((request, text, ext)),
            Effect::Match(job) => self.matcher.submit(job, &self.tx),
            Effect::Quit => {}
        }
    }

    /// The editor the last effects asked for, if any: [`run`] opens it,
    /// and a caller without a terminal may run it its own way.
    pub const fn take_editor(&mut self) -> Option<(u64, String, &'static str)> {
        self.editor.take()
    }

    /// Lists everything `tenant` has, through its cached adapter, as
    /// `portico find` and `portico expiring` do.
    fn crawl(&mut self, tenant: usize, request: u64, deadline: Duration) {
        let Some((config, adapter)) = self.adapter(tenant) else {
            return;
        };
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            let answer = within(deadline, async {
                let platform = ready(&config, &adapter).await?;
                let found = crawl(platform.as_ref(), &config.platform().capabilities()).await?;
                Ok(found
                    .into_iter()
                    .map(|mut f| {
                        f.resource = f.resource.bounded();
                        f
                    })
                    .collect())
            })
            .await;
            let _ = tx.send(Message::Crawled {
                tenant,
                request,
                at: SystemTime::now(),
                answer,
            });
        });
        if let Some(stale) = self.crawls.insert(tenant, task.abort_handle()) {
            stale.abort();
        }
    }

    /// Reads the vendor's document for `Y`, then lays it out where the
    /// UI task never waits; what the adapter kept stands in for one that
    /// cannot be read.
    fn raw_doc(&self, tenant: usize, request: u64, target: Target, resource: Resource) {
        let tx = self.tx.clone();
        let found = self.adapter(tenant);
        tokio::spawn(async move {
            let doc = match found {
                Some((config, adapter)) => match ready(&config, &adapter).await {
                    Ok(platform) => platform.document(&target).await,
                    Err(err) => Err(err),
                },
                None => Err(PlatformError::Invalid("the tenant is gone".into())),
            };
            let lines = tokio::task::spawn_blocking(move || match doc {
                Ok(doc) => app::document_lines(&doc),
                Err(err) => app::unread_lines(&resource, &err),
            })
            .await
            .unwrap_or_else(|_| vec!["the document could not be laid out".to_string()]);
            let _ = tx.send(Message::RawDoc { request, lines });
        });
    }

    fn adapter(&self, tenant: usize) -> Option<(Tenant, Adapter)> {
        self.tenants
            .get(tenant)
            .map(|(t, a)| (t.clone(), a.clone()))
    }

    fn list(&mut self, tenant: usize, key: ListKey, request: u64) {
        if key.source == Source::View(app::AUDIT_VIEW) {
            return self.read_audit(tenant, key, request);
        }
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
                    let parent = key.parent.as_deref();
                    let paged = match key.query.as_deref() {
                        Some(query) => platform.search(key.source, parent, query, progress).await,
                        None => platform.list_paged(key.source, parent, progress).await,
                    };
                    paged.map(|paged| {
                        let (items, pages) = paged.into_parts();
                        Paged::new(items.into_iter().map(Resource::bounded).collect(), pages)
                    })
                }
                Err(err) => Err(err),
            };
            match &result {
                Ok(paged) => {
                    tracing::debug!(tenant = config.name(), source = ?key.source, rows = paged.items().len(), pages = paged.pages(), "listed");
                }
                Err(err) => {
                    tracing::warn!(tenant = config.name(), source = ?key.source, %err, "list failed");
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

    fn perform(&self, tenant: usize, request: u64, ops: Vec<Operation>) {
        let Some((config, adapter)) = self.adapter(tenant) else {
            return;
        };
        let tx = self.tx.clone();
        let stores = self.stores.clone();
        let hold = self.settle.hold();
        tokio::spawn(async move {
            let (result, saved) = perform_on(&config, &adapter, &ops, &stores, &hold).await;
            // Sent first, so the form still waits on this request when they land.
            if let Some(fields) = result
                .as_ref()
                .err()
                .and_then(Failure::error)
                .map(PlatformError::field_errors)
                .filter(|f| !f.is_empty())
            {
                let _ = tx.send(Message::Rejected {
                    tenant,
                    request,
                    fields: fields.to_vec(),
                });
            }
            let _ = tx.send(Message::Performed {
                tenant,
                request,
                result: Box::new(result.map_err(|f| f.to_string())),
                saved,
            });
        });
    }

    /// `:audit` lists Portico's own log, not the platform's.
    fn read_audit(&self, tenant: usize, key: ListKey, request: u64) {
        let tx = self.tx.clone();
        let path = self.stores.audit.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            let result = match std::fs::read_to_string(&path) {
                Ok(text) => Ok(app::audit_rows(&text)),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
                Err(err) => Err(PlatformError::Invalid(format!(
                    "cannot read the audit log {}: {err}",
                    path.display()
                ))),
            };
            let _ = tx.send(Message::Listed {
                tenant,
                key,
                request,
                at: SystemTime::now(),
                result: result.map(|rows| Paged::new(rows, 1)),
            });
        });
    }

    /// Reads the choices a form's offered field gives; a failure is shown
    /// in the form, which then takes typed text.
    fn offer(&self, tenant: usize, kind: Kind, field: &'static str, parent: Option<String>) {
        let Some((config, adapter)) = self.adapter(tenant) else {
            return;
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = match ready(&config, &adapter).await {
                Ok(platform) => platform
                    .offer(kind, field, parent.as_deref())
                    .await
                    .map_err(|e| e.to_string()),
                Err(err) => Err(err.to_string()),
            };
            let _ = tx.send(Message::Offered {
                tenant,
                field,
                result,
            });
        });
    }

    /// A login's one-time code, for any tenant, read-only ones too: it
    /// changes nothing on the platform.
    fn second_factor(&self, tenant: usize, request: u64, code: crate::model::Secret) {
        let Some((config, adapter)) = self.adapter(tenant) else {
            return;
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = match ready(&config, &adapter).await {
                Ok(platform) => platform
                    .second_factor(code)
                    .await
                    .map(|who| Outcome::done(format!("logged in to {} as {who}", config.name())))
                    .map_err(|e| e.to_string()),
                Err(err) => Err(err.to_string()),
            };
            let _ = tx.send(Message::Performed {
                tenant,
                request,
                result: Box::new(result),
                saved: None,
            });
        });
    }

    /// Reads what a change would do; nothing is changed, so a read-only
    /// tenant may preview too (its confirmation is refused later).
    fn preview(&self, tenant: usize, request: u64, op: Operation) {
        let Some((config, adapter)) = self.adapter(tenant) else {
            return;
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = match ready(&config, &adapter).await {
                Ok(platform) => platform.preview(&op).await.map_err(|e| e.to_string()),
                Err(err) => Err(err.to_string()),
            };
            let _ = tx.send(Message::Previewed {
                tenant,
                request,
                op,
                result,
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

pub type Saved = Option<Result<PathBuf, String>>;

/// Why a change did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The tenant is read-only: nothing was sent.
    ReadOnly(String),
    /// The platform (or connecting to it) failed; the text may add that
    /// the audit log could not be written.
    Platform { error: PlatformError, text: String },
}

impl Failure {
    fn platform(error: PlatformError) -> Self {
        let text = error.to_string();
        Self::Platform { error, text }
    }

    /// The platform's typed error, when there is one.
    pub const fn error(&self) -> Option<&PlatformError> {
        match self {
            Self::ReadOnly(_) => None,
            Self::Platform { error, .. } => Some(error),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ReadOnly(text) | Self::Platform { text, .. } => f.write_str(text),
        }
    }
}

/// The one way a change reaches a platform, for the console and the
/// command line alike: the read-only rail, the adapter, the keeper that
/// stores an issued secret the moment it is decoded, and the audit log.
async fn perform_on(
    config: &Tenant,
    adapter: &Adapter,
    ops: &[Operation],
    stores: &Stores,
    hold: &Arc<Hold>,
) -> (Result<Outcome, Failure>, Saved) {
    // Checked here too, not only where the effect was made: a read-only
    // tenant never sees a request that changes anything.
    if config.read_only() {
        return (
            Err(Failure::ReadOnly(format!(
                "{} is read-only: Portico sends it no changes",
                config.name()
            ))),
            None,
        );
    }
    match ready(config, adapter).await {
        Ok(platform) => run_ops(config, platform.as_ref(), ops, stores, hold).await,
        Err(err) => (Err(Failure::platform(err)), None),
    }
}

/// Runs `ops` on `config` once, outside the console's loop; returns only
/// when every issued secret is stored and every change audited.
pub async fn perform_once(
    config: &Tenant,
    ops: &[Operation],
    stores: &Stores,
) -> (Result<Outcome, Failure>, Saved) {
    let adapter: Adapter = Arc::new(Mutex::new(None));
    let hold = Settle::new().hold();
    perform_on(config, &adapter, ops, stores, &hold).await
}

/// Runs operations in order, stopping at the first failure. An issued
/// secret is stored, and its change audited, by the [`Keeper`] the moment
/// the adapter decodes it; everything else is audited here once done.
async fn run_ops(
    config: &Tenant,
    platform: &dyn Platform,
    ops: &[Operation],
    stores: &Stores,
    hold: &Arc<Hold>,
) -> (Result<Outcome, Failure>, Saved) {
    let mut last = Outcome::default();
    let mut saved = None;
    for op in ops {
        let op = &with_previous(config, op, &stores.vault).await;
        hold.acquire();
        let keeper = Keeper::new(stores, config, op, hold.clone());
        let result = platform.perform_keeping(op, &keeper).await;
        // The verb and target only: values and secrets stay out of logs.
        tracing::info!(
            tenant = config.name(),
            verb = op.verb(),
            ok = result.is_ok(),
            "performed"
        );
        let mut kept = keeper.take();
        // An adapter that returned a secret without keeping it: keep it
        // now, before anything else sees it, so no issued secret is lost.
        if kept.is_none()
            && let Some(late) = result.as_ref().ok().and_then(|o| unkept(op, o))
        {
            crate::platform::Keep::keep(&keeper, &late).await;
            kept = keeper.take();
        }
        let audited = match &kept {
            Some(k) => k.audited.clone(),
            None => audit(stores, config, op, &result).await,
        };
        hold.release();
        let issued = kept.as_ref().map(|k| k.issued.clone());
        let result = match (result, kept) {
            (Ok(outcome), Some(k)) => {
                saved = Some(k.saved);
                Ok(outcome)
            }
            (Ok(outcome), None) => Ok(outcome),
            (Err(err), Some(k)) => {
                let (outcome, stored) = salvaged(op, &err, k);
                saved = Some(stored);
                Ok(outcome)
            }
            (Err(err), None) => Err(Failure::platform(err)),
        };
        let result = match (result, issued) {
            (Ok(mut outcome), Some(issued)) => {
                handoff::hand_off(
                    config,
                    platform,
                    stores,
                    hold,
                    &issued,
                    &mut outcome,
                    &mut saved,
                )
                .await;
                Ok(outcome)
            }
            (result, _) => result,
        };
        let result = with_audit_problem(result, audited);
        match result {
            Ok(outcome) => last = outcome,
            Err(err) => return (Err(err), saved),
        }
    }
    (Ok(last), saved)
}

/// What a create's or rotation's secret belongs to, for one the adapter
/// did not keep.
fn unkept(op: &Operation, outcome: &Outcome) -> Option<crate::platform::Issued> {
    let secret = outcome.secret.clone()?;
    let (kind, resource, name) = match op {
        Operation::Create { kind, values, .. } => (
            *kind,
            outcome.created.clone().unwrap_or_default(),
            outcome
                .created_name
                .clone()
                .or_else(|| crate::platform::value(values, "name").map(str::to_string))
                .unwrap_or_default(),
        ),
        Operation::Rotate { target: t, .. } => (t.kind, t.id.clone(), t.name.clone()),
        // A secret read again on request (a reveal) was issued long ago and
        // is not Portico's to keep.
        _ => return None,
    };
    Some(crate::platform::Issued {
        kind,
        resource,
        name,
        secret,
    })
}

/// The change went through and its secret was kept, but what came after
/// failed (a malformed answer, say): the secret still reaches the user,
/// with the failure as a failed check.
fn salvaged(op: &Operation, err: &PlatformError, kept: Kept) -> (Outcome, Result<PathBuf, String>) {
    let where_ = match &kept.saved {
        Ok(_) => "it is safe in Portico's store",
        Err(_) => "Portico could NOT store it: copy it now",
    };
    let outcome = Outcome {
        summary: format!(
            "{} went through and issued a new {}; {where_}. The rest of the answer was not understood",
            op.verb(),
            kept.issued.secret.label
        ),
        created: matches!(op, Operation::Create { .. }).then(|| kept.issued.resource.clone()),
        secret: Some(kept.issued.secret),
        checks: vec![Check {
            label: err.to_string(),
            passed: false,
        }],
        follow_up: None,
        created_name: None,
        rereadable: false,
    };
    (outcome, kept.saved)
}

/// A failed audit write is shown, never swallowed.
fn with_audit_problem(
    result: Result<Outcome, Failure>,
    audited: Result<(), String>,
) -> Result<Outcome, Failure> {
    let Err(problem) = audited else {
        return result;
    };
    let problem = format!("the audit log was not written: {problem}");
    match result {
        Ok(mut outcome) => {
            outcome.checks.push(Check {
                label: problem,
                passed: false,
            });
            Ok(outcome)
        }
        Err(Failure::Platform { error, text }) => Err(Failure::Platform {
            error,
            text: format!("{text}; {problem}"),
        }),
        Err(Failure::ReadOnly(text)) => Err(Failure::ReadOnly(text)),
    }
}

async fn audit(
    stores: &Stores,
    config: &Tenant,
    op: &Operation,
    result: &Result<Outcome, PlatformError>,
) -> Result<(), String> {
    let outcome = result.as_ref().ok();
    let created = outcome.and_then(|o| o.created.as_deref());
    let mut entry = Entry::for_op(config.name(), config.platform().as_str(), op, created);
    if let Some(name) = outcome.and_then(|o| o.created_name.as_deref()) {
        entry = entry.named(name);
    }
    let entry = match result {
        Ok(_) => entry,
        Err(err) => entry.failed(err.to_string()),
    };
    let audit = stores.audit.clone();
    tokio::task::spawn_blocking(move || audit.record(&entry))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()))
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

/// What the console shows and knows of a configured tenant.
pub fn tenant_info(tenant: &Tenant) -> app::TenantInfo {
    app::TenantInfo::new(
        tenant.name(),
        tenant.platform().label(),
        tenant.platform().capabilities(),
    )
    .with_color(tenant.color())
    .with_flags(tenant.read_only(), tenant.protected())
    .with_refresh(tenant.refresh())
}

/// Draws the frame Portico opens on, from the configuration alone: the
/// caller does this before it starts anything that could make it wait.
/// It is `Terminal::draw` with the diff left out, since the screen was
/// blank (the alternate screen opens cleared): the cells go straight to
/// the backend, and ratatui keeps the frame as the one the next draw is
/// measured against.
pub fn first_frame<W: std::io::Write>(
    terminal: &mut Terminal<tty::Tty<W>>,
    state: &State,
    theme: &crate::ui::Theme,
) -> std::io::Result<()> {
    whole(terminal, |terminal| {
        terminal.autoresize()?;
        // The opening state has no prompt and no form, so no cursor: the
        // frame leaves it hidden, as `draw` would.
        crate::ui::render_with(&mut terminal.get_frame(), state, theme, SystemTime::now());
        let buffer = std::mem::take(terminal.current_buffer_mut());
        let written = terminal
            .backend_mut()
            .draw(opening::OntoBlank::new(&buffer));
        *terminal.current_buffer_mut() = buffer;
        written?;
        terminal.hide_cursor()?;
        terminal.swap_buffers();
        ratatui::backend::Backend::flush(terminal.backend_mut())
    })
}

/// Runs `draw` as one synchronized update (DEC mode 2026), so a terminal
/// that knows the mode shows the frame whole rather than as it arrives:
/// a detail pane never sits beside the previous frame's hint bar. Other
/// terminals ignore the two sequences.
fn whole<W: std::io::Write, T>(
    terminal: &mut Terminal<tty::Tty<W>>,
    draw: impl FnOnce(&mut Terminal<tty::Tty<W>>) -> std::io::Result<T>,
) -> std::io::Result<T> {
    use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
    crossterm::queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    let drawn = draw(terminal);
    // Ended even when the draw failed, or the terminal would hold every
    // later frame back.
    crossterm::execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    drawn
}

/// Drives the app: input and results in, draws out, until quit. Quit,
/// Ctrl-C, SIGINT, SIGTERM, SIGHUP and a terminal that hangs up without
/// one all end it the same way: once every change in flight has stored
/// what it issued.
///
/// `opening` is what [`app::start`] asked for; `shown` says the opening
/// frame already shows `state` as it returned it, so the first frame
/// drawn here can wait for a change instead of sitting in the way of the
/// first answer.
pub async fn run(
    terminal: &mut Screen,
    mut state: State,
    opening: Vec<Effect>,
    shown: bool,
    mut runtime: Runtime,
    mut rx: mpsc::UnboundedReceiver<Message>,
) -> std::io::Result<()> {
    let tx = runtime.tx.clone();
    let mut input = read_input(tx.clone());
    let mut signals = Signals::new();
    for effect in opening {
        runtime.execute(effect);
    }
    runtime.offer_pending();
    // A terminal that is gone (SIGHUP, a closed window) ends drawing, not
    // the wait for changes in flight.
    let theme = runtime.theme;
    let (mut drawn, mut regions) = if shown {
        let area = terminal.get_frame().area();
        (
            Ok(()),
            crate::ui::Regions::of(&state, area, SystemTime::now()),
        )
    } else {
        draw(terminal, &state, &theme)
    };
    runtime.animate(state.in_flight() > 0);
    runtime.auto_refresh(state.auto_refresh().map(|every| (state.active(), every)));
    let mut settled = runtime.settle.watch();
    let mut quitting = false;
    let mut announced = false;
    loop {
        tokio::select! {
            first = rx.recv() => {
                let Some(first) = first else { break };
                // Drain whatever else is queued, then draw once.
                let mut next = Some(first);
                while let Some(msg) = next {
                    // A click means what was on the frame it was made on.
                    let msg = match msg {
                        Message::Mouse(mouse) => {
                            let hit = regions.hit(&mouse);
                            hit.map(Message::Pointer)
                        }
                        other => Some(other),
                    };
                    for effect in msg.map(|m| app::update(&mut state, m)).unwrap_or_default() {
                        runtime.execute(effect);
                    }
                    next = rx.try_recv().ok();
                }
            }
            () = signals.next() => quitting = true,
            _ = settled.changed(), if quitting || state.should_quit() => {}
        }
        if quitting || state.should_quit() || drawn.is_err() {
            quitting = true;
            runtime.stop_new_work();
            let waiting = runtime.unsettled();
            if waiting == 0 {
                break;
            }
            if !announced {
                announced = true;
                for effect in app::update(&mut state, Message::Quitting { waiting }) {
                    runtime.execute(effect);
                }
            }
        }
        // The editor gets the terminal to itself: no key is read meanwhile.
        while let Some((request, text, ext)) = runtime.take_editor() {
            input.abort();
            let _ = input.await;
            let chosen = editor::command();
            let result =
                editor::suspended(terminal, move || editor::edit(&chosen, &text, ext)).await;
            input = read_input(tx.clone());
            for effect in app::update(&mut state, Message::Edited { request, result }) {
                runtime.execute(effect);
            }
        }
        if drawn.is_ok() {
            (drawn, regions) = draw(terminal, &state, &theme);
        }
        runtime.animate(state.in_flight() > 0);
        runtime.auto_refresh(state.auto_refresh().map(|every| (state.active(), every)));
    }
    input.abort();
    // A clipboard tool outlives Portico: a secret still due to be cleared
    // is cleared now.
    let copier = std::mem::take(&mut runtime.copier);
    let _ = tokio::task::spawn_blocking(move || copier.clear_all_due()).await;
    drawn
}

/// Writes the command history, readable by its owner only: a command
/// line may name tenants and resources.
fn save_history(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut open = std::fs::OpenOptions::new();
    open.create(true).write(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    open.open(path)?.write_all(text.as_bytes())
}

/// Draws a frame and keeps where its parts went, for the clicks on it.
fn draw(
    terminal: &mut Screen,
    state: &State,
    theme: &crate::ui::Theme,
) -> (std::io::Result<()>, crate::ui::Regions) {
    let now = SystemTime::now();
    let mut regions = crate::ui::Regions::default();
    let drawn = whole(terminal, |terminal| {
        terminal
            .draw(|f| {
                crate::ui::render_with(f, state, theme, now);
                regions = crate::ui::Regions::of(state, f.area(), now);
            })
            .map(|_| ())
    });
    (drawn, regions)
}

/// Reads the terminal's input on a task of its own, as messages.
fn read_input(tx: mpsc::UnboundedSender<Message>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(event) = events.next().await {
            let msg = match event {
                Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => Message::Key(key),
                Ok(Event::Paste(text)) => Message::Paste(text),
                Ok(Event::Mouse(mouse)) => Message::Mouse(mouse),
                Ok(Event::Resize(..)) => Message::Resize,
                Ok(_) => continue,
                Err(_) => break,
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    })
}

/// The signals that ask Portico to stop. Ctrl-C in the raw-mode terminal
/// is a key, and reaches `update` as one.
struct Signals {
    #[cfg(unix)]
    streams: Vec<tokio::signal::unix::Signal>,
    /// A terminal gone without a signal; `None` once heard or unwatched.
    #[cfg(unix)]
    hangup: Option<tokio::sync::oneshot::Receiver<()>>,
}

impl Signals {
    #[cfg(unix)]
    fn new() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        let streams = [
            SignalKind::terminate(),
            SignalKind::hangup(),
            SignalKind::interrupt(),
        ]
        .into_iter()
        .filter_map(|kind| signal(kind).ok())
        .collect();
        Self {
            streams,
            hangup: Some(hangup::watch()),
        }
    }

    #[cfg(not(unix))]
    fn new() -> Self {
        Signals {}
    }

    /// Resolves when any of them arrives, or the terminal hangs up.
    #[cfg(unix)]
    async fn next(&mut self) {
        let Self { streams, hangup } = self;
        let signal = async {
            if streams.is_empty() {
                return std::future::pending().await;
            }
            let waits = streams.iter_mut().map(|s| Box::pin(s.recv()));
            let _ = futures_util::future::select_all(waits).await;
        };
        let gone = async {
            if let Some(rx) = hangup.as_mut() {
                let heard = rx.await.is_ok();
                *hangup = None;
                if heard {
                    return;
                }
            }
            std::future::pending::<()>().await;
        };
        tokio::select! {
            () = signal => {}
            () = gone => {}
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
