//! Actions while an overlay has the keyboard, pastes and path completions.
//! Each handler gets the overlay by value and returns the overlay to show
//! next (`None` closes it); no key codes here, only keymap actions.

use super::actions::create_form;
use super::command::{complete, picker, run_command};
use super::input::{LineInput, common_prefix};
use super::message::Effect;
use super::modal::{Choose, Confirm, Form, FormField, Intent, Modal, Picker, SecretView};
use super::ops::{inform, perform, request_list, switch_tenant};
use super::state::{Level, State};
use crate::keymap::{Action, Press};
use crate::model::{Pane, Secret};
use crate::platform::{FieldError, Input, Operation};

const PAGE: u16 = 10;

pub(super) fn on_modal_key(
    state: &mut State,
    modal: Modal,
    press: Press,
    fx: &mut Vec<Effect>,
) -> Option<Modal> {
    match modal {
        Modal::Help(scroll) => scrolled(scroll, press).map(Modal::Help),
        Modal::Detail(scroll) => {
            if press == Press::Act(Action::CopyId) {
                copy_id(state, fx);
                return Some(Modal::Detail(scroll));
            }
            scrolled(scroll, press).map(Modal::Detail)
        }
        Modal::Text(mut view) => scrolled(view.scroll, press).map(|scroll| {
            view.scroll = scroll;
            Modal::Text(view)
        }),
        Modal::Raw(doc) => super::rawdoc::on_key(doc, press, fx),
        // A renewal is previewed by the adapter from its form, so it stays there.
        Modal::Form(form)
            if press == Press::Act(Action::EditExternal)
                && form.pending.is_none()
                && !matches!(form.intent, Intent::Renew { .. }) =>
        {
            super::editor::from_form(state, form, super::editor::Format::Toml, fx);
            None
        }
        Modal::Filter(input) => on_filter(state, input, press, fx),
        Modal::Command(input) => on_command(state, input, press, fx),
        Modal::Picker(p) => on_picker(state, p, press, fx),
        Modal::Form(form) => on_form(state, form, press, fx),
        Modal::Choose(c) => on_choose(state, c, press),
        Modal::Confirm(c) => on_confirm(state, c, press, fx),
        Modal::Secret(view) => on_secret(state, view, press, fx),
        Modal::BulkConfirm(c) => super::bulk::on_confirm_key(state, c, press, fx),
        Modal::Progress(scroll) => super::bulk::on_progress_key(state, scroll, press, fx),
    }
}

/// Types or edits; `false` when the press was neither.
fn edit(input: &mut LineInput, press: Press) -> bool {
    match press {
        Press::Text(c) => {
            input.insert(c);
            true
        }
        Press::Act(action) => input.apply(action),
        Press::Unbound => false,
    }
}

/// Scrolls help, the full detail or a text view; closes only on its own
/// close keys.
const fn scrolled(scroll: u16, press: Press) -> Option<u16> {
    Some(match press {
        Press::Act(Action::Down) => scroll.saturating_add(1),
        Press::Act(Action::Up) => scroll.saturating_sub(1),
        Press::Act(Action::PageDown) => scroll.saturating_add(PAGE),
        Press::Act(Action::PageUp) => scroll.saturating_sub(PAGE),
        Press::Act(Action::Top) => 0,
        Press::Act(Action::Close) => return None,
        _ => scroll,
    })
}

pub(super) fn copy_id(state: &State, fx: &mut Vec<Effect>) {
    if let Some(res) = state.selected(state.focus()) {
        fx.push(Effect::Copy {
            what: format!("{} id", res.kind.label()),
            text: Secret::new(res.id.clone()),
            sensitive: false,
        });
    }
}

fn on_filter(
    state: &mut State,
    mut input: LineInput,
    press: Press,
    fx: &mut Vec<Effect>,
) -> Option<Modal> {
    let focus = state.focus();
    match press {
        Press::Act(Action::Keep) => {
            if state.searches_server(focus) {
                search_server(state, focus, input.text().trim(), fx);
            }
            None
        }
        Press::Act(Action::Clear) => {
            if let Some(cursor) = state.cursor_mut(focus) {
                cursor.filter.clear();
            }
            None
        }
        _ => {
            if edit(&mut input, press)
                && let Some(cursor) = state.cursor_mut(focus)
            {
                cursor.filter = input.text().to_string();
                cursor.selected = 0;
            }
            Some(Modal::Filter(input))
        }
    }
}

/// Swaps the pane's rows for the server's answer to `text`; empty text
/// goes back to the whole list. The local filter is dropped, since the
/// server already matched on fields the fuzzy filter does not read.
fn search_server(state: &mut State, pane: Pane, text: &str, fx: &mut Vec<Effect>) {
    let before = state.list_key(pane);
    let Some(cursor) = state.cursor_mut(pane) else {
        return;
    };
    cursor.filter.clear();
    cursor.search = (!text.is_empty()).then(|| text.to_string());
    if let Some(key) = state.list_key(pane) {
        if let Some(before) = before.filter(|_| key.query.is_some()) {
            state.hold_rows(pane, &before, &key);
        }
        request_list(state, state.active, key, fx);
    }
}

fn on_command(
    state: &mut State,
    mut input: LineInput,
    press: Press,
    fx: &mut Vec<Effect>,
) -> Option<Modal> {
    match press {
        Press::Act(Action::Cancel) => {
            state.history.stop();
            None
        }
        Press::Act(Action::Run) => {
            let line = input.text().trim().to_string();
            state.history.push(&line);
            fx.push(Effect::SaveHistory {
                text: state.history.to_text(),
            });
            run_command(state, &line, fx);
            None
        }
        Press::Act(Action::Complete) => {
            complete(state, &mut input);
            Some(Modal::Command(input))
        }
        Press::Act(Action::Up) => {
            if let Some(line) = state.history.older(input.text()) {
                input.set(line.to_string());
            }
            Some(Modal::Command(input))
        }
        Press::Act(Action::Down) => {
            if let Some(line) = state.history.newer() {
                input.set(line);
            }
            Some(Modal::Command(input))
        }
        _ => {
            edit(&mut input, press);
            Some(Modal::Command(input))
        }
    }
}

fn on_picker(
    state: &mut State,
    mut p: Picker,
    press: Press,
    fx: &mut Vec<Effect>,
) -> Option<Modal> {
    match press {
        Press::Act(Action::Cancel) => None,
        Press::Act(Action::Pick) => {
            if let Some(index) = p.matches.get(p.selected).copied() {
                switch_tenant(state, index, fx);
            }
            None
        }
        Press::Act(Action::Up) => {
            p.selected = p.selected.saturating_sub(1);
            Some(Modal::Picker(p))
        }
        Press::Act(Action::Down) => {
            p.selected = (p.selected + 1).min(p.matches.len().saturating_sub(1));
            Some(Modal::Picker(p))
        }
        _ => {
            if !edit(&mut p.input, press) {
                return Some(Modal::Picker(p));
            }
            let next = picker(state, p.input.text());
            Some(Modal::Picker(Picker {
                input: p.input,
                ..next
            }))
        }
    }
}

fn on_choose(state: &mut State, mut c: Choose, press: Press) -> Option<Modal> {
    match press {
        Press::Act(Action::Cancel) => None,
        Press::Act(Action::Pick) => {
            if let Some(kind) = c.kinds.get(c.selected).copied() {
                let focus = state.focus();
                create_form(state, focus, kind);
            }
            None
        }
        Press::Act(Action::Up) => {
            c.selected = c.selected.saturating_sub(1);
            Some(Modal::Choose(c))
        }
        Press::Act(Action::Down) => {
            c.selected = (c.selected + 1).min(c.kinds.len().saturating_sub(1));
            Some(Modal::Choose(c))
        }
        _ => Some(Modal::Choose(c)),
    }
}

fn on_confirm(
    state: &mut State,
    mut c: Confirm,
    press: Press,
    fx: &mut Vec<Effect>,
) -> Option<Modal> {
    match press {
        Press::Act(Action::Cancel) => None,
        Press::Act(Action::Confirm) => {
            // An empty answer never matches, even an empty expected text.
            if let Some((expected, input)) = &c.typed
                && (input.text().is_empty() || input.text() != expected.as_str())
            {
                c.error = Some(if input.text().is_empty() {
                    format!("type \"{expected}\" to go ahead")
                } else {
                    format!("\"{}\" does not match \"{expected}\"", input.text())
                });
                return Some(Modal::Confirm(c));
            }
            let tenant = state.active;
            let from_editor = super::editor::awaits(state, &c.ops);
            let request = perform(state, tenant, c.ops, fx);
            if from_editor {
                super::editor::sent(state, request);
            }
            None
        }
        _ => {
            if let Some((_, input)) = &mut c.typed
                && edit(input, press)
            {
                c.error = None;
            }
            Some(Modal::Confirm(c))
        }
    }
}

fn on_secret(
    state: &mut State,
    mut view: Box<SecretView>,
    press: Press,
    fx: &mut Vec<Effect>,
) -> Option<Modal> {
    match press {
        Press::Act(Action::Reveal) => {
            view.revealed = !view.revealed;
            Some(Modal::Secret(view))
        }
        Press::Act(Action::CopySecret) => {
            fx.push(Effect::Copy {
                what: view.issued.label.clone(),
                text: view.issued.secret.clone(),
                sensitive: true,
            });
            Some(Modal::Secret(view))
        }
        Press::Act(Action::Stored) => {
            let tenant = view.tenant;
            // Confirmed stored elsewhere: Portico's own copy goes.
            if let Some(Ok(path)) = &view.saved {
                fx.push(Effect::Forget { path: path.clone() });
            }
            if let Some(follow) = view.follow_up.take() {
                perform(state, tenant, vec![follow.op], fx);
            }
            None
        }
        Press::Act(Action::Close) => {
            if let Some(follow) = &view.follow_up {
                let note = follow.abort_note.clone();
                if let Some(book) = state.books.get_mut(view.tenant) {
                    book.warning = Some(note.clone());
                }
                inform(state, Level::Error, note);
            }
            None
        }
        _ => Some(Modal::Secret(view)),
    }
}

fn on_form(state: &mut State, mut form: Form, press: Press, fx: &mut Vec<Effect>) -> Option<Modal> {
    let count = form.fields.len().max(1);
    // A validation message goes as soon as what it complains about is
    // fixed; a server's error stays until the next submit.
    let checked = form.pending.is_none() && form.error.is_some() && form.error == form.problem();
    match press {
        Press::Act(Action::Cancel) => return None,
        Press::Act(Action::NextField) => form.focus = (form.focus + 1) % count,
        Press::Act(Action::PrevField) => form.focus = (form.focus + count - 1) % count,
        Press::Act(Action::Complete) => match form.fields.get(form.focus) {
            Some(field) if field.completes_paths() && field.pasted.is_none() => {
                fx.push(Effect::CompletePath {
                    partial: field.input.text().to_string(),
                });
            }
            Some(field) if matches!(field.spec.input, Input::Row(_)) && field.pasted.is_none() => {
                let candidates = row_ids(state, field);
                if let Some(field) = form.fields.get_mut(form.focus) {
                    complete_from(field, candidates);
                }
            }
            _ => form.focus = (form.focus + 1) % count,
        },
        Press::Act(step @ (Action::ChoiceNext | Action::ChoicePrev)) => {
            if let Some(field) = form.fields.get_mut(form.focus) {
                field.cycle(if step == Action::ChoiceNext { 1 } else { -1 });
            }
        }
        Press::Act(Action::Submit) if form.pending.is_none() => submit(state, &mut form, fx),
        _ => {
            let Some(field) = form.fields.get_mut(form.focus) else {
                return Some(Modal::Form(form));
            };
            if field.pasted.is_some()
                && matches!(
                    press,
                    Press::Act(Action::DeleteBack | Action::DeleteForward)
                )
            {
                field.pasted = None;
            } else if edit(&mut field.input, press) {
                field.completions.clear();
            }
        }
    }
    if checked {
        form.error = form.problem();
    }
    Some(Modal::Form(form))
}

fn submit(state: &mut State, form: &mut Form, fx: &mut Vec<Effect>) {
    if let Intent::SecondFactor { tenant, .. } = form.intent {
        return super::second_factor::submit(state, form, tenant, fx);
    }
    let op = match form.operation() {
        Ok(op) => op,
        Err(problem) => {
            form.error = Some(problem);
            return;
        }
    };
    form.error = None;
    form.clear_rejections();
    if let (Intent::Renew { warning, .. }, Operation::Update { target, values }) =
        (&form.intent, &op)
    {
        // Nothing is sent yet: the adapter first says what it read.
        let (target, values, warning) = (target.clone(), values.clone(), warning.clone());
        form.pending = Some(super::ops::preview(state, target, warning, values, fx));
        return;
    }
    let tenant = state.active;
    form.pending = Some(perform(state, tenant, vec![op], fx));
}

pub(super) fn on_paste(state: &mut State, text: &str) {
    let first_line = text.lines().next().unwrap_or_default();
    match &mut state.modal {
        Some(Modal::Form(form)) => {
            if let Some(field) = form.fields.get_mut(form.focus) {
                if text.trim().contains('\n') {
                    field.pasted = Some(text.to_string());
                } else {
                    field.input.insert_str(text.trim());
                }
            }
        }
        Some(Modal::Filter(input) | Modal::Command(input)) => input.insert_str(first_line),
        Some(Modal::Picker(p)) => p.input.insert_str(first_line),
        Some(Modal::BulkConfirm(c)) => c.input.insert_str(first_line),
        Some(Modal::Confirm(Confirm {
            typed: Some((_, input)),
            ..
        })) => input.insert_str(first_line),
        _ => {}
    }
}

/// Ids of the cached rows of the pane a row field names, starting with
/// what is typed. An empty id stands for no one row ("all members").
fn row_ids(state: &State, field: &FormField) -> Vec<String> {
    let Input::Row(pane) = field.spec.input else {
        return Vec::new();
    };
    let typed = field.input.text();
    state
        .listing(pane)
        .map(|l| {
            l.items()
                .iter()
                .map(|r| r.id.clone())
                .filter(|id| !id.is_empty() && id.starts_with(typed))
                .collect()
        })
        .unwrap_or_default()
}

fn complete_from(field: &mut FormField, candidates: Vec<String>) {
    if let Some(done) = common_prefix(&candidates) {
        field.input.set(done);
    }
    field.completions = if candidates.len() > 1 {
        candidates
    } else {
        Vec::new()
    };
}

pub(super) fn on_completions(state: &mut State, partial: &str, candidates: Vec<String>) {
    let Some(Modal::Form(form)) = &mut state.modal else {
        return;
    };
    let Some(field) = form.fields.get_mut(form.focus) else {
        return;
    };
    // The user kept typing: this answer is for an older prefix.
    if field.input.text() != partial {
        return;
    }
    complete_from(field, candidates);
}

/// The server's per-field complaints about a form's request reach the
/// form, if it is still the one waiting on that request.
pub(super) fn on_rejected(state: &mut State, tenant: usize, request: u64, fields: &[FieldError]) {
    if tenant != state.active {
        return;
    }
    if let Some(Modal::Form(form)) = &mut state.modal
        && form.pending == Some(request)
    {
        form.reject(fields);
    }
}
