//! A bulk rotation: the typed confirmation of every marked row, the run
//! the runtime carries out item by item, and what the progress view and
//! the status line read of it. No secret lives here: the runtime keeps
//! the run's new secrets, in the store and for an export.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::input::LineInput;
use super::message::Effect;
use super::modal::Modal;
use super::ops::{inform, refresh_visible};
use super::state::{Level, State};
use crate::keymap::{Action, Press};
use crate::platform::{Check, Rotation, Target};

/// One marked row, with the tenant it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkTarget {
    pub tenant: usize,
    pub target: Target,
}

/// The confirmation: nothing runs until the count is typed exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkConfirm {
    pub title: String,
    pub lines: Vec<String>,
    pub items: Vec<BulkTarget>,
    /// What must be typed: the number of rotations, so a bare Enter, or a
    /// habit of typing `y`, never starts fifty of them.
    pub expected: String,
    pub input: LineInput,
    pub error: Option<String>,
}

/// What became of one item, as the runtime reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BulkOutcome {
    /// The label of the new secret the platform issued, if it issued one.
    pub issued: Option<String>,
    /// Where the store filed the new secret, or why it could not.
    pub saved: Option<Result<PathBuf, String>>,
    /// Verification, delivery and retirement, as the single rotation
    /// reports them.
    pub checks: Vec<Check>,
    /// A two-phase rotation left the old credential live: what to do.
    pub old_live: Option<String>,
    /// Why the item failed before anything was issued.
    pub error: Option<String>,
}

impl BulkOutcome {
    pub const fn rotated(&self) -> bool {
        self.issued.is_some()
    }

    /// Issued, stored, and every check passed.
    pub fn clean(&self) -> bool {
        self.rotated()
            && matches!(self.saved, Some(Ok(_)) | None)
            && self.checks.iter().all(|c| c.passed)
            && self.old_live.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkItem {
    pub tenant: String,
    pub target: Target,
    pub outcome: Option<BulkOutcome>,
}

/// The run the progress view shows; the latest one stays until the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRun {
    run: u64,
    items: Vec<BulkItem>,
    /// Portico's copies were erased at the user's word.
    forgotten: bool,
}

impl BulkRun {
    pub const fn id(&self) -> u64 {
        self.run
    }
    pub fn items(&self) -> &[BulkItem] {
        &self.items
    }
    pub fn finished(&self) -> usize {
        self.items.iter().filter(|i| i.outcome.is_some()).count()
    }
    pub fn is_done(&self) -> bool {
        self.finished() == self.items.len()
    }
    pub const fn forgotten(&self) -> bool {
        self.forgotten
    }

    /// `rotated, failed` so far.
    pub fn counts(&self) -> (usize, usize) {
        let done = self.items.iter().filter_map(|i| i.outcome.as_ref());
        let rotated = done.clone().filter(|o| o.rotated()).count();
        (rotated, done.count() - rotated)
    }

    /// One line for the status line and the end of the progress view.
    pub fn summary(&self) -> String {
        let (rotated, failed) = self.counts();
        let total = self.items.len();
        let mut text = if self.is_done() {
            format!("bulk rotation done: {rotated} of {total} rotated, {failed} failed")
        } else {
            format!(
                "bulk rotation {}/{total}: {rotated} rotated, {failed} failed",
                self.finished()
            )
        };
        let outcomes = || self.items.iter().filter_map(|i| i.outcome.as_ref());
        let unchecked = outcomes()
            .filter(|o| o.rotated() && o.checks.iter().any(|c| !c.passed))
            .count();
        if unchecked > 0 {
            let _ = write!(text, ", {unchecked} with a failed check");
        }
        let unsaved = outcomes()
            .filter(|o| matches!(o.saved, Some(Err(_))))
            .count();
        if unsaved > 0 {
            // Their only copy is the run's, in memory: an export keeps them.
            let _ = write!(text, ", {unsaved} NOT stored: export them now");
        }
        let live = outcomes().filter(|o| o.old_live.is_some()).count();
        if live > 0 {
            let _ = write!(text, ", {live} with the old credential still live");
        }
        text
    }
}

impl State {
    pub const fn bulk(&self) -> Option<&BulkRun> {
        self.bulk.as_ref()
    }

    /// Items of the bulk run not yet reported.
    pub fn bulk_remaining(&self) -> usize {
        self.bulk
            .as_ref()
            .map_or(0, |b| b.items.len() - b.finished())
    }
}

/// `R` with marks: asks for the count to be typed, naming every tenant.
pub(super) fn confirm_bulk(state: &mut State) {
    if state.bulk_remaining() > 0 {
        return inform(
            state,
            Level::Error,
            "a bulk rotation is still running (:bulk shows it)",
        );
    }
    let mut items = Vec::new();
    let mut per_tenant: BTreeMap<usize, Vec<&Target>> = BTreeMap::new();
    for (tenant, book) in state.books.iter().enumerate() {
        for (_, target) in &book.marks {
            per_tenant.entry(tenant).or_default().push(target);
            items.push(BulkTarget {
                tenant,
                target: target.clone(),
            });
        }
    }
    let count = items.len();
    let mut lines = Vec::new();
    let mut warnings = Vec::new();
    let mut two_phase = false;
    for (tenant, targets) in &per_tenant {
        let Some(info) = state.tenants.get(*tenant) else {
            continue;
        };
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for t in targets {
            *kinds.entry(t.kind.label()).or_default() += 1;
            match info.caps().kind(t.kind).map(|s| &s.rotate) {
                Some(Rotation::Immediate { warning }) if !warnings.contains(warning) => {
                    warnings.push(*warning);
                }
                Some(Rotation::TwoPhase { .. }) => two_phase = true,
                _ => {}
            }
        }
        let kinds = kinds
            .iter()
            .map(|(k, n)| format!("{n} {k}(s)"))
            .collect::<Vec<_>>()
            .join(", ");
        let flags = if info.protected() { " [P]" } else { "" };
        lines.push(format!(
            "{}{flags} ({}): {kinds}",
            info.name(),
            info.platform()
        ));
    }
    lines.push(String::new());
    lines.extend(warnings.iter().map(ToString::to_string));
    if two_phase {
        lines.push(
            "Where old and new live side by side, the old one stays live until its \
             rotation is finished (R on it)."
                .into(),
        );
    }
    lines.push(
        "Each new secret goes to Portico's store the moment it is issued and stays \
         pending until you confirm it is stored."
            .into(),
    );
    let tenants = per_tenant.len();
    state.modal = Some(Modal::BulkConfirm(BulkConfirm {
        title: format!("Rotate {count} secret(s) on {tenants} tenant(s)?"),
        lines,
        items,
        expected: count.to_string(),
        input: LineInput::default(),
        error: None,
    }));
}

/// Keys on the confirmation; returns the overlay to show next.
pub(super) fn on_confirm_key(
    state: &mut State,
    mut c: BulkConfirm,
    press: Press,
    fx: &mut Vec<Effect>,
) -> Option<Modal> {
    match press {
        Press::Act(Action::Cancel) => None,
        Press::Act(Action::Confirm) => {
            let typed = c.input.text().trim();
            if typed.is_empty() || typed != c.expected {
                c.error = Some(if typed.is_empty() {
                    format!("type {} to go ahead", c.expected)
                } else {
                    format!("\"{typed}\" is not {}", c.expected)
                });
                return Some(Modal::BulkConfirm(c));
            }
            start(state, c.items, fx);
            Some(Modal::Progress(0))
        }
        Press::Text(ch) => {
            c.input.insert(ch);
            c.error = None;
            Some(Modal::BulkConfirm(c))
        }
        Press::Act(action) => {
            if c.input.apply(action) {
                c.error = None;
            }
            Some(Modal::BulkConfirm(c))
        }
        Press::Unbound => Some(Modal::BulkConfirm(c)),
    }
}

fn start(state: &mut State, items: Vec<BulkTarget>, fx: &mut Vec<Effect>) {
    let run = state.next_request;
    state.next_request += 1;
    for book in &mut state.books {
        book.marks.clear();
    }
    let rows = items
        .iter()
        .map(|i| BulkItem {
            tenant: state
                .tenants
                .get(i.tenant)
                .map(|t| t.name().to_string())
                .unwrap_or_default(),
            target: i.target.clone(),
            outcome: None,
        })
        .collect();
    state.bulk = Some(BulkRun {
        run,
        items: rows,
        forgotten: false,
    });
    inform(
        state,
        Level::Info,
        format!("rotating {} secret(s)…", items.len()),
    );
    fx.push(Effect::BulkRotate { run, items });
}

/// One item's result; the last one closes the run with its summary.
pub(super) fn on_item(
    state: &mut State,
    run: u64,
    index: usize,
    outcome: BulkOutcome,
    fx: &mut Vec<Effect>,
) {
    let Some(bulk) = state.bulk.as_mut().filter(|b| b.run == run) else {
        return;
    };
    let Some(item) = bulk.items.get_mut(index) else {
        return;
    };
    item.outcome = Some(outcome);
    if bulk.is_done() {
        let (_, failed) = bulk.counts();
        let level = if failed > 0
            || bulk
                .items
                .iter()
                .any(|i| !i.outcome.as_ref().is_some_and(BulkOutcome::clean))
        {
            Level::Error
        } else {
            Level::Success
        };
        let text = bulk.summary();
        inform(state, level, text);
        refresh_visible(state, fx);
    }
}

/// Keys on the progress view.
pub(super) fn on_progress_key(
    state: &mut State,
    scroll: u16,
    press: Press,
    fx: &mut Vec<Effect>,
) -> Option<Modal> {
    const PAGE: u16 = 10;
    let Press::Act(action) = press else {
        return Some(Modal::Progress(scroll));
    };
    let scroll = match action {
        Action::Down => scroll.saturating_add(1),
        Action::Up => scroll.saturating_sub(1),
        Action::PageDown => scroll.saturating_add(PAGE),
        Action::PageUp => scroll.saturating_sub(PAGE),
        Action::Top => 0,
        Action::Close => return None,
        Action::ExportJson => {
            export(state, ExportFormat::Json, fx);
            scroll
        }
        Action::ExportEnv => {
            export(state, ExportFormat::Env, fx);
            scroll
        }
        Action::Stored => {
            forget_all(state, fx);
            scroll
        }
        _ => scroll,
    };
    Some(Modal::Progress(scroll))
}

/// How an export writes the run's new secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Env,
}

fn export(state: &mut State, format: ExportFormat, fx: &mut Vec<Effect>) {
    let Some(bulk) = state.bulk.as_ref() else {
        return;
    };
    let issued = bulk
        .items
        .iter()
        .filter(|i| i.outcome.as_ref().is_some_and(BulkOutcome::rotated))
        .count();
    if issued == 0 {
        return inform(state, Level::Info, "no new secret to export yet");
    }
    let run = bulk.run;
    inform(
        state,
        Level::Info,
        format!("exporting {issued} new secret(s)…"),
    );
    fx.push(Effect::Export { run, format });
}

/// The user has the run's secrets elsewhere: Portico's copies go.
fn forget_all(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(bulk) = state.bulk.as_mut() else {
        return;
    };
    if !bulk.is_done() {
        return inform(state, Level::Info, "wait for the run to finish first");
    }
    let paths: Vec<PathBuf> = bulk
        .items
        .iter()
        .filter_map(
            |i| match i.outcome.as_ref().and_then(|o| o.saved.as_ref()) {
                Some(Ok(path)) => Some(path.clone()),
                _ => None,
            },
        )
        .collect();
    if bulk.forgotten || paths.is_empty() {
        return inform(state, Level::Info, "Portico holds no copy from this run");
    }
    bulk.forgotten = true;
    let count = paths.len();
    fx.extend(paths.into_iter().map(|path| Effect::Forget { path }));
    inform(
        state,
        Level::Info,
        format!("erasing Portico's copies of {count} secret(s)…"),
    );
}

/// What an export did, in the status line; the path, never the contents.
pub(super) fn on_exported(state: &mut State, result: Result<PathBuf, String>) {
    match result {
        Ok(path) => inform(
            state,
            Level::Success,
            format!(
                "exported to {} (only you can read it; delete it once used)",
                path.display()
            ),
        ),
        Err(err) => inform(state, Level::Error, format!("export failed: {err}")),
    }
}
