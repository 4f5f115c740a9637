//! `:audit`: Portico's own audit log as a `:` view, newest line first.
//! The log never holds a secret (see `audit.rs`), so neither does this.
//! Its rows have a kind no platform acts on, so no key can change one.

use std::sync::LazyLock;

use serde_json::Value;

use super::message::Effect;
use super::ops::request_list;
use super::state::{Cursor, State};
use crate::model::{Kind, Lifecycle, Pane, Resource};
use crate::platform::ViewSpec;

/// The view's name, as typed after `:` and in its list key.
pub const AUDIT_VIEW: &str = "audit";

static SPEC: LazyLock<ViewSpec> = LazyLock::new(|| ViewSpec {
    name: AUDIT_VIEW,
    title: "Audit log",
    columns: vec!["Time", "Tenant", "Action", "Outcome"],
    scope: None,
    searches: false,
});

pub(super) fn spec() -> &'static ViewSpec {
    &SPEC
}

/// Opens the view on the active tenant, read afresh.
pub(super) fn open(state: &mut State, fx: &mut Vec<Effect>) {
    if let Some(book) = state.books.get_mut(state.active) {
        book.view = Some((AUDIT_VIEW, Cursor::default()));
        book.focus = Some(Pane::View);
    }
    state.sync();
    if let Some(key) = state.list_key(Pane::View) {
        request_list(state, state.active, key, fx);
    }
}

fn text<'a>(line: &'a Value, key: &str) -> &'a str {
    line.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// `2026-12-01T10:00:05Z` as `12-01 10:00:05`: the column has room for
/// that much, and the detail shows the whole stamp.
fn short_time(stamp: &str) -> String {
    match (stamp.get(5..10), stamp.get(11..19)) {
        (Some(day), Some(time)) if stamp.len() >= 19 => format!("{day} {time}"),
        _ => stamp.to_string(),
    }
}

/// The log's lines as rows, newest first. A line that is not JSON (an
/// older plain-text log, a torn write) is shown as it is, not dropped.
pub fn audit_rows(log: &str) -> Vec<Resource> {
    let mut rows: Vec<Resource> = log
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, raw)| {
            let number = i + 1;
            let Ok(line) = serde_json::from_str::<Value>(raw) else {
                let mut res = Resource::new(Kind::AuditEntry, format!("line {number}"), raw);
                res.cells = vec![String::new(), String::new(), String::new(), "?".into()];
                return res;
            };
            let name = match (text(&line, "resource_name"), text(&line, "resource_id")) {
                ("", "") => text(&line, "kind").to_string(),
                ("", id) => id.to_string(),
                (name, _) => name.to_string(),
            };
            let mut res = Resource::new(Kind::AuditEntry, format!("line {number}"), name);
            let outcome = text(&line, "outcome");
            res.state = if outcome == "failed" {
                Lifecycle::Inactive
            } else {
                Lifecycle::Active
            };
            res.status = Some(outcome.to_string());
            res.cells = vec![
                short_time(text(&line, "time")),
                text(&line, "tenant").to_string(),
                text(&line, "action").to_string(),
                outcome.to_string(),
            ];
            res.details = [
                "time",
                "tenant",
                "platform",
                "action",
                "kind",
                "resource_id",
                "resource_name",
                "outcome",
                "request_id",
                "detail",
            ]
            .iter()
            .filter(|k| !text(&line, k).is_empty())
            .map(|k| ((*k).to_string(), text(&line, k).to_string()))
            .collect();
            res
        })
        .collect();
    rows.reverse();
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_newest_first_and_keep_odd_lines() {
        let log = concat!(
            r#"{"time":"2026-12-01T10:00:00Z","tenant":"p44","platform":"project44","action":"rotate","kind":"client application","resource_id":"a1","resource_name":"Robot","outcome":"ok","detail":"new client secret stored"}"#,
            "\n",
            "not json\n",
            "\n",
            r#"{"time":"2026-12-01T11:00:00Z","tenant":"p44","platform":"project44","action":"delete","kind":"client application","resource_id":"a2","resource_name":"","outcome":"failed","detail":"boom"}"#,
            "\n",
        );
        let rows = audit_rows(log);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].name, "a2", "a nameless resource shows its id");
        assert_eq!(rows[0].cells[2], "delete");
        assert_eq!(rows[0].detail("kind"), Some("client application"));
        assert_eq!(rows[0].state, Lifecycle::Inactive);
        assert_eq!(rows[1].name, "not json");
        assert_eq!(rows[2].name, "Robot");
        assert_eq!(rows[2].detail("detail"), Some("new client secret stored"));
        assert_eq!(rows[2].cells[0], "12-01 10:00:00");
        assert_eq!(rows[2].detail("time"), Some("2026-12-01T10:00:00Z"));
    }
}
