//! Operations the key, command and result handlers share. They call
//! nothing back in those handlers, so `app/` has no dependency cycle.

use super::input::step_wrapping;
use super::message::{Effect, ListKey};
use super::state::{Level, Notice, State};
use crate::model::Pane;
use crate::platform::Operation;

pub(super) fn notice(level: Level, text: impl Into<String>) -> Notice {
    Notice {
        level,
        text: text.into(),
    }
}

pub(super) fn inform(state: &mut State, level: Level, text: impl Into<String>) {
    state.notice = Some(notice(level, text));
}

/// Requests every list on screen that has never been asked for.
pub(super) fn load_missing(state: &mut State, fx: &mut Vec<Effect>) {
    for pane in state.panes() {
        if let Some(key) = state.list_key(pane) {
            // Never asked, or asked and superseded before it answered.
            let settled = state
                .book()
                .and_then(|b| b.lists.get(&key))
                .is_some_and(|l| l.pending.is_some() || l.loaded_at.is_some() || l.error.is_some());
            if !settled {
                request_list(state, state.active, key, fx);
            }
        }
    }
}

pub(super) fn request_list(state: &mut State, tenant: usize, key: ListKey, fx: &mut Vec<Effect>) {
    let request = state.next_request;
    state.next_request += 1;
    if let Some(book) = state.books.get_mut(tenant) {
        // The runtime runs one list per slot and drops the older one, so a
        // request for another parent in the same slot will never answer.
        for (other, listing) in &mut book.lists {
            if other.source == key.source && other != &key {
                listing.pending = None;
                listing.progress = None;
            }
        }
        let listing = book.lists.entry(key.clone()).or_default();
        listing.pending = Some(request);
        listing.progress = None;
    }
    fx.push(if key.query.is_some() {
        Effect::Search {
            tenant,
            key,
            request,
        }
    } else {
        Effect::List {
            tenant,
            key,
            request,
        }
    });
}

/// Refreshes what the active tenant shows, in the background.
pub(super) fn refresh_visible(state: &mut State, fx: &mut Vec<Effect>) {
    state.sync();
    for pane in state.panes() {
        if let Some(key) = state.list_key(pane) {
            request_list(state, state.active, key, fx);
        }
    }
}

/// A tick of the auto-refresh timer: the active tenant's panes are asked
/// again through the normal list path, except a list still loading (a
/// slow tenant must not pile up requests). A tick for a tenant no longer
/// active, or no longer refreshing, is stale and does nothing.
pub(super) fn auto_refresh(state: &mut State, tenant: usize, fx: &mut Vec<Effect>) {
    if tenant != state.active || state.auto_refresh().is_none() {
        return;
    }
    state.sync();
    for pane in state.panes() {
        let Some(key) = state.list_key(pane) else {
            continue;
        };
        let loading = state
            .book()
            .and_then(|b| b.lists.get(&key))
            .is_some_and(|l| l.pending.is_some());
        if !loading {
            request_list(state, tenant, key, fx);
        }
    }
}

pub(super) fn switch_tenant(state: &mut State, index: usize, fx: &mut Vec<Effect>) {
    if index >= state.tenants.len() {
        inform(state, Level::Error, format!("no tenant {}", index + 1));
        return;
    }
    state.active = index;
    refresh_visible(state, fx);
}

pub(super) fn set_focus(state: &mut State, pane: Pane) {
    if let Some(book) = state.books.get_mut(state.active) {
        book.focus = Some(pane);
    }
}

/// The next pane on screen that can hold rows, wrapping around; panes a
/// platform lacks are skipped, so Tab never lands on an empty strip.
pub(super) fn next_pane(state: &State, pane: Pane, step: isize) -> Pane {
    let panes: Vec<Pane> = state
        .panes()
        .into_iter()
        .filter(|p| *p == pane || state.unsupported_reason(*p).is_none())
        .collect();
    let Some(at) = panes.iter().position(|p| *p == pane) else {
        return panes.first().copied().unwrap_or(pane);
    };
    panes[step_wrapping(at, panes.len(), step)]
}

/// Closes the `:` view and puts the focus back on a main pane.
pub(super) fn close_view(state: &mut State) {
    let scope = state.view().and_then(|v| v.scope);
    if let Some(book) = state.books.get_mut(state.active) {
        book.view = None;
        if book.focus == Some(Pane::View) {
            book.focus = Some(scope.unwrap_or(Pane::Applications));
        }
    }
    state.sync();
}

/// Asks the adapter to describe renewing `target` with `values`; the
/// answer opens the confirmation ([`on_previewed`]).
pub(super) fn preview(
    state: &mut State,
    target: crate::platform::Target,
    warning: String,
    values: crate::platform::Values,
    fx: &mut Vec<Effect>,
) -> u64 {
    let request = state.next_request;
    state.next_request += 1;
    state.previews.insert(request, warning);
    inform(
        state,
        Level::Info,
        format!("reading the new {}…", target.kind.label()),
    );
    fx.push(Effect::Preview {
        tenant: state.active,
        request,
        op: Operation::Update { target, values },
    });
    request
}

/// Sends `ops` to run, in order, on `tenant`, which need not be the one
/// on screen (a rotation's second phase may finish after a switch).
pub(super) fn perform(
    state: &mut State,
    tenant: usize,
    ops: Vec<Operation>,
    fx: &mut Vec<Effect>,
) -> u64 {
    let request = state.next_request;
    state.next_request += 1;
    let label = ops
        .iter()
        .map(|op| match op.target() {
            Some(t) => format!("{} \"{}\"", op.verb(), t.name),
            None => op.verb().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", then ");
    state.operations.insert(request, (tenant, label.clone()));
    if let Some(book) = state.books.get_mut(tenant) {
        book.performing += 1;
    }
    inform(state, Level::Info, format!("{label}…"));
    fx.push(Effect::Perform {
        tenant,
        request,
        ops,
    });
    request
}
