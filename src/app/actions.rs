//! Changes the user asks for: forms, confirms, and what their results do.
use std::fmt::Write as _;

use super::input::LineInput;
use super::message::Effect;
use super::modal::{Choose, Confirm, Form, FormField, Intent, Modal, Offer, SecretView};
use super::ops::{inform, perform, refresh_visible};
use super::state::{Level, Listing, State, TenantInfo};
use crate::model::{Change, Kind, Pane, Resource};
use crate::platform::{Input, KindSpec, Operation, Outcome, Rotation, Source, Target};

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

/// True, after saying why, when the tenant's credential may not make
/// `change` to the selection of `pane`.
fn refused(state: &mut State, pane: Pane, change: Change) -> bool {
    let Some(reason) = state
        .selected(pane)
        .and_then(|r| r.refusal(change))
        .map(str::to_string)
    else {
        return false;
    };
    inform(state, Level::Error, format!("not allowed: {reason}"));
    true
}

/// The same for creating in `pane`, which its scope's selection decides.
fn create_refused(state: &mut State, pane: Pane) -> bool {
    match state.layout(pane).and_then(|(_, scope)| scope) {
        Some(scope) => refused(state, scope, Change::CreateUnder),
        None => false,
    }
}

fn explain_unsupported(state: &mut State, pane: Pane, what: &str) {
    let text = match state.unsupported_reason(pane) {
        Some(reason) => format!("{}: {reason}", state.title(pane)),
        None => format!("nothing to {what} here"),
    };
    inform(state, Level::Info, text);
}

pub(super) fn new_form(state: &mut State, pane: Pane) {
    if !writable(state) || create_refused(state, pane) {
        return;
    }
    let kinds = match state.source(pane) {
        Source::Pane(p) => state
            .tenant()
            .map(|t| t.caps().pane(p).creates().to_vec())
            .unwrap_or_default(),
        Source::View(_) => Vec::new(),
    };
    match kinds.as_slice() {
        [] => explain_unsupported(state, pane, "create"),
        [kind] => create_form(state, pane, *kind),
        _ => state.modal = Some(Modal::Choose(Choose { kinds, selected: 0 })),
    }
}

pub(super) fn create_form(state: &mut State, pane: Pane, kind: Kind) {
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

pub(super) fn edit_form(state: &mut State, pane: Pane) {
    if !writable(state) || refused(state, pane, Change::Edit) {
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

fn confirm(
    state: &mut State,
    title: String,
    lines: Vec<String>,
    ops: Vec<Operation>,
    target: &Target,
    always_typed: bool,
) {
    let typed_is_id = target.name.trim().is_empty();
    let expected = confirmation_text(&target.name, &target.id).to_string();
    let protected = state.tenant().is_some_and(TenantInfo::protected);
    let typed = needs_typed_name(protected, always_typed).then(|| (expected, LineInput::default()));
    state.modal = Some(Modal::Confirm(Confirm {
        title,
        lines,
        ops,
        typed,
        typed_is_id,
        error: None,
    }));
}

fn tenant_name(state: &State) -> String {
    state
        .tenant()
        .map(|t| t.name().to_string())
        .unwrap_or_default()
}

pub(super) fn confirm_delete(state: &mut State, pane: Pane) {
    if !writable(state) || refused(state, pane, Change::Delete) {
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
    let mut lines = vec![format!("id {} on {tenant}", target.id)];
    lines.extend(spec.delete_warning.map(str::to_string));
    lines.push("This cannot be undone.".into());
    let typed_target = target.clone();
    if let (Some(reason), true) = (spec.delete_needs_inactive, active) {
        let close = spec.toggle.map_or("Deactivate", |(_, off)| off);
        lines.insert(0, reason.to_string());
        lines.insert(1, format!("{close} it first, then delete?"));
    }
    let ops = delete_ops(target, &spec, active);
    confirm(state, title, lines, ops, &typed_target, spec.delete_typed);
}

/// What deleting `target` takes: on a platform that deletes only
/// inactive resources, an active one is deactivated first. The console
/// and the command line both delete through this.
pub fn delete_ops(target: Target, spec: &KindSpec, active: bool) -> Vec<Operation> {
    match spec.delete_needs_inactive {
        Some(_) if active => vec![
            Operation::SetActive {
                target: target.clone(),
                active: false,
            },
            Operation::Delete { target },
        ],
        _ => vec![Operation::Delete { target }],
    }
}

/// Whether a destructive change needs the resource's name typed: on a
/// protected tenant, or where the platform's delete always asks.
pub const fn needs_typed_name(protected: bool, always_typed: bool) -> bool {
    protected || always_typed
}

/// What must be typed to confirm: the name, or the id of a nameless
/// resource, since an empty expected text would let a bare Enter through.
pub fn confirmation_text<'a>(name: &'a str, id: &'a str) -> &'a str {
    if name.trim().is_empty() { id } else { name }
}

pub(super) fn confirm_rotate(state: &mut State, pane: Pane) {
    if !writable(state) || refused(state, pane, Change::Rotate) {
        return;
    }
    let Some((target, spec)) = target_of(state, pane) else {
        return explain_unsupported(state, pane, "rotate");
    };
    let warning = match spec.rotate {
        Rotation::Unsupported(reason) => {
            return inform(state, Level::Info, format!("cannot rotate: {reason}"));
        }
        Rotation::TwoPhase { .. } if offer_to_finish(state, pane, &target) => return,
        Rotation::Immediate { warning } | Rotation::TwoPhase { warning } => warning,
        Rotation::Renew { fields, warning } => {
            let title = match spec.rotate_title {
                Some(words) => format!("{words} (\"{}\")", target.name),
                None => format!("Renew {} \"{}\"", target.kind.label(), target.name),
            };
            state.modal = Some(Modal::Form(Form {
                title,
                fields: fields.into_iter().map(|f| FormField::new(f, "")).collect(),
                focus: 0,
                intent: Intent::Renew {
                    target,
                    warning: warning.to_string(),
                },
                error: None,
                pending: None,
            }));
            return;
        }
    };
    let tenant = tenant_name(state);
    let title = match spec.rotate_title {
        Some(words) => format!("{words} (\"{}\")?", target.name),
        None => format!(
            "Rotate the secret of {} \"{}\"?",
            target.kind.label(),
            target.name
        ),
    };
    let lines = vec![format!("id {} on {tenant}", target.id), warning.to_string()];
    let typed_target = target.clone();
    confirm(
        state,
        title,
        lines,
        vec![Operation::Rotate {
            target,
            previous: None,
        }],
        &typed_target,
        false,
    );
}

/// The adapter has read a renewal's new material: its lines open the
/// confirmation, or its error goes back to the form, which keeps the input.
pub(super) fn on_previewed(
    state: &mut State,
    tenant: usize,
    request: u64,
    op: Operation,
    result: Result<Vec<String>, String>,
) {
    let Some(warning) = state.previews.remove(&request) else {
        return;
    };
    // The form was closed meanwhile, or the tenant switched: nothing to confirm.
    let waiting = matches!(&state.modal, Some(Modal::Form(f)) if f.pending == Some(request));
    if !waiting || tenant != state.active {
        return;
    }
    let lines = match result {
        Ok(lines) => lines,
        Err(err) => {
            if let Some(Modal::Form(form)) = &mut state.modal {
                form.pending = None;
                form.error = Some(err);
            }
            return;
        }
    };
    let Some(target) = op.target().cloned() else {
        return;
    };
    let title = format!("Renew {} \"{}\"?", target.kind.label(), target.name);
    let mut all = vec![format!("id {} on {}", target.id, tenant_name(state))];
    all.extend(lines);
    all.push(warning);
    state.notice = None;
    confirm(state, title, all, vec![op], &target, false);
}

/// The short tail of an id that tells two same-named resources apart.
pub fn short_id(id: &str) -> &str {
    let start = id.char_indices().rev().nth(5).map_or(0, |(i, _)| i);
    &id[start..]
}

/// A two-phase rotation stopped half way leaves two active credentials:
/// the old one and a successor whose `replaces` detail names it. Rotating
/// either again would make a third; finishing means retiring the old one.
/// Returns whether the finish was offered.
fn offer_to_finish(state: &mut State, pane: Pane, target: &Target) -> bool {
    let Some(items) = state.listing(pane).map(Listing::items) else {
        return false;
    };
    let live = |id: &str| items.iter().find(|r| r.id == id && r.is_active());
    let successor = items
        .iter()
        .find(|r| r.is_active() && r.detail("replaces") == Some(target.id.as_str()));
    let (old, new) = match successor {
        Some(new) if live(&target.id).is_some() => (live(&target.id), new),
        _ => {
            let Some(old_id) = live(&target.id).and_then(|r| r.detail("replaces")) else {
                return false;
            };
            match (live(old_id), live(&target.id)) {
                (Some(old), Some(new)) => (Some(old), new),
                _ => return false,
            }
        }
    };
    let Some(old) = old else {
        return false;
    };
    let old_target = Target {
        kind: old.kind,
        id: old.id.clone(),
        name: old.name.clone(),
        parent: target.parent.clone(),
    };
    let title = format!(
        "Finish the rotation of {} \"{}\"?",
        old.kind.label(),
        old.name
    );
    let lines = vec![
        format!(
            "A replacement (\"{}\" …{}) was issued earlier and both are active.",
            new.name,
            short_id(&new.id)
        ),
        format!(
            "Going ahead deactivates the old one (…{}); the replacement stays. No new secret is made.",
            short_id(&old.id)
        ),
    ];
    let typed_target = old_target.clone();
    confirm(
        state,
        title,
        lines,
        vec![Operation::SetActive {
            target: old_target,
            active: false,
        }],
        &typed_target,
        false,
    );
    true
}

/// Reads the selection's secret from the platform, when its kind keeps
/// one to show again. False when the kind has none.
pub(super) fn reveal(state: &mut State, pane: Pane, fx: &mut Vec<Effect>) -> bool {
    match target_of(state, pane) {
        Some((target, spec)) if spec.reveal => {
            perform(state, state.active, vec![Operation::Reveal { target }], fx);
            true
        }
        _ => false,
    }
}

pub(super) fn toggle_active(state: &mut State, pane: Pane, fx: &mut Vec<Effect>) {
    if !writable(state) || refused(state, pane, Change::Toggle) {
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
    // Deactivating disconnects whatever uses the resource: on a protected
    // tenant it is confirmed by typing, like a delete.
    if !active && state.tenant().is_some_and(TenantInfo::protected) {
        let off = spec.toggle.map_or("Deactivate", |(_, off)| off);
        let title = format!("{off} {} \"{}\"?", target.kind.label(), target.name);
        let lines = vec![
            format!("id {} on {}", target.id, tenant_name(state)),
            "Whatever uses it stops working until it is turned back on.".to_string(),
        ];
        let typed_target = target.clone();
        return confirm(
            state,
            title,
            lines,
            vec![Operation::SetActive { target, active }],
            &typed_target,
            true,
        );
    }
    perform(
        state,
        state.active,
        vec![Operation::SetActive { target, active }],
        fx,
    );
}

pub(super) fn on_performed(
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
        .map_or_else(|| "operation".into(), |(_, label)| label);
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
                let _ = write!(text, " ({failed} check(s) failed)");
            }
            inform(state, level, text);
            let created = outcome.created.clone();
            if let Some(issued) = outcome.secret {
                let view = SecretView {
                    tenant,
                    summary: outcome.summary,
                    issued,
                    revealed: false,
                    checks: outcome.checks,
                    follow_up: outcome.follow_up,
                    saved,
                    rereadable: outcome.rereadable,
                };
                show_secret(state, view);
            }
            if tenant == state.active {
                refresh_visible(state, fx);
                // After the refresh is asked for, so the wish lasts until
                // those answers are in.
                if let Some(id) = created {
                    state.reveal(id);
                }
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

/// Offers again every secret an earlier session left pending.
pub(super) fn on_pending(
    state: &mut State,
    found: Result<Vec<super::message::PendingSecret>, String>,
) {
    match found {
        Ok(pending) => {
            let count = pending.len();
            for p in pending {
                show_secret(
                    state,
                    SecretView {
                        tenant: p.tenant,
                        summary: p.summary,
                        issued: p.issued,
                        revealed: false,
                        checks: Vec::new(),
                        follow_up: None,
                        saved: Some(Ok(p.path)),
                        rereadable: false,
                    },
                );
            }
            if count > 0 {
                inform(
                    state,
                    Level::Info,
                    format!("{count} secret(s) from an earlier session are not confirmed stored"),
                );
            }
        }
        Err(err) => inform(
            state,
            Level::Error,
            format!("cannot read the pending secrets: {err}"),
        ),
    }
}

fn show_secret(state: &mut State, view: SecretView) {
    match &state.modal {
        Some(Modal::Secret(_)) => state.queued_secrets.push_back(view),
        _ => state.modal = Some(Modal::Secret(Box::new(view))),
    }
}

pub(super) fn close_modal(state: &mut State) {
    state.modal = state
        .queued_secrets
        .pop_front()
        .map(|v| Modal::Secret(Box::new(v)));
}

/// Asks the adapter for the choices of each offered field of the open
/// form that has not asked yet: once per form, as `load_missing` does for lists.
pub(super) fn request_offers(state: &mut State, fx: &mut Vec<Effect>) {
    let tenant = state.active;
    let Some(Modal::Form(form)) = &mut state.modal else {
        return;
    };
    let (kind, parent) = match &form.intent {
        Intent::Create { kind, parent } => (*kind, parent.clone()),
        Intent::Update { target } | Intent::Renew { target, .. } => {
            (target.kind, target.parent.clone())
        }
        // A code prompt offers no choices.
        Intent::SecondFactor { .. } => return,
    };
    for field in &mut form.fields {
        if field.spec.input == Input::Offered && field.offer == Offer::Unasked {
            field.offer = Offer::Reading;
            fx.push(Effect::Offer {
                tenant,
                kind,
                field: field.spec.key,
                parent: parent.clone(),
            });
        }
    }
}

/// The choices read for an offered field of the open form. The first
/// is put in an empty field, so Enter alone takes it.
pub(super) fn on_offered(
    state: &mut State,
    tenant: usize,
    key: &str,
    result: Result<Vec<String>, String>,
) {
    if tenant != state.active {
        return;
    }
    let Some(Modal::Form(form)) = &mut state.modal else {
        return;
    };
    let Some(field) = form
        .fields
        .iter_mut()
        .find(|f| f.spec.key == key && f.offer == Offer::Reading)
    else {
        return;
    };
    field.offer = match result {
        Ok(options) => {
            if let Some(first) = options.first().filter(|_| field.input.text().is_empty()) {
                field.input.set(first.clone());
            }
            Offer::Ready(options)
        }
        Err(err) => Offer::Failed(err),
    };
}
