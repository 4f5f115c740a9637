//! Keys while an overlay has the keyboard, pastes and path completions.

use crossterm::event::{KeyCode, KeyEvent};

use super::actions::{close_modal, create_form};
use super::command::{command_completions, picker, run_command};
use super::message::Effect;
use super::modal::{Confirm, Form, FormField, Intent, Modal, Picker};
use super::ops::{inform, perform, switch_tenant};
use super::state::{Level, State};
use crate::keymap::{Action, Layer};
use crate::platform::Operation;

pub(super) fn on_modal_key(state: &mut State, modal: Modal, key: KeyEvent, fx: &mut Vec<Effect>) {
    match modal {
        Modal::Help(scroll) | Modal::Detail(scroll) => {
            let scroll = match key.code {
                KeyCode::Down | KeyCode::Char('j') => scroll.saturating_add(1),
                KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
                KeyCode::PageDown | KeyCode::Char(' ') => scroll.saturating_add(10),
                KeyCode::PageUp => scroll.saturating_sub(10),
                KeyCode::Home | KeyCode::Char('g') => 0,
                _ => return,
            };
            state.modal = Some(match modal {
                Modal::Help(_) => Modal::Help(scroll),
                _ => Modal::Detail(scroll),
            });
        }
        Modal::Filter(mut input) => {
            let focus = state.focus();
            match key.code {
                KeyCode::Enter => {}
                KeyCode::Esc => {
                    if let Some(cursor) = state.cursor_mut(focus) {
                        cursor.filter.clear();
                    }
                }
                _ => {
                    input.handle(&key);
                    if let Some(cursor) = state.cursor_mut(focus) {
                        cursor.filter = input.text().to_string();
                        cursor.selected = 0;
                    }
                    state.modal = Some(Modal::Filter(input));
                }
            }
        }
        Modal::Command(mut input) => match key.code {
            KeyCode::Esc => {}
            KeyCode::Enter => run_command(state, input.text().trim(), fx),
            KeyCode::Tab => {
                let options = command_completions(state, input.text());
                if let Some(done) = common_prefix(&options) {
                    input.set(done);
                }
                state.modal = Some(Modal::Command(input));
            }
            _ => {
                input.handle(&key);
                state.modal = Some(Modal::Command(input));
            }
        },
        Modal::Picker(mut p) => match key.code {
            KeyCode::Esc => {}
            KeyCode::Enter => {
                if let Some(index) = p.matches.get(p.selected).copied() {
                    switch_tenant(state, index, fx);
                }
            }
            KeyCode::Up => {
                p.selected = p.selected.saturating_sub(1);
                state.modal = Some(Modal::Picker(p));
            }
            KeyCode::Down | KeyCode::Tab => {
                p.selected = (p.selected + 1).min(p.matches.len().saturating_sub(1));
                state.modal = Some(Modal::Picker(p));
            }
            _ => {
                p.input.handle(&key);
                let next = picker(state, p.input.text());
                state.modal = Some(Modal::Picker(Picker {
                    input: p.input,
                    ..next
                }));
            }
        },
        Modal::Form(form) => on_form_key(state, form, key, fx),
        Modal::Choose(mut c) => match key.code {
            KeyCode::Esc => {}
            KeyCode::Enter => {
                if let Some(kind) = c.kinds.get(c.selected).copied() {
                    let focus = state.focus();
                    create_form(state, focus, kind);
                }
            }
            KeyCode::Up | KeyCode::Char('k') => {
                c.selected = c.selected.saturating_sub(1);
                state.modal = Some(Modal::Choose(c));
            }
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                c.selected = (c.selected + 1).min(c.kinds.len().saturating_sub(1));
                state.modal = Some(Modal::Choose(c));
            }
            _ => state.modal = Some(Modal::Choose(c)),
        },
        Modal::Confirm(mut c) => {
            let go = match &mut c.typed {
                Some((expected, input)) => match key.code {
                    KeyCode::Enter => input.text() == expected.as_str(),
                    KeyCode::Esc => return,
                    _ => {
                        input.handle(&key);
                        state.modal = Some(Modal::Confirm(c));
                        return;
                    }
                },
                None => match key.code {
                    KeyCode::Enter | KeyCode::Char('y' | 'Y') => true,
                    KeyCode::Esc | KeyCode::Char('n' | 'N' | 'q') => return,
                    _ => {
                        state.modal = Some(Modal::Confirm(c));
                        return;
                    }
                },
            };
            if go {
                perform(state, state.active, c.ops, fx);
            } else {
                state.modal = Some(Modal::Confirm(c));
            }
        }
        Modal::Secret(mut view) => match state.keymap.action(Layer::Secret, &key) {
            Some(Action::Reveal) => {
                view.revealed = !view.revealed;
                state.modal = Some(Modal::Secret(view));
            }
            Some(Action::CopySecret) => {
                fx.push(Effect::Copy {
                    what: view.issued.label.clone(),
                    text: view.issued.secret.clone(),
                });
                state.modal = Some(Modal::Secret(view));
            }
            Some(Action::Stored) => {
                let tenant = view.tenant;
                if let Some(follow) = view.follow_up.take() {
                    perform(state, tenant, vec![follow.op], fx);
                }
                close_modal(state);
            }
            Some(Action::Close) => {
                if let Some(follow) = &view.follow_up {
                    let note = follow.abort_note.clone();
                    if let Some(book) = state.books.get_mut(view.tenant) {
                        book.warning = Some(note.clone());
                    }
                    inform(state, Level::Error, note);
                }
                close_modal(state);
            }
            _ => state.modal = Some(Modal::Secret(view)),
        },
    }
}

fn on_form_key(state: &mut State, mut form: Form, key: KeyEvent, fx: &mut Vec<Effect>) {
    let count = form.fields.len();
    match key.code {
        KeyCode::Esc => return,
        KeyCode::Down => form.focus = (form.focus + 1) % count.max(1),
        KeyCode::Up | KeyCode::BackTab => {
            form.focus = (form.focus + count.max(1) - 1) % count.max(1)
        }
        KeyCode::Tab => match form.fields.get(form.focus) {
            Some(field) if field.completes_paths() && field.pasted.is_none() => {
                fx.push(Effect::CompletePath {
                    partial: field.input.text().to_string(),
                });
            }
            _ => form.focus = (form.focus + 1) % count.max(1),
        },
        KeyCode::Left | KeyCode::Right
            if form
                .fields
                .get(form.focus)
                .is_some_and(|f| f.choices().is_some()) =>
        {
            if let Some(field) = form.fields.get_mut(form.focus) {
                field.cycle(if key.code == KeyCode::Right { 1 } else { -1 });
            }
        }
        KeyCode::Enter if form.pending.is_none() => {
            if let Some(problem) = form.fields.iter().find_map(FormField::problem) {
                form.error = Some(problem);
            } else {
                let values = form
                    .fields
                    .iter()
                    .map(|f| (f.spec.key.to_string(), f.value()))
                    .collect();
                let op = match form.intent.clone() {
                    Intent::Create { kind, parent } => Operation::Create {
                        kind,
                        parent,
                        values,
                    },
                    Intent::Update { target } => Operation::Update { target, values },
                };
                form.error = None;
                form.pending = Some(perform(state, state.active, vec![op], fx));
            }
        }
        _ => {
            if let Some(field) = form.fields.get_mut(form.focus) {
                if field.pasted.is_some()
                    && matches!(key.code, KeyCode::Backspace | KeyCode::Delete)
                {
                    field.pasted = None;
                } else {
                    field.input.handle(&key);
                    field.completions.clear();
                }
            }
        }
    }
    state.modal = Some(Modal::Form(form));
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
        Some(Modal::Filter(input)) | Some(Modal::Command(input)) => input.insert_str(first_line),
        Some(Modal::Picker(p)) => p.input.insert_str(first_line),
        Some(Modal::Confirm(Confirm {
            typed: Some((_, input)),
            ..
        })) => input.insert_str(first_line),
        _ => {}
    }
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
    if let Some(done) = common_prefix(&candidates) {
        field.input.set(done);
    }
    field.completions = if candidates.len() > 1 {
        candidates
    } else {
        Vec::new()
    };
}

fn common_prefix(options: &[String]) -> Option<String> {
    let first = options.first()?;
    let mut len = first.len();
    for other in &options[1..] {
        len = first
            .char_indices()
            .zip(other.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, c), _)| i + c.len_utf8())
            .min(len);
    }
    Some(first[..len].to_string())
}
