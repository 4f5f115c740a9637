//! Command mode and the tenant picker.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::completion::{alias_pane, select_named};
use super::filter::Sort;
use super::input::{LineInput, common_prefix};
use super::message::Effect;
use super::modal::{Modal, Picker, TextView};
use super::ops::{close_view, inform, refresh_visible, switch_tenant};
use super::redact::redact;
use super::state::{Cursor, Level, State};
use crate::model::Pane;
use crate::platform::registry::PlatformKind;

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
    "tenant",
    "error",
    "audit",
    "bulk",
    // k9s's words for the panes and for switching context.
    "apps",
    "bots",
    "certs",
    "keys",
    "ctx",
    "find",
    "expiring",
    "edit json",
    "edit toml",
    "new json",
    "new toml",
];

/// Opens the full text of the active tenant's errors, credentials masked:
/// the status line has room for the cause, not for the whole story.
pub(super) fn show_error(state: &mut State) {
    let errors = state.errors();
    if errors.is_empty() {
        return inform(state, Level::Info, "no error to show");
    }
    let tenant = state
        .tenant()
        .map(|t| t.name().to_string())
        .unwrap_or_default();
    let mut lines = Vec::new();
    for (i, err) in errors.iter().enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        lines.push(redact(err));
    }
    state.modal = Some(Modal::Text(TextView {
        title: format!("Errors on {tenant}"),
        lines,
        scroll: 0,
    }));
}

/// Every command line Tab can reach from `typed`: the fixed commands, the
/// active platform's views and one `tenant NAME` per tenant.
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
    let tenants = state
        .tenants
        .iter()
        .flat_map(|t| [format!("tenant {}", t.name()), format!("ctx {}", t.name())]);
    let mut out: Vec<String> = COMMANDS
        .iter()
        .map(ToString::to_string)
        .chain(views)
        .chain(tenants)
        .filter(|c| c.starts_with(typed))
        .collect();
    // `tenant` on its own is only worth listing before a name is begun.
    if typed.starts_with("tenant ") {
        out.retain(|c| c != "tenant");
    }
    if typed.starts_with("ctx ") {
        out.retain(|c| c != "ctx");
    }
    out
}

/// Tab in command mode: completes as far as every candidate agrees and,
/// when more than one remains, lists them under the prompt.
pub(super) fn complete(state: &mut State, input: &mut LineInput) {
    if super::completion::complete_name(state, input) {
        return;
    }
    let typed = input.text().to_string();
    let options = command_completions(state, &typed);
    match options.as_slice() {
        [] => {
            state.choices = None;
            inform(
                state,
                Level::Info,
                format!("no command starts with \"{typed}\""),
            );
        }
        [only] => {
            input.set(only.clone());
            state.choices = None;
        }
        _ => {
            if let Some(prefix) = common_prefix(&options) {
                input.set(prefix);
            }
            // Listed by the word being completed: `:tenant ` lists names.
            let done = input.text();
            let start = done.rfind(' ').map_or(0, |i| i + 1);
            let mut words: Vec<String> = options
                .iter()
                .map(|o| o.get(start..).unwrap_or(o).to_string())
                .collect();
            words.dedup();
            state.choices = Some((done.to_string(), words, 0));
        }
    }
}

/// The platform whose `:name` view this is, when the active tenant's
/// platform has no such view: a configured tenant's, or any platform the
/// registry knows.
fn view_elsewhere(state: &State, name: &str) -> Option<String> {
    let configured = state
        .tenants
        .iter()
        .filter(|t| t.caps().view(name).is_some())
        .map(|t| t.platform().to_string());
    let known = PlatformKind::all()
        .filter(|kind| kind.capabilities().view(name).is_some())
        .map(|kind| kind.label().to_string());
    let mut platforms: Vec<String> = configured.chain(known).collect();
    platforms.sort();
    platforms.dedup();
    (!platforms.is_empty()).then(|| platforms.join(" or "))
}

/// `:apps`, `:certs`...: the pane in that slot, or why this platform has
/// none there; `:apps NAME` also selects the row of that name.
fn focus_pane(state: &mut State, pane: Pane, word: &str, name: &str) {
    if let Some(reason) = state.unsupported_reason(pane) {
        let reason = reason.to_string();
        return inform(state, Level::Error, format!(":{word}: {reason}"));
    }
    if let Some(book) = state.books.get_mut(state.active) {
        book.focus = Some(pane);
    }
    if !name.is_empty() {
        select_named(state, pane, name);
    }
}

pub(super) fn run_command(state: &mut State, line: &str, fx: &mut Vec<Effect>) {
    let (word, rest) = line
        .split_once(' ')
        .map_or((line, ""), |(w, r)| (w, r.trim()));
    if let Some(pane) = alias_pane(word) {
        return focus_pane(state, pane, word, rest);
    }
    match word {
        "" => {}
        "q" | "quit" => {
            state.quit = true;
            fx.push(Effect::Quit);
        }
        "help" => state.modal = Some(Modal::Help(0)),
        "error" | "errors" => show_error(state),
        "refresh" => refresh_visible(state, fx),
        "close" if state.radar.is_some() && state.focus() == Pane::View => {
            super::radar::close(state);
        }
        "close" => close_view(state),
        "audit" => super::audit_view::open(state, fx),
        "bulk" => match state.bulk() {
            Some(_) => state.modal = Some(Modal::Progress(0)),
            None => inform(
                state,
                Level::Info,
                "no bulk rotation yet: mark rows, then R",
            ),
        },
        "find" => super::radar::find(state, rest, fx),
        "expiring" => super::radar::expiring(state, rest, fx),
        "edit" | "new" => match super::editor::Format::parse(rest) {
            Some(format) if word == "edit" => super::editor::edit(state, format, fx),
            Some(format) => super::editor::create(state, format, fx),
            None => inform(state, Level::Error, format!("{word} takes toml or json")),
        },
        "sort" => match Sort::parse(rest) {
            Some(sort) => {
                let focus = state.focus();
                if let Some(cursor) = state.cursor_mut(focus) {
                    cursor.sort = sort;
                }
            }
            None => inform(state, Level::Error, "sort takes name, expiry or listed"),
        },
        "ctx" => run_command(state, format!("tenant {rest}").trim_end(), fx),
        "tenant" if rest.is_empty() => state.modal = Some(Modal::Picker(picker(state, ""))),
        "tenant" => match state.tenants.iter().position(|t| t.name() == rest) {
            Some(i) => switch_tenant(state, i, fx),
            None => inform(state, Level::Error, format!("no tenant named \"{rest}\"")),
        },
        name => {
            let view = state
                .tenant()
                .and_then(|t| t.caps().view(name))
                .map(|v| v.name);
            if let Some(view) = view {
                // The view takes the right-hand pane the radar held.
                state.radar = None;
                if let Some(book) = state.books.get_mut(state.active) {
                    book.view = Some((view, Cursor::default()));
                    book.focus = Some(Pane::View);
                }
                if !rest.is_empty() {
                    select_named(state, Pane::View, rest);
                }
            } else {
                let here = state
                    .tenant()
                    .map(|t| t.platform().to_string())
                    .unwrap_or_default();
                let text = match view_elsewhere(state, name) {
                    Some(platform) => format!(
                        ":{name} is a {platform} view; {here} has none (switch with :tenant)"
                    ),
                    None => format!("unknown command \":{line}\" (Tab lists the commands)"),
                };
                inform(state, Level::Error, text);
            }
        }
    }
}
