//! Marks on rows for a bulk rotation. A mark is kept per tenant with the
//! pane and the parent it was made under, so a mark on an application of
//! one member never lights up a row of another member's list.

use super::ops::inform;
use super::state::{Level, State};
use crate::model::{Change, Pane, Resource};
use crate::platform::{Rotation, Target};

impl State {
    /// Whether `res`, a row of `pane` as it lists now, is marked.
    pub fn is_marked(&self, pane: Pane, res: &Resource) -> bool {
        let parent = self.list_key(pane).and_then(|k| k.parent);
        self.book().is_some_and(|b| {
            b.marks
                .iter()
                .any(|(p, t)| *p == pane && t.id == res.id && t.parent == parent)
        })
    }

    /// Marks on `pane` of the active tenant, under any parent.
    pub fn marked_in(&self, pane: Pane) -> usize {
        self.book()
            .map_or(0, |b| b.marks.iter().filter(|(p, _)| *p == pane).count())
    }

    /// Marks on every tenant, and how many tenants hold them.
    pub fn marked(&self) -> (usize, usize) {
        let counts = self.books.iter().map(|b| b.marks.len());
        let total = counts.clone().sum();
        let tenants = counts.filter(|n| *n > 0).count();
        (total, tenants)
    }
}

/// What a mark on `res` in `pane` would rotate, or why it cannot be marked:
/// only kinds whose secret a single call renews take part in a bulk run.
fn markable(state: &State, pane: Pane, res: &Resource) -> Result<Target, String> {
    let tenant = state.tenant().ok_or_else(String::new)?;
    if tenant.read_only() {
        return Err(format!(
            "{} is read-only [RO]: nothing to rotate",
            tenant.name()
        ));
    }
    let spec = tenant
        .caps()
        .kind(res.kind)
        .ok_or_else(|| format!("a {} has no secret to rotate", res.kind.label()))?;
    match &spec.rotate {
        Rotation::Immediate { .. } | Rotation::TwoPhase { .. } => {}
        Rotation::Unsupported(reason) => return Err(format!("cannot rotate: {reason}")),
        Rotation::Renew { .. } => {
            return Err(format!(
                "a {} is renewed with new material, one at a time (R)",
                res.kind.label()
            ));
        }
    }
    if let Some(reason) = res.refusal(Change::Rotate) {
        return Err(format!("not allowed: {reason}"));
    }
    // A two-phase rotation stopped half way: rotating either key again
    // would make a third; R on it finishes the rotation instead.
    let items = state
        .listing(pane)
        .map(super::state::Listing::items)
        .unwrap_or_default();
    let live = |id: &str| items.iter().any(|r| r.id == id && r.is_active());
    let successor = items
        .iter()
        .any(|r| r.is_active() && r.detail("replaces") == Some(res.id.as_str()));
    let replaces = res.detail("replaces").is_some_and(live);
    if res.is_active() && (successor || replaces) {
        return Err(format!(
            "\"{}\" is half way through a rotation: finish it with R first",
            res.name
        ));
    }
    Ok(Target {
        kind: res.kind,
        id: res.id.clone(),
        name: res.name.clone(),
        parent: state.list_key(pane).and_then(|k| k.parent),
    })
}

/// Space: marks the selection, or unmarks it.
pub(super) fn toggle_mark(state: &mut State, pane: Pane) {
    let Some(res) = state.selected(pane).cloned() else {
        return inform(state, Level::Info, "nothing to mark here");
    };
    if state.is_marked(pane, &res) {
        let parent = state.list_key(pane).and_then(|k| k.parent);
        if let Some(book) = state.books.get_mut(state.active) {
            book.marks
                .retain(|(p, t)| !(*p == pane && t.id == res.id && t.parent == parent));
        }
        return;
    }
    match markable(state, pane, &res) {
        Ok(target) => {
            if let Some(book) = state.books.get_mut(state.active) {
                book.marks.push((pane, target));
            }
        }
        Err(why) => inform(state, Level::Error, why),
    }
}

/// Marks every row the pane shows now (its filter applied), skipping
/// those that cannot be rotated, and says how many it took.
pub(super) fn mark_all(state: &mut State, pane: Pane) {
    let rows: Vec<Resource> = match (state.listing(pane), state.cursor(pane)) {
        (Some(listing), Some(cursor)) => cursor
            .visible()
            .iter()
            .filter_map(|i| listing.items().get(*i).cloned())
            .collect(),
        _ => Vec::new(),
    };
    let mut added = Vec::new();
    let mut skipped = 0;
    let mut why = None;
    for res in &rows {
        if state.is_marked(pane, res) {
            continue;
        }
        match markable(state, pane, res) {
            Ok(target) => added.push((pane, target)),
            Err(reason) => {
                skipped += 1;
                why.get_or_insert(reason);
            }
        }
    }
    let count = added.len();
    if let Some(book) = state.books.get_mut(state.active) {
        book.marks.extend(added);
    }
    let (total, _) = state.marked();
    let text = match why {
        Some(reason) => {
            format!("marked {count} more ({total} in all); {skipped} left out: {reason}")
        }
        None => format!("marked {count} more ({total} in all)"),
    };
    inform(state, Level::Info, text);
}

/// Drops every mark on every tenant; false when there were none.
pub(super) fn clear_marks(state: &mut State) -> bool {
    let (total, _) = state.marked();
    for book in &mut state.books {
        book.marks.clear();
    }
    if total > 0 {
        inform(state, Level::Info, format!("cleared {total} mark(s)"));
    }
    total > 0
}

/// The clear-marks key: says so when there was nothing to clear.
pub(super) fn unmark_all(state: &mut State) {
    if !clear_marks(state) {
        inform(state, Level::Info, "nothing is marked");
    }
}
