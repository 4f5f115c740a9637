//! `E` and `N`: a resource's editable fields (the edit or create form's
//! own) as TOML or JSON in the user's editor. What comes back is checked
//! like the form, shown as a diff and applied only once confirmed. A
//! mistake, or a change the platform refuses once confirmed, reopens the
//! editor on the user's own text with the error on top; an untouched file
//! or a failed editor changes nothing.

use std::fmt::Write as _;

use super::actions::{edit_form, new_form};
use super::message::Effect;
use super::modal::{Confirm, Form, Intent, Modal};
use super::ops::inform;
use super::rawdoc::sensitive;
use super::state::{Level, State};
use crate::platform::Operation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Toml,
    Json,
}

impl Format {
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "" | "toml" => Some(Self::Toml),
            "json" => Some(Self::Json),
            _ => None,
        }
    }

    const fn ext(self) -> &'static str {
        match self {
            Self::Toml => "toml",
            Self::Json => "json",
        }
    }

    const fn comment(self) -> &'static str {
        match self {
            Self::Toml => "#",
            Self::Json => "//",
        }
    }
}

/// A form out in the editor.
#[derive(Debug, Clone)]
pub struct Session {
    request: u64,
    tenant: usize,
    form: Form,
    format: Format,
    /// The values before editing, for the diff.
    original: Vec<String>,
    /// What the user saved and the change it makes, while its diff waits
    /// to be confirmed and then applied: a refusal reopens this text.
    saved: Option<(String, Operation)>,
    /// The request that applies the confirmed change.
    sent: Option<u64>,
}

/// `E`: the edit form's fields, in the editor.
pub(super) fn edit(state: &mut State, format: Format, fx: &mut Vec<Effect>) {
    edit_form(state, state.focus());
    take_form(state, format, fx);
}

/// `N`: the create form's fields, in the editor. Where the pane creates
/// several kinds the chooser opens as for `n`; its form hands over to the
/// editor with the form's own key.
pub(super) fn create(state: &mut State, format: Format, fx: &mut Vec<Effect>) {
    new_form(state, state.focus());
    take_form(state, format, fx);
}

fn take_form(state: &mut State, format: Format, fx: &mut Vec<Effect>) {
    if let Some(Modal::Form(form)) = state.modal.take_if(|m| matches!(m, Modal::Form(_))) {
        from_form(state, form, format, fx);
    }
}

/// Hands an open form to the editor, with what was typed so far.
pub(super) fn from_form(state: &mut State, form: Form, format: Format, fx: &mut Vec<Effect>) {
    let original = form
        .fields
        .iter()
        .map(super::modal::FormField::value)
        .collect();
    let text = document(&form, format);
    let session = Session {
        request: 0,
        tenant: state.active,
        form,
        format,
        original,
        saved: None,
        sent: None,
    };
    open(state, session, text, fx);
}

fn open(state: &mut State, mut session: Session, text: String, fx: &mut Vec<Effect>) {
    let request = state.next_request;
    state.next_request += 1;
    session.request = request;
    session.saved = None;
    session.sent = None;
    let ext = session.format.ext();
    state.editing = Some(session);
    fx.push(Effect::OpenEditor { request, text, ext });
}

/// The file the editor opens.
pub fn document(form: &Form, format: Format) -> String {
    let c = format.comment();
    let mut out = String::new();
    let _ = writeln!(out, "{c} {}", form.title);
    let _ = writeln!(
        out,
        "{c} Save and quit to go on: Portico checks the values and shows the"
    );
    let _ = writeln!(
        out,
        "{c} changes before it asks to apply them. Quit without saving to"
    );
    let _ = writeln!(out, "{c} change nothing.");
    match format {
        Format::Toml => {
            for field in &form.fields {
                let _ = writeln!(out, "\n# {}", describe(field));
                let value = toml::Value::String(field.value());
                let _ = writeln!(out, "{} = {value}", field.spec.key);
            }
        }
        Format::Json => {
            for field in &form.fields {
                let _ = writeln!(out, "// {}: {}", field.spec.key, describe(field));
            }
            let map: serde_json::Map<String, serde_json::Value> = form
                .fields
                .iter()
                .map(|f| (f.spec.key.to_string(), serde_json::Value::String(f.value())))
                .collect();
            let body = serde_json::to_string_pretty(&map).unwrap_or_default();
            let _ = writeln!(out, "{body}");
        }
    }
    out
}

fn describe(field: &super::modal::FormField) -> String {
    let mut text = field.spec.label.to_string();
    if field.spec.required {
        text.push_str(" (required)");
    }
    if let Some(options) = field.choices() {
        let _ = write!(text, ": one of {}", options.join(", "));
    }
    if matches!(field.spec.input, crate::platform::Input::Date) {
        text.push_str(": a date, YYYY-MM-DD");
    }
    text
}

/// The values in `text`, field by field in the form's order.
pub fn parse(text: &str, format: Format, form: &Form) -> Result<Vec<String>, String> {
    let pairs: Vec<(String, String)> = match format {
        Format::Toml => {
            let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
            table
                .into_iter()
                .map(|(k, v)| {
                    let value = match v {
                        toml::Value::String(s) => s,
                        toml::Value::Integer(_)
                        | toml::Value::Float(_)
                        | toml::Value::Boolean(_)
                        | toml::Value::Datetime(_) => v.to_string(),
                        _ => return Err(format!("{k} must be a single value")),
                    };
                    Ok((k, value))
                })
                .collect::<Result<_, _>>()?
        }
        Format::Json => {
            let body: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let map: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&body).map_err(|e| e.to_string())?;
            map.into_iter()
                .map(|(k, v)| {
                    let value = match v {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => String::new(),
                        serde_json::Value::Bool(_) | serde_json::Value::Number(_) => v.to_string(),
                        _ => return Err(format!("{k} must be a single value")),
                    };
                    Ok((k, value))
                })
                .collect::<Result<_, _>>()?
        }
    };
    let keys: Vec<&str> = form.fields.iter().map(|f| f.spec.key).collect();
    if let Some((unknown, _)) = pairs.iter().find(|(k, _)| !keys.contains(&k.as_str())) {
        return Err(format!(
            "there is no field {unknown:?}; the fields are {}",
            keys.join(", ")
        ));
    }
    Ok(keys
        .iter()
        .map(|key| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect())
}

/// The user's text with the error on top, as comments; an error from an
/// earlier round is replaced, never stacked.
pub fn with_error(text: &str, error: &str, format: Format) -> String {
    let c = format.comment();
    let marker = format!("{c} error:");
    let cont = format!("{c} |");
    let rest: Vec<&str> = text
        .lines()
        .skip_while(|l| l.starts_with(&marker) || l.starts_with(&cont))
        .collect();
    let mut out = String::new();
    for (i, line) in error.lines().enumerate() {
        let lead = if i == 0 { &marker } else { &cont };
        let _ = writeln!(out, "{lead} {line}");
    }
    for line in rest {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// What the editor left.
pub(super) fn on_edited(
    state: &mut State,
    request: u64,
    result: Result<Option<String>, String>,
    fx: &mut Vec<Effect>,
) {
    let Some(mut session) = state.editing.take_if(|s| s.request == request) else {
        return;
    };
    if session.tenant != state.active {
        return inform(
            state,
            Level::Error,
            "the tenant changed while editing: nothing was changed",
        );
    }
    let text = match result {
        Err(err) => {
            return inform(
                state,
                Level::Error,
                format!("could not run the editor: {err}"),
            );
        }
        Ok(None) => {
            return inform(state, Level::Info, "edit abandoned: nothing was changed");
        }
        Ok(Some(text)) => text,
    };
    let checked = parse(&text, session.format, &session.form).and_then(|values| {
        for (field, value) in session.form.fields.iter_mut().zip(values) {
            if value.contains('\n') {
                field.pasted = Some(value);
                field.input.set("");
            } else {
                field.pasted = None;
                field.input.set(value);
            }
        }
        session.form.operation()
    });
    let op = match checked {
        Ok(op) => op,
        Err(problem) => {
            let again = with_error(&text, &problem, session.format);
            return open(state, session, again, fx);
        }
    };
    let lines = diff(&session);
    if lines.is_empty() && matches!(session.form.intent, Intent::Update { .. }) {
        return inform(state, Level::Info, "no field changed: nothing was sent");
    }
    let tenant = state
        .tenant()
        .map(|t| t.name().to_string())
        .unwrap_or_default();
    let title = match &session.form.intent {
        Intent::Create { kind, .. } => format!("Create this {} on {tenant}?", kind.label()),
        Intent::Update { target } | Intent::Renew { target, .. } => format!(
            "Apply these changes to {} \"{}\" on {tenant}?",
            target.kind.label(),
            target.name
        ),
        // A code is typed in its own prompt, never edited in a file.
        Intent::SecondFactor { .. } => {
            return inform(
                state,
                Level::Info,
                "a two-factor code is typed in its prompt",
            );
        }
    };
    session.saved = Some((text, op.clone()));
    state.editing = Some(session);
    state.modal = Some(Modal::Confirm(Confirm {
        title,
        lines,
        ops: vec![op],
        typed: None,
        typed_is_id: false,
        error: None,
    }));
}

/// Whether `ops`, about to be sent, are the change whose diff the editor
/// left waiting.
pub(super) fn awaits(state: &State, ops: &[Operation]) -> bool {
    state
        .editing
        .as_ref()
        .and_then(|s| s.saved.as_ref())
        .is_some_and(|(_, op)| ops == std::slice::from_ref(op))
}

/// The editor's confirmed change went out as `request`.
pub(super) const fn sent(state: &mut State, request: u64) {
    if let Some(session) = &mut state.editing {
        session.sent = Some(request);
    }
}

/// The platform answered the editor's change: a refusal reopens the
/// editor on the user's text with the server's words on top, so nothing
/// they typed is lost.
pub(super) fn on_answered(
    state: &mut State,
    tenant: usize,
    request: u64,
    refused: Option<String>,
    fx: &mut Vec<Effect>,
) {
    let Some(session) = state.editing.take_if(|s| s.sent == Some(request)) else {
        return;
    };
    let (Some(err), Some((text, _))) = (refused, session.saved.clone()) else {
        return;
    };
    // Another tenant is on screen: the text would be refused on return.
    if tenant != state.active || session.tenant != tenant {
        return;
    }
    let again = with_error(
        &text,
        &format!("the platform refused the change: {err}"),
        session.format,
    );
    open(state, session, again, fx);
}

/// One line per changed field: `label: old → new`.
fn diff(session: &Session) -> Vec<String> {
    session
        .form
        .fields
        .iter()
        .zip(&session.original)
        .filter_map(|(field, before)| {
            let after = field.value();
            if after == *before {
                return None;
            }
            let key = field.spec.key;
            let shown = |v: &str| {
                if sensitive(key) && !v.is_empty() {
                    "***".to_string()
                } else {
                    short(v)
                }
            };
            Some(match (before.is_empty(), after.is_empty()) {
                (true, _) => format!("+ {}: {}", field.spec.label, shown(&after)),
                (false, true) => format!("- {}: {} (cleared)", field.spec.label, shown(before)),
                _ => format!(
                    "~ {}: {} → {}",
                    field.spec.label,
                    shown(before),
                    shown(&after)
                ),
            })
        })
        .collect()
}

/// A value on one line: a PEM or long text is shown by its start and size.
fn short(value: &str) -> String {
    let first = value.lines().next().unwrap_or_default();
    let count = value.chars().count();
    if first.chars().count() == count && count <= 60 {
        return format!("{value:?}");
    }
    let head: String = first.chars().take(40).collect();
    format!("{head:?}… ({count} characters)")
}
