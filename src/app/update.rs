//! The pure state machine: a message in, state changed, effects out.
//! Nothing here waits or touches the network, the disk or the terminal.

use crossterm::event::KeyEvent;

use super::actions::{
    close_modal, confirm_delete, confirm_rotate, edit_form, new_form, on_offered, on_pending,
    on_performed, request_offers, reveal, toggle_active,
};
use super::command::{picker, show_error};
use super::editor::Format;
use super::input::LineInput;
use super::message::{Effect, Message};
use super::modal::{Modal, layers};
use super::modal_keys::{copy_id, on_completions, on_modal_key, on_paste};
use super::ops::{
    close_view, inform, load_missing, next_pane, notice, request_list, set_focus, switch_tenant,
};
use super::state::{Level, State};
use crate::keymap::{Action, Press};
use crate::model::Pane;
use crate::platform::PlatformError;

const PAGE: isize = 10;

/// Loads what the opening screen shows.
pub fn start(state: &mut State) -> Vec<Effect> {
    let mut fx = Vec::new();
    state.sync();
    load_missing(state, &mut fx);
    fx.extend(state.jobs.drain(..).map(Effect::Match));
    fx
}

pub fn update(state: &mut State, msg: Message) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Message::Key(key) => on_key(state, key, &mut fx),
        Message::Paste(text) => on_paste(state, &text),
        Message::Mouse(_) | Message::Resize => {}
        Message::Pointer(pointer) => super::mouse::on_pointer(state, pointer, &mut fx),
        Message::Tick => state.spinner = state.spinner.wrapping_add(1),
        Message::AutoRefresh { tenant } => super::ops::auto_refresh(state, tenant, &mut fx),
        Message::Listed {
            tenant,
            key,
            request,
            at,
            result,
        } => {
            let Some(book) = state.books.get_mut(tenant) else {
                return fx;
            };
            let Some(listing) = book.lists.get_mut(&key) else {
                return fx;
            };
            let asks_code = match &result {
                Err(PlatformError::SecondFactor(prompt)) => Some(prompt.clone()),
                _ => None,
            };
            // Latest wins: an answer to a superseded request is dropped.
            if listing.pending != Some(request) {
                return fx;
            }
            listing.pending = None;
            listing.progress = None;
            match result {
                Ok(paged) => {
                    let (items, pages) = paged.into_parts();
                    // An unchanged answer (an auto-refresh, mostly) keeps
                    // its generation, so nothing derived from it is redone.
                    if *listing.items != items || listing.loaded_at.is_none() {
                        listing.generation += 1;
                    }
                    listing.items = std::sync::Arc::new(items);
                    listing.pages = pages;
                    listing.loaded_at = Some(at);
                    listing.error = None;
                }
                // The cached rows stay: an error must not blank the pane.
                Err(err) => {
                    book.last_error = Some(err.to_string());
                    listing.error = Some(err);
                }
            }
            if let Some(prompt) = asks_code {
                super::second_factor::ask(state, tenant, prompt);
            }
        }
        Message::Progress {
            tenant,
            key,
            request,
            loaded,
            total,
        } => {
            if let Some(listing) = state
                .books
                .get_mut(tenant)
                .and_then(|b| b.lists.get_mut(&key))
                && listing.pending == Some(request)
            {
                listing.progress = Some((loaded, total));
            }
        }
        Message::Performed {
            tenant,
            request,
            result,
            saved,
        } => {
            let refused = result.as_ref().as_ref().err().cloned();
            on_performed(state, tenant, request, *result, saved, &mut fx);
            super::editor::on_answered(state, tenant, request, refused, &mut fx);
        }
        Message::Rejected {
            tenant,
            request,
            fields,
        } => super::modal_keys::on_rejected(state, tenant, request, &fields),
        Message::Previewed {
            tenant,
            request,
            op,
            result,
        } => super::actions::on_previewed(state, tenant, request, op, result),
        Message::Completions {
            partial,
            candidates,
        } => on_completions(state, &partial, candidates),
        Message::Offered {
            tenant,
            field,
            result,
        } => on_offered(state, tenant, field, result),
        Message::Copied(result) => {
            state.notice = Some(match result {
                // The runtime's own words: it knows what it sent, and
                // that the terminal may have dropped it.
                Ok(done) => notice(Level::Success, done),
                Err(err) => notice(Level::Error, format!("copy failed: {err}")),
            });
        }
        Message::Pending(found) => on_pending(state, found),
        Message::Quitting { waiting } => inform(
            state,
            Level::Info,
            format!("quitting once {waiting} change(s) in flight have stored what they issued…"),
        ),
        Message::BulkItem {
            run,
            index,
            outcome,
        } => super::bulk::on_item(state, run, index, outcome, &mut fx),
        Message::Exported(result) => super::bulk::on_exported(state, result),
        Message::Crawled {
            tenant,
            request,
            at,
            answer,
        } => super::radar::on_crawled(state, tenant, request, at, answer),
        Message::RawDoc { request, lines } => super::rawdoc::on_lines(state, request, lines),
        Message::Edited { request, result } => {
            super::editor::on_edited(state, request, result, &mut fx);
        }
        Message::Matched(matched) => super::matching::on_matched(state, *matched),
        Message::Forgot(result) => {
            state.notice = Some(match result {
                Ok(()) => notice(Level::Success, "erased Portico's copy of the secret"),
                Err(err) => notice(
                    Level::Error,
                    format!("could not erase Portico's copy of the secret: {err}"),
                ),
            });
        }
    }
    state.sync();
    super::jump::follow(state);
    load_missing(state, &mut fx);
    request_offers(state, &mut fx);
    fx.extend(state.jobs.drain(..).map(Effect::Match));
    fx
}

fn on_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    // The one place a key becomes an action, for whatever is on screen.
    let press = state.keymap.press(&layers(state.modal.as_ref()), &key);
    on_press(state, press, fx);
}

/// A key's action, or a clicked hint's, for whatever is on screen.
pub(super) fn on_press(state: &mut State, press: Press, fx: &mut Vec<Effect>) {
    if press == Press::Act(Action::Quit) {
        state.quit = true;
        fx.push(Effect::Quit);
        return;
    }
    if let Some(modal) = state.modal.take() {
        let next = on_modal_key(state, modal, press, fx);
        // A handler that opened another overlay (a form from the kind
        // chooser, help from `:help`) has already put it in place.
        if state.modal.is_none() {
            match next {
                Some(modal) => state.modal = Some(modal),
                None => close_modal(state),
            }
        }
        return;
    }
    let Press::Act(action) = press else {
        return;
    };
    state.notice = None;
    if let Some(slot) = action.tenant_slot() {
        switch_tenant(state, slot, fx);
        return;
    }
    if super::radar::on_key(state, action, fx) {
        return;
    }
    let focus = state.focus();
    match action {
        Action::Help => state.modal = Some(Modal::Help(0)),
        Action::Up => move_by(state, focus, -1),
        Action::Down => move_by(state, focus, 1),
        Action::PageUp => move_by(state, focus, -PAGE),
        Action::PageDown => move_by(state, focus, PAGE),
        Action::Top => move_by(state, focus, isize::MIN / 2),
        Action::Bottom => move_by(state, focus, isize::MAX / 2),
        Action::NextPane => set_focus(state, next_pane(state, focus, 1)),
        Action::PrevPane => set_focus(state, next_pane(state, focus, -1)),
        Action::DrillDown => drill_down(state, focus, fx),
        Action::Back => back(state, focus, fx),
        Action::Filter => {
            // A shown server search is what the user refines next.
            let current = state
                .cursor(focus)
                .map(|c| c.search().unwrap_or_else(|| c.filter()).to_string())
                .unwrap_or_default();
            state.modal = Some(Modal::Filter(LineInput::new(current)));
        }
        Action::Command => state.modal = Some(Modal::Command(LineInput::default())),
        Action::Refresh => match state.list_key(focus) {
            Some(key) => request_list(state, state.active, key, fx),
            None => inform(state, Level::Info, "nothing to refresh here"),
        },
        Action::New => new_form(state, focus),
        Action::Edit => edit_form(state, focus),
        Action::Delete => confirm_delete(state, focus),
        Action::Rotate if state.marked().0 > 0 => super::bulk::confirm_bulk(state),
        Action::Rotate => confirm_rotate(state, focus),
        Action::Mark => super::marks::toggle_mark(state, focus),
        Action::MarkAll => super::marks::mark_all(state, focus),
        Action::ClearMarks => super::marks::unmark_all(state),
        Action::ToggleActive => toggle_active(state, focus, fx),
        Action::Sort => {
            if let Some(cursor) = state.cursor_mut(focus) {
                cursor.sort = cursor.sort.next();
                let label = cursor.sort.label();
                inform(state, Level::Info, format!("sorted by {label}"));
            }
        }
        Action::CopyId => copy_id(state, fx),
        Action::RawDocument => super::rawdoc::open(state, fx),
        Action::EditExternal => super::editor::edit(state, Format::Toml, fx),
        Action::NewExternal => super::editor::create(state, Format::Toml, fx),
        Action::Tenants => state.modal = Some(Modal::Picker(picker(state, ""))),
        Action::ShowError => show_error(state),
        _ => {}
    }
}

fn move_by(state: &mut State, pane: Pane, delta: isize) {
    if let Some(cursor) = state.cursor_mut(pane) {
        let len = cursor.visible.len();
        if len == 0 {
            return;
        }
        let shift = delta.unsigned_abs();
        let target = if delta < 0 {
            cursor.selected.saturating_sub(shift)
        } else {
            cursor.selected.saturating_add(shift)
        };
        cursor.selected = target.min(len - 1);
    }
}

/// Enter moves to the pane this one scopes, else reads the selection's
/// secret when the platform keeps one, else opens the full detail.
fn drill_down(state: &mut State, focus: Pane, fx: &mut Vec<Effect>) {
    if state.selected(focus).is_none() {
        return;
    }
    let child = state
        .panes()
        .into_iter()
        .filter(|p| p.index() > focus.index())
        .find(|p| {
            state
                .layout(*p)
                .is_some_and(|(_, scope)| scope == Some(focus))
        });
    match child {
        Some(child) => set_focus(state, child),
        None if reveal(state, focus, fx) => {}
        None => state.modal = Some(Modal::Detail(0)),
    }
}

/// Esc clears a filter first, then a server search, then the marks,
/// then closes a `:` view, then steps left.
fn back(state: &mut State, focus: Pane, fx: &mut Vec<Effect>) {
    if let Some(cursor) = state.cursor_mut(focus)
        && !cursor.filter.is_empty()
    {
        cursor.filter.clear();
        return;
    }
    if let Some(cursor) = state.cursor_mut(focus)
        && cursor.search.take().is_some()
    {
        cursor.selected = 0;
        // The whole list is usually cached; fetch it only if it is not.
        load_missing(state, fx);
        return;
    }
    if super::marks::clear_marks(state) {
        return;
    }
    if focus == Pane::View {
        close_view(state);
        return;
    }
    let previous = next_pane(state, focus, -1);
    if previous.index() < focus.index() {
        set_focus(state, previous);
    }
}
