//! `Y`: the vendor's own document for the selection, as indented JSON,
//! credentials masked. The runtime reads it from the platform on demand
//! (no list keeps every document) and lays it out on a blocking thread
//! ([`document_lines`]) in lines no longer than [`LINE_CHARS`], so
//! drawing a page costs the same however long a field is. When it cannot
//! be read, the view shows what the adapter kept ([`raw_lines`]) under a
//! line saying why ([`unread_lines`]).

use serde_json::{Map, Value};

use super::message::Effect;
use super::modal::Modal;
use super::ops::inform;
use super::redact::redact;
use super::state::{Level, State};
use crate::keymap::{Action, Press};
use crate::model::{Resource, Secret};
use crate::platform::{PlatformError, Target};

/// The longest line handed to the screen, in characters; a longer one
/// goes on over the next lines.
pub const LINE_CHARS: usize = 160;

const PAGE: usize = 10;
const MASK: &str = "***";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDoc {
    pub(super) title: String,
    pub(super) request: u64,
    pub(super) id: String,
    pub(super) what: String,
    /// `None` while the runtime lays it out.
    pub(super) lines: Option<Vec<String>>,
    pub(super) scroll: usize,
}

impl RawDoc {
    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn lines(&self) -> Option<&[String]> {
        self.lines.as_deref()
    }
    pub const fn scroll(&self) -> usize {
        self.scroll
    }
}

/// Whether a field's value is a credential, by its name.
pub(super) fn sensitive(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    let named = [
        "secret",
        "password",
        "passwd",
        "token",
        "apikey",
        "api_key",
        "privatekey",
        "private_key",
        "credential",
        "authorization",
    ]
    .iter()
    .any(|w| key.contains(w));
    // `tokenExpiresAt` and the like are dates, not credentials.
    named && !key.contains("expir") && !key.contains("date")
}

/// `doc` with the value of every credential-named field masked, at any
/// depth: what a vendor shows once must not reach the screen or a script's
/// output.
pub fn masked(doc: &Value) -> Value {
    match doc {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if sensitive(k) && !v.is_null() {
                        Value::String(MASK.into())
                    } else {
                        masked(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        other => other.clone(),
    }
}

/// The vendor's document in lines, masked and cut to [`LINE_CHARS`].
pub fn document_lines(doc: &Value) -> Vec<String> {
    let text = serde_json::to_string_pretty(&masked(doc)).unwrap_or_default();
    cut(&text)
}

/// What the adapter kept for `res`, under a line saying why the vendor's
/// document could not be read. Errors are built without secrets; the
/// line is masked again all the same.
pub fn unread_lines(res: &Resource, err: &PlatformError) -> Vec<String> {
    let mut lines = cut(&format!(
        "The raw document could not be read: {err}\nShown instead: the fields Portico keeps for it.\n"
    ));
    lines.extend(raw_lines(res));
    lines
}

/// The resource's fields as the adapter kept them, in lines, masked and
/// cut to [`LINE_CHARS`].
pub fn raw_lines(res: &Resource) -> Vec<String> {
    let details: Map<String, Value> = res
        .fields()
        .map(|(k, v)| {
            let v = if sensitive(k) { MASK } else { v };
            (k.to_owned(), Value::String(v.to_string()))
        })
        .collect();
    let mut doc = Map::new();
    doc.insert("id".into(), Value::String(res.id.clone()));
    doc.insert("name".into(), Value::String(res.name.clone()));
    doc.insert("kind".into(), Value::String(res.kind.label().into()));
    doc.insert("state".into(), Value::String(res.state.label().into()));
    doc.insert(
        "status".into(),
        res.status.clone().map_or(Value::Null, Value::String),
    );
    doc.insert(
        "expires".into(),
        res.expires
            .and_then(|at| {
                at.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .map_or(Value::Null, Value::String),
    );
    doc.insert("raw".into(), Value::Object(details));
    let text = serde_json::to_string_pretty(&Value::Object(doc)).unwrap_or_default();
    cut(&text)
}

/// `text` in lines, each masked and at most [`LINE_CHARS`] long.
fn cut(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for line in text.lines() {
        let line = redact(line);
        let chars: Vec<char> = line.chars().collect();
        if chars.is_empty() {
            lines.push(String::new());
        }
        for piece in chars.chunks(LINE_CHARS) {
            lines.push(piece.iter().collect());
        }
    }
    lines
}

/// Opens the view for the focused selection and asks for its lines.
pub(super) fn open(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(res) = state.selected(state.focus()).cloned() else {
        return inform(state, Level::Info, "nothing selected");
    };
    let target = Target {
        kind: res.kind,
        id: res.id.clone(),
        name: res.name.clone(),
        parent: state.list_key(state.focus()).and_then(|k| k.parent),
    };
    let request = state.next_request;
    state.next_request += 1;
    state.modal = Some(Modal::Raw(RawDoc {
        title: format!("{} \"{}\" (raw)", res.kind.label(), res.name),
        request,
        id: res.id.clone(),
        what: format!("{} id", res.kind.label()),
        lines: None,
        scroll: 0,
    }));
    fx.push(Effect::RawDoc {
        tenant: state.active,
        request,
        target,
        resource: Box::new(res),
    });
}

pub(super) fn on_lines(state: &mut State, request: u64, lines: Vec<String>) {
    if let Some(Modal::Raw(doc)) = &mut state.modal
        && doc.request == request
    {
        doc.lines = Some(lines);
    }
}

pub(super) fn on_key(mut doc: RawDoc, press: Press, fx: &mut Vec<Effect>) -> Option<Modal> {
    let last = doc.lines.as_ref().map_or(0, |l| l.len().saturating_sub(1));
    match press {
        Press::Act(Action::Down) => doc.scroll = doc.scroll.saturating_add(1),
        Press::Act(Action::Up) => doc.scroll = doc.scroll.saturating_sub(1),
        Press::Act(Action::PageDown) => doc.scroll = doc.scroll.saturating_add(PAGE),
        Press::Act(Action::PageUp) => doc.scroll = doc.scroll.saturating_sub(PAGE),
        Press::Act(Action::Top) => doc.scroll = 0,
        Press::Act(Action::Bottom) => doc.scroll = last,
        Press::Act(Action::CopyId) => fx.push(Effect::Copy {
            what: doc.what.clone(),
            text: Secret::new(doc.id.clone()),
            sensitive: false,
        }),
        Press::Act(Action::Close) => return None,
        _ => {}
    }
    doc.scroll = doc.scroll.min(last);
    Some(Modal::Raw(doc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    #[test]
    fn credentials_are_masked_and_long_values_cut_into_lines() {
        let res = Resource::new(Kind::AccessKey, "k1", "deploy")
            .with_detail("secret", "s3cr3t-value")
            .with_detail("tokenExpiresAt", "2027-01-01")
            .with_detail("note", "x".repeat(1000));
        let lines = raw_lines(&res);
        let all = lines.join("\n");
        assert!(!all.contains("s3cr3t-value"), "{all}");
        assert!(all.contains("2027-01-01"));
        assert!(lines.iter().all(|l| l.chars().count() <= LINE_CHARS));
        assert!(lines.len() > 1000 / LINE_CHARS);
    }

    #[test]
    fn a_vendor_document_is_masked_at_any_depth_and_keeps_its_own_names() {
        let doc = serde_json::json!({
            "clientId": "c-1",
            "createdAt": 1_700_000_000_000_i64,
            "keys": [{"secret": "deep-s3cret", "tokenExpiresAt": "2027-01-01"}],
            "password": "hunter2",
        });
        let all = document_lines(&doc).join("\n");
        assert!(all.contains("\"clientId\": \"c-1\""), "{all}");
        assert!(all.contains("\"createdAt\": 1700000000000"), "{all}");
        assert!(all.contains("\"secret\": \"***\""), "{all}");
        assert!(!all.contains("deep-s3cret"), "{all}");
        assert!(all.contains("2027-01-01"), "{all}");
        assert!(!all.contains("hunter2"), "{all}");
    }

    #[test]
    fn an_unread_document_says_why_above_the_kept_fields() {
        let res = Resource::new(Kind::AccessKey, "k1", "deploy").with_detail("secret", "s3cr3t");
        let lines = unread_lines(
            &res,
            &PlatformError::Timeout(std::time::Duration::from_secs(3)),
        );
        assert!(
            lines[0].contains("could not be read: timed out after 3s"),
            "{lines:?}"
        );
        let all = lines.join("\n");
        assert!(all.contains("\"id\": \"k1\""), "{all}");
        assert!(!all.contains("s3cr3t"), "{all}");
    }
}
