//! Command mode and the tenant picker.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::filter::Sort;
use super::input::LineInput;
use super::message::Effect;
use super::modal::{Modal, Picker};
use super::ops::{close_view, inform, refresh_visible, switch_tenant};
use super::state::{Level, State};
use crate::model::Pane;

pub(super) fn picker(state: &State, query: &str) -> Picker {
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

pub(super) fn command_completions(state: &State, typed: &str) -> Vec<String> {
    let views = state
        .tenant()
        .map(|t| {
            t.caps()
                .views()
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

pub(super) fn run_command(state: &mut State, line: &str, fx: &mut Vec<Effect>) {
    let (word, rest) = line
        .split_once(' ')
        .map_or((line, ""), |(w, r)| (w, r.trim()));
    match word {
        "" => {}
        "q" | "quit" => {
            state.quit = true;
            fx.push(Effect::Quit);
        }
        "help" => state.modal = Some(Modal::Help(0)),
        "refresh" => refresh_visible(state, fx),
        "close" => close_view(state),
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
                        book.focus = Some(Pane::View);
                    }
                }
                None => inform(state, Level::Error, format!("unknown command \":{line}\"")),
            }
        }
    }
}
