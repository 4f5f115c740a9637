//! The pure state machine: a message in, state changed, effects out.
//! Nothing here waits or touches the network, the disk or the terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::filter::Sort;
use super::input::LineInput;
use super::message::{Effect, ListKey, Message};
use super::modal::{Choose, Confirm, Form, FormField, Intent, Modal, Picker, SecretView};
use super::state::{Level, Notice, State};
use crate::keymap::{Action, Layer};
use crate::model::{Kind, Pane, Resource, Secret};
use crate::platform::{KindSpec, Operation, Outcome, PaneSpec, Rotation, Source, Target};

const PAGE: usize = 10;

/// Loads what the opening screen shows.
pub fn start(state: &mut State) -> Vec<Effect> {
    let mut fx = Vec::new();
    state.sync();
    load_missing(state, &mut fx);
    fx
}

pub fn update(state: &mut State, msg: Message) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Message::Key(key) => on_key(state, key, &mut fx),
        Message::Paste(text) => on_paste(state, &text),
        Message::Resize => {}
        Message::Tick => state.spinner = state.spinner.wrapping_add(1),
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
            // Latest wins: an answer to a superseded request is dropped.
            if listing.pending != Some(request) {
                return fx;
            }
            listing.pending = None;
            listing.progress = None;
            match result {
                Ok(items) => {
                    listing.items = items;
                    listing.generation += 1;
                    listing.loaded_at = Some(at);
                    listing.error = None;
                }
                // The cached rows stay: an error must not blank the pane.
                Err(err) => {
                    listing.error = Some(err.clone());
                    book.last_error = Some(err);
                }
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
        } => on_performed(state, tenant, request, *result, saved, &mut fx),
        Message::Completions {
            partial,
            candidates,
        } => on_completions(state, &partial, candidates),
        Message::Copied(result) => {
            state.notice = Some(match result {
                Ok(what) => notice(Level::Success, format!("copied {what} to the clipboard")),
                Err(err) => notice(Level::Error, format!("copy failed: {err}")),
            })
        }
    }
    state.sync();
    load_missing(state, &mut fx);
    fx
}

fn notice(level: Level, text: impl Into<String>) -> Notice {
    Notice {
        level,
        text: text.into(),
    }
}

fn inform(state: &mut State, level: Level, text: impl Into<String>) {
    state.notice = Some(notice(level, text));
}

/// Requests every list on screen that has never been asked for.
fn load_missing(state: &mut State, fx: &mut Vec<Effect>) {
    for pane in Pane::ALL {
        if let Some(key) = state.list_key(pane) {
            let known = state.book().is_some_and(|b| b.lists.contains_key(&key));
            if !known {
                request_list(state, state.active, key, fx);
            }
        }
    }
}

fn request_list(state: &mut State, tenant: usize, key: ListKey, fx: &mut Vec<Effect>) {
    let request = state.next_request;
    state.next_request += 1;
    if let Some(book) = state.books.get_mut(tenant) {
        let listing = book.lists.entry(key.clone()).or_default();
        listing.pending = Some(request);
        listing.progress = None;
    }
    fx.push(Effect::List {
        tenant,
        key,
        request,
    });
}

/// Refreshes what the active tenant shows, in the background.
fn refresh_visible(state: &mut State, fx: &mut Vec<Effect>) {
    state.sync();
    for pane in Pane::ALL {
        if let Some(key) = state.list_key(pane) {
            request_list(state, state.active, key, fx);
        }
    }
}

fn switch_tenant(state: &mut State, index: usize, fx: &mut Vec<Effect>) {
    if index >= state.tenants.len() {
        inform(state, Level::Error, format!("no tenant {}", index + 1));
        return;
    }
    state.active = index;
    refresh_visible(state, fx);
}

fn on_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        state.quit = true;
        fx.push(Effect::Quit);
        return;
    }
    if let Some(modal) = state.modal.take() {
        on_modal_key(state, modal, key, fx);
        return;
    }
    let Some(action) = state.keymap.action(Layer::Normal, &key) else {
        return;
    };
    state.notice = None;
    if let Some(slot) = action.tenant_slot() {
        switch_tenant(state, slot, fx);
        return;
    }
    let focus = state.focus();
    match action {
        Action::Quit => {
            state.quit = true;
            fx.push(Effect::Quit);
        }
        Action::Help => state.modal = Some(Modal::Help),
        Action::Up => move_by(state, focus, -1),
        Action::Down => move_by(state, focus, 1),
        Action::PageUp => move_by(state, focus, -(PAGE as isize)),
        Action::PageDown => move_by(state, focus, PAGE as isize),
        Action::Top => move_by(state, focus, isize::MIN / 2),
        Action::Bottom => move_by(state, focus, isize::MAX / 2),
        Action::NextPane => set_focus(state, next_pane(focus, 1)),
        Action::PrevPane => set_focus(state, next_pane(focus, -1)),
        Action::DrillDown => drill_down(state, focus),
        Action::Back => back(state, focus),
        Action::Filter => {
            let current = state
                .cursor(focus)
                .map(|c| c.filter().to_string())
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
        Action::Rotate => confirm_rotate(state, focus),
        Action::ToggleActive => toggle_active(state, focus, fx),
        Action::Sort => {
            if let Some(cursor) = state.cursor_mut(focus) {
                cursor.sort = cursor.sort.next();
                let label = cursor.sort.label();
                inform(state, Level::Info, format!("sorted by {label}"));
            }
        }
        Action::CopyId => {
            if let Some(res) = state.selected(focus) {
                fx.push(Effect::Copy {
                    what: format!("{} id", res.kind.label()),
                    text: Secret::new(res.id.clone()),
                });
            }
        }
        Action::Tenants => state.modal = Some(Modal::Picker(picker(state, ""))),
        _ => {}
    }
}

fn next_pane(pane: Pane, step: isize) -> Pane {
    let i = (pane.index() as isize + step).rem_euclid(3) as usize;
    Pane::ALL[i]
}

fn set_focus(state: &mut State, pane: Pane) {
    if let Some(book) = state.books.get_mut(state.active) {
        book.focus = Some(pane);
    }
}

fn move_by(state: &mut State, pane: Pane, delta: isize) {
    if let Some(cursor) = state.cursor_mut(pane) {
        let len = cursor.visible.len();
        if len == 0 {
            return;
        }
        let target = (cursor.selected as isize).saturating_add(delta);
        cursor.selected = target.clamp(0, len as isize - 1) as usize;
    }
}

/// Enter moves to the pane this one scopes, else opens the full detail.
fn drill_down(state: &mut State, focus: Pane) {
    if state.selected(focus).is_none() {
        return;
    }
    let child = Pane::ALL
        .into_iter()
        .filter(|p| p.index() > focus.index())
        .find(|p| {
            state
                .layout(*p)
                .is_some_and(|(_, scope)| scope == Some(focus))
        });
    match child {
        Some(child) => set_focus(state, child),
        None => state.modal = Some(Modal::Detail),
    }
}

fn back(state: &mut State, focus: Pane) {
    let view_open = state.book().is_some_and(|b| b.view.is_some());
    if focus == Pane::Certificates && view_open {
        if let Some(book) = state.books.get_mut(state.active) {
            book.view = None;
        }
        return;
    }
    if let Some(cursor) = state.cursor_mut(focus)
        && !cursor.filter.is_empty()
    {
        cursor.filter.clear();
        return;
    }
    if focus != Pane::Projects {
        set_focus(state, next_pane(focus, -1));
    }
}

fn writable(state: &mut State) -> bool {
    match state.tenant() {
        Some(t) if t.read_only() => {
            let name = t.name().to_string();
            inform(
                state,
                Level::Error,
                format!("{name} is read-only [RO]: nothing was changed"),
            );
            false
        }
        Some(_) => true,
        None => false,
    }
}

fn kind_spec(state: &State, res: &Resource) -> Option<KindSpec> {
    state.tenant()?.caps().kind(res.kind).cloned()
}

fn target_of(state: &State, pane: Pane) -> Option<(Target, KindSpec)> {
    let res = state.selected(pane)?;
    let spec = kind_spec(state, res)?;
    let parent = state.list_key(pane).and_then(|k| k.parent);
    Some((
        Target {
            kind: res.kind,
            id: res.id.clone(),
            name: res.name.clone(),
            parent,
        },
        spec,
    ))
}

fn explain_unsupported(state: &mut State, pane: Pane, what: &str) {
    let text = match state.unsupported_reason(pane) {
        Some(reason) => format!("{}: {reason}", pane.title()),
        None => format!("nothing to {what} here"),
    };
    inform(state, Level::Info, text);
}

fn new_form(state: &mut State, pane: Pane) {
    if !writable(state) {
        return;
    }
    let kinds = match state.source(pane) {
        Source::Pane(p) => state
            .tenant()
            .map(|t| t.caps().creates[p.index()].clone())
            .unwrap_or_default(),
        Source::View(_) => Vec::new(),
    };
    match kinds.as_slice() {
        [] => explain_unsupported(state, pane, "create"),
        [kind] => create_form(state, pane, *kind),
        _ => state.modal = Some(Modal::Choose(Choose { kinds, selected: 0 })),
    }
}

fn create_form(state: &mut State, pane: Pane, kind: Kind) {
    let Some(fields) = state
        .tenant()
        .and_then(|t| t.caps().kind(kind)?.create.clone())
    else {
        return explain_unsupported(state, pane, "create");
    };
    let parent = state.list_key(pane).and_then(|k| k.parent);
    if state.layout(pane).is_some_and(|(_, scope)| scope.is_some()) && parent.is_none() {
        return inform(state, Level::Info, "select the parent first");
    }
    state.modal = Some(Modal::Form(Form {
        title: format!("New {}", kind.label()),
        fields: fields.into_iter().map(|f| FormField::new(f, "")).collect(),
        focus: 0,
        intent: Intent::Create { kind, parent },
        error: None,
        pending: None,
    }));
}

fn edit_form(state: &mut State, pane: Pane) {
    if !writable(state) {
        return;
    }
    let Some((target, spec)) = target_of(state, pane) else {
        return explain_unsupported(state, pane, "edit");
    };
    let Some(fields) = spec.edit else {
        return inform(
            state,
            Level::Info,
            format!("a {} cannot be edited", target.kind.label()),
        );
    };
    let Some(res) = state.selected(pane) else {
        return;
    };
    let fields = fields
        .into_iter()
        .map(|f| {
            let initial = res.detail(f.key).unwrap_or_default().to_string();
            FormField::new(f, &initial)
        })
        .collect();
    state.modal = Some(Modal::Form(Form {
        title: format!("Edit {} \"{}\"", target.kind.label(), target.name),
        fields,
        focus: 0,
        intent: Intent::Update { target },
        error: None,
        pending: None,
    }));
}

fn confirm(state: &mut State, title: String, lines: Vec<String>, ops: Vec<Operation>, name: &str) {
    let typed = state
        .tenant()
        .is_some_and(|t| t.protected())
        .then(|| (name.to_string(), LineInput::default()));
    state.modal = Some(Modal::Confirm(Confirm {
        title,
        lines,
        ops,
        typed,
    }));
}

fn tenant_name(state: &State) -> String {
    state
        .tenant()
        .map(|t| t.name().to_string())
        .unwrap_or_default()
}

fn confirm_delete(state: &mut State, pane: Pane) {
    if !writable(state) {
        return;
    }
    let Some((target, spec)) = target_of(state, pane) else {
        return explain_unsupported(state, pane, "delete");
    };
    if !spec.delete {
        return inform(
            state,
            Level::Info,
            format!("a {} cannot be deleted here", target.kind.label()),
        );
    }
    let active = state.selected(pane).is_some_and(Resource::is_active);
    let tenant = tenant_name(state);
    let title = format!("Delete {} \"{}\"?", target.kind.label(), target.name);
    let mut lines = vec![
        format!("id {} on {tenant}", target.id),
        "This cannot be undone.".into(),
    ];
    let name = target.name.clone();
    let ops = match spec.delete_needs_inactive {
        Some(reason) if active => {
            let close = spec.toggle.map_or("Deactivate", |(_, off)| off);
            lines.insert(0, reason.to_string());
            lines.insert(1, format!("{close} it first, then delete?"));
            vec![
                Operation::SetActive {
                    target: target.clone(),
                    active: false,
                },
                Operation::Delete { target },
            ]
        }
        _ => vec![Operation::Delete { target }],
    };
    confirm(state, title, lines, ops, &name);
}

fn confirm_rotate(state: &mut State, pane: Pane) {
    if !writable(state) {
        return;
    }
    let Some((target, spec)) = target_of(state, pane) else {
        return explain_unsupported(state, pane, "rotate");
    };
    let warning = match spec.rotate {
        Rotation::Unsupported(reason) => {
            return inform(state, Level::Info, format!("cannot rotate: {reason}"));
        }
        Rotation::Immediate { warning } | Rotation::TwoPhase { warning } => warning,
    };
    let tenant = tenant_name(state);
    let title = format!(
        "Rotate the secret of {} \"{}\"?",
        target.kind.label(),
        target.name
    );
    let lines = vec![format!("id {} on {tenant}", target.id), warning.to_string()];
    let name = target.name.clone();
    confirm(
        state,
        title,
        lines,
        vec![Operation::Rotate {
            target,
            previous: None,
        }],
        &name,
    );
}

fn toggle_active(state: &mut State, pane: Pane, fx: &mut Vec<Effect>) {
    if !writable(state) {
        return;
    }
    let Some((target, spec)) = target_of(state, pane) else {
        return explain_unsupported(state, pane, "toggle");
    };
    if spec.toggle.is_none() {
        return inform(
            state,
            Level::Info,
            format!("a {} has no status to toggle", target.kind.label()),
        );
    }
    let active = !state.selected(pane).is_some_and(Resource::is_active);
    perform(state, vec![Operation::SetActive { target, active }], fx);
}

fn perform(state: &mut State, ops: Vec<Operation>, fx: &mut Vec<Effect>) -> u64 {
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
    state
        .operations
        .insert(request, (state.active, label.clone()));
    if let Some(book) = state.books.get_mut(state.active) {
        book.performing += 1;
    }
    inform(state, Level::Info, format!("{label}…"));
    fx.push(Effect::Perform {
        tenant: state.active,
        request,
        ops,
    });
    request
}

fn on_performed(
    state: &mut State,
    tenant: usize,
    request: u64,
    result: Result<Outcome, String>,
    saved: Option<Result<std::path::PathBuf, String>>,
    fx: &mut Vec<Effect>,
) {
    let label = state
        .operations
        .remove(&request)
        .map(|(_, label)| label)
        .unwrap_or_else(|| "operation".into());
    if let Some(book) = state.books.get_mut(tenant) {
        book.performing = book.performing.saturating_sub(1);
    }
    // A form waiting on this request closes on success and keeps the
    // user's input on failure.
    if let Some(Modal::Form(form)) = &mut state.modal
        && form.pending == Some(request)
    {
        match &result {
            Ok(_) => state.modal = None,
            Err(err) => {
                form.pending = None;
                form.error = Some(err.clone());
            }
        }
    }
    match result {
        Ok(outcome) => {
            if let Some(book) = state.books.get_mut(tenant) {
                book.last_error = None;
                book.warning = None;
            }
            let failed = outcome.checks.iter().filter(|c| !c.passed).count();
            let level = if failed > 0 {
                Level::Error
            } else {
                Level::Success
            };
            let mut text = outcome.summary.clone();
            if failed > 0 {
                text.push_str(&format!(" ({failed} check(s) failed)"));
            }
            inform(state, level, text);
            if let Some(issued) = outcome.secret {
                let view = SecretView {
                    tenant,
                    summary: outcome.summary,
                    issued,
                    revealed: false,
                    checks: outcome.checks,
                    follow_up: outcome.follow_up,
                    saved,
                };
                show_secret(state, view);
            }
            if tenant == state.active {
                refresh_visible(state, fx);
            }
        }
        Err(err) => {
            let text = format!("{label} failed: {err}");
            if let Some(book) = state.books.get_mut(tenant) {
                book.last_error = Some(text.clone());
            }
            inform(state, Level::Error, text);
            if tenant == state.active {
                refresh_visible(state, fx);
            }
        }
    }
}

fn show_secret(state: &mut State, view: SecretView) {
    match &state.modal {
        Some(Modal::Secret(_)) => state.queued_secrets.push_back(view),
        _ => state.modal = Some(Modal::Secret(Box::new(view))),
    }
}

fn close_modal(state: &mut State) {
    state.modal = state
        .queued_secrets
        .pop_front()
        .map(|v| Modal::Secret(Box::new(v)));
}

fn on_modal_key(state: &mut State, modal: Modal, key: KeyEvent, fx: &mut Vec<Effect>) {
    match modal {
        Modal::Help | Modal::Detail => {
            if !matches!(
                key.code,
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?')
            ) {
                state.modal = Some(modal);
            }
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
                perform(state, c.ops, fx);
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
                    let active = state.active;
                    state.active = tenant;
                    perform(state, vec![follow.op], fx);
                    state.active = active;
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
                form.pending = Some(perform(state, vec![op], fx));
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

fn on_paste(state: &mut State, text: &str) {
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

fn on_completions(state: &mut State, partial: &str, candidates: Vec<String>) {
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

fn picker(state: &State, query: &str) -> Picker {
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(usize, u32)> = state
        .tenants
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let hay = format!("{} {}", t.name(), t.platform());
            pattern
                .score(Utf32Str::new(&hay, &mut buf), &mut matcher)
                .map(|s| (i, s))
        })
        .collect();
    if !query.is_empty() {
        scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    Picker {
        input: LineInput::new(query),
        matches: scored.into_iter().map(|(i, _)| i).collect(),
        selected: 0,
    }
}

const COMMANDS: &[&str] = &[
    "quit",
    "help",
    "refresh",
    "close",
    "sort name",
    "sort expiry",
    "sort listed",
];

fn command_completions(state: &State, typed: &str) -> Vec<String> {
    let views = state
        .tenant()
        .map(|t| {
            t.caps()
                .views
                .iter()
                .map(|v| v.name.to_string())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let tenants = state.tenants.iter().map(|t| format!("tenant {}", t.name()));
    COMMANDS
        .iter()
        .map(|c| c.to_string())
        .chain(views)
        .chain(tenants)
        .filter(|c| c.starts_with(typed))
        .collect()
}

fn run_command(state: &mut State, line: &str, fx: &mut Vec<Effect>) {
    let (word, rest) = line
        .split_once(' ')
        .map_or((line, ""), |(w, r)| (w, r.trim()));
    match word {
        "" => {}
        "q" | "quit" => {
            state.quit = true;
            fx.push(Effect::Quit);
        }
        "help" => state.modal = Some(Modal::Help),
        "refresh" => refresh_visible(state, fx),
        "close" => {
            if let Some(book) = state.books.get_mut(state.active) {
                book.view = None;
            }
        }
        "sort" => match Sort::parse(rest) {
            Some(sort) => {
                let focus = state.focus();
                if let Some(cursor) = state.cursor_mut(focus) {
                    cursor.sort = sort;
                }
            }
            None => inform(state, Level::Error, "sort takes name, expiry or listed"),
        },
        "tenant" => match state.tenants.iter().position(|t| t.name() == rest) {
            Some(i) => switch_tenant(state, i, fx),
            None => inform(state, Level::Error, format!("no tenant named \"{rest}\"")),
        },
        name => {
            let view = state
                .tenant()
                .and_then(|t| t.caps().view(name))
                .map(|v| v.name);
            match view {
                Some(view) => {
                    if let Some(book) = state.books.get_mut(state.active) {
                        book.view = Some((view, Default::default()));
                        book.focus = Some(Pane::Certificates);
                    }
                }
                None => inform(state, Level::Error, format!("unknown command \":{line}\"")),
            }
        }
    }
}

/// True when the pane exists on this platform (used by the UI for dimming).
pub fn pane_supported(state: &State, pane: Pane) -> bool {
    !matches!(
        state.tenant().map(|t| t.caps().pane(pane)),
        Some(PaneSpec::Unsupported(_)) | None
    ) || matches!(state.source(pane), Source::View(_))
}
