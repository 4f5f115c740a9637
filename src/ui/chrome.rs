//! The tenant bar, the status line and the key-hint bar. The hint bar
//! names only keys that apply to the focused pane and selection, each
//! taken from the live keymap; those the tenant or its credential may not
//! use are drawn refused rather than hidden.

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use ratatui::layout::Position;

use super::fit::{cells, input_window, wrap};
use super::text::{age, inert, spinner};
use super::theme;
use crate::app::{Level, LineInput, Listing, Modal, State, layers};
use crate::keymap::{Action, Keymap, Layer, entries};
use crate::model::{Change, Resource};
use crate::platform::{Rotation, Source};

pub fn tenant_bar(frame: &mut Frame, area: Rect, state: &State) {
    let t = theme::current();
    let mut spans = Vec::new();
    if state.demo_hint().is_some() {
        spans.push(Span::styled(" DEMO ", t.demo));
        spans.push(Span::raw(" "));
    }
    for (i, tenant) in state.tenants().iter().enumerate() {
        let color = t.tenant_colour(tenant.color());
        let label = format!(" {} {} ", i + 1, inert(tenant.name()));
        let style = if i == state.active() {
            t.tenant_label.bg(color).add_modifier(Modifier::BOLD)
        } else {
            t.tenant.fg(color)
        };
        spans.push(Span::styled(label, style));
        if tenant.read_only() {
            spans.push(Span::styled("[RO]", t.read_only));
        }
        if tenant.protected() {
            spans.push(Span::styled("[P]", t.protected));
        }
    }
    let help = format!("{} help ", state.keymap().hint(Layer::Normal, Action::Help));
    let used: usize = spans.iter().map(Span::width).sum();
    // The demo's note sits here, where it takes nothing from the hints.
    if let Some(hint) = state.demo_hint() {
        let room = usize::from(area.width).saturating_sub(used + help.len() + 2);
        let note: String = inert(hint).chars().take(room).collect();
        if !note.is_empty() {
            spans.push(Span::styled(format!(" {note}"), t.warning));
        }
    }
    let used: usize = spans.iter().map(Span::width).sum();
    let pad = usize::from(area.width).saturating_sub(used + help.len());
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(help, t.hint_text));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// At most this many rows for the status line; a long notice, warning or
/// error wraps onto them instead of being cut.
const MAX_STATUS_ROWS: usize = 3;

/// The status line, wrapped to `width`: at least one row, at most
/// [`MAX_STATUS_ROWS`].
fn status_wrapped(state: &State, now: SystemTime, width: u16) -> Vec<Line<'static>> {
    let mut rows = wrap(&status_spans(state, now), usize::from(width));
    rows.truncate(MAX_STATUS_ROWS);
    if rows.is_empty() {
        rows.push(Line::default());
    }
    rows
}

/// How many rows the status line takes at `width`.
pub fn status_rows(state: &State, now: SystemTime, width: u16) -> u16 {
    cells(status_wrapped(state, now, width).len())
}

pub fn status_line(frame: &mut Frame, area: Rect, state: &State, now: SystemTime) {
    frame.render_widget(Paragraph::new(status_wrapped(state, now, area.width)), area);
}

fn status_spans(state: &State, now: SystemTime) -> Line<'static> {
    let Some(tenant) = state.tenant() else {
        return Line::raw("no tenants configured");
    };
    let t = theme::current();
    let color = t.tenant_colour(tenant.color());
    let mut spans = vec![
        Span::styled(
            format!(" {} ", inert(tenant.name())),
            t.tenant_label.bg(color),
        ),
        Span::styled(format!(" {} ", tenant.platform()), t.tenant.fg(color)),
    ];
    if tenant.read_only() {
        spans.push(Span::styled(
            "[RO] ",
            t.read_only.add_modifier(Modifier::BOLD),
        ));
    }
    let pending = state.in_flight();
    if pending > 0 {
        spans.push(Span::styled(
            format!("{} {pending} in flight ", spinner(state.spinner())),
            t.busy,
        ));
    }
    let (marked, on) = state.marked();
    if marked > 0 {
        spans.push(Span::styled(
            format!("● {marked} marked on {on} tenant(s) "),
            t.marked,
        ));
    }
    if let Some(bulk) = state.bulk().filter(|b| !b.is_done()) {
        spans.push(Span::styled(format!("⟳ {} ", bulk.summary()), t.busy));
    }
    if let Some(loaded) = state.listing(state.focus()).and_then(Listing::loaded_at) {
        spans.push(Span::styled(
            format!("· {} old ", age(now, loaded)),
            t.status,
        ));
    }
    if let Some(every) = state.auto_refresh() {
        spans.push(Span::styled(
            format!("· auto {} ", every_label(every)),
            t.status,
        ));
    }
    if let Some(notice) = state.notice() {
        let style = match notice.level {
            Level::Info => Style::new(),
            Level::Success => t.success,
            Level::Error => t.error,
        };
        spans.push(Span::styled(format!("· {} ", inert(&notice.text)), style));
    }
    if let Some(book) = state.book() {
        if let Some(warning) = book.warning() {
            spans.push(Span::styled(format!("⚠ {} ", inert(warning)), t.warning));
        }
        if let Some(err) = book.last_error() {
            spans.push(Span::styled(format!("✗ {} ", inert(err)), t.error));
        }
    }
    Line::from(spans)
}

/// Whether the bottom row is in use: the hint bar, or a prompt being typed.
pub const fn hint_row_shown(state: &State) -> bool {
    state.keymap().hint_bar() || matches!(state.modal(), Some(Modal::Filter(_) | Modal::Command(_)))
}

/// A one-line prompt: its sigil, what was typed with the terminal's cursor
/// where editing happens, and the prompt's keys.
fn prompt(
    frame: &mut Frame,
    area: Rect,
    (sigil, style): (&'static str, Style),
    input: &LineInput,
    keys: Line<'static>,
) {
    let keys_width = keys.width() + 2;
    let room = usize::from(area.width)
        .saturating_sub(sigil.len())
        .saturating_sub(keys_width)
        .max(8);
    let (shown, col) = input_window(input, room);
    let typed_width = Span::raw(shown.as_str()).width();
    let mut spans = vec![Span::styled(sigil, style), Span::raw(shown)];
    spans.push(Span::raw(" ".repeat(room.saturating_sub(typed_width) + 2)));
    spans.extend(keys.spans);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    let x = area.x.saturating_add(cells(sigil.len() + col));
    frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
}

pub fn hint_line(frame: &mut Frame, area: Rect, state: &State) {
    let map = state.keymap();
    let width = usize::from(area.width);
    match state.modal() {
        Some(Modal::Filter(input)) => {
            let keys = pairs(
                map,
                Layer::Filter,
                &[(Action::Keep, "keep"), (Action::Clear, "clear")],
                width / 2,
            );
            prompt(frame, area, ("/", theme::current().filter), input, keys);
        }
        Some(Modal::Command(input)) => {
            let keys = pairs(
                map,
                Layer::Command,
                &[
                    (Action::Complete, "complete"),
                    (Action::Run, "run"),
                    (Action::Cancel, "cancel"),
                ],
                width / 2,
            );
            prompt(frame, area, (":", theme::current().dialog), input, keys);
        }
        _ if !map.hint_bar() => {}
        None => frame.render_widget(Paragraph::new(browse_hints(state, width)), area),
        Some(modal) => {
            let layer = layers(Some(modal))
                .first()
                .copied()
                .unwrap_or(Layer::Normal);
            let items: Vec<(Action, String)> = entries(layer)
                .map(|(action, _)| (action, action.name().replace('-', " ")))
                .collect();
            let items: Vec<(Action, &str)> = items.iter().map(|(a, l)| (*a, l.as_str())).collect();
            frame.render_widget(Paragraph::new(pairs(map, layer, &items, width)), area);
        }
    }
}

/// One pair of a hint bar. A refused pair is drawn dimmed and marked,
/// not left out: its key still answers, with the reason it may not.
#[derive(Debug, Clone, Copy)]
struct Hint<'a> {
    action: Action,
    label: &'a str,
    refused: bool,
}

/// What follows a refused pair's label, so it reads as refused without
/// colour or dimming too (`NO_COLOR`, the high-contrast theme).
const REFUSED_MARK: &str = "✗";

/// ` key label` pairs, keys in colour; pairs that would not fit in `max`
/// columns are left out whole rather than cut.
fn pairs(map: &Keymap, layer: Layer, items: &[(Action, &str)], max: usize) -> Line<'static> {
    let hints: Vec<Hint<'_>> = items
        .iter()
        .map(|&(action, label)| Hint {
            action,
            label,
            refused: false,
        })
        .collect();
    placed_pairs(map, layer, &hints, max).0
}

/// The browsing hint bar's pairs by the columns they cover, for clicks;
/// refused pairs are among them, so a click says why as the key does.
pub fn browse_targets(state: &State, max: usize) -> Vec<(Action, std::ops::Range<usize>)> {
    browse_items(state, |map, items| {
        placed_pairs(map, Layer::Normal, items, max).1
    })
}

/// `pairs`, with the columns each pair covers. When not all fit, what
/// can be done gets the room first: the allowed pairs claim it in order
/// until one does not fit, then the refused ones the same way. The pairs
/// kept are drawn in their own order, so a refused pair never pushes an
/// allowed one (`quit`, `pane`) off the end of the bar.
fn placed_pairs(
    map: &Keymap,
    layer: Layer,
    items: &[Hint<'_>],
    max: usize,
) -> (Line<'static>, Vec<(Action, std::ops::Range<usize>)>) {
    let t = theme::current();
    let drawn: Vec<Option<(Span<'static>, Span<'static>)>> = items
        .iter()
        .map(|hint| {
            if map.keys(layer, hint.action).is_empty() {
                return None;
            }
            let key = format!(" {}", map.hint(layer, hint.action));
            Some(if hint.refused {
                (
                    Span::styled(key, t.hint_refused),
                    Span::styled(format!(" {}{REFUSED_MARK} ", hint.label), t.hint_refused),
                )
            } else {
                (
                    Span::styled(key, t.hint_key),
                    Span::styled(format!(" {} ", hint.label), t.hint_text),
                )
            })
        })
        .collect();
    let mut keep = vec![false; items.len()];
    let mut room = max;
    for refused in [false, true] {
        for (i, pair) in drawn.iter().enumerate() {
            let Some((key, label)) = pair.as_ref().filter(|_| items[i].refused == refused) else {
                continue;
            };
            let width = key.width() + label.width();
            if width > room {
                break;
            }
            room -= width;
            keep[i] = true;
        }
    }
    let mut spans = Vec::new();
    let mut placed = Vec::new();
    let mut used = 0;
    for ((hint, pair), kept) in items.iter().zip(drawn).zip(keep) {
        let Some((key, label)) = pair.filter(|_| kept) else {
            continue;
        };
        let start = used;
        used += key.width() + label.width();
        placed.push((hint.action, start..used));
        spans.push(key);
        spans.push(label);
    }
    (Line::from(spans), placed)
}

/// The browsing keys that do something here: creation only where the
/// pane creates, rotation only where the kind rotates, the toggle under
/// its own label. A change the kind supports but the tenant (read-only)
/// or the credential (its scopes) may not make is still shown, refused.
fn browse_hints(state: &State, max: usize) -> Line<'static> {
    browse_items(state, |map, items| {
        placed_pairs(map, Layer::Normal, items, max).0
    })
}

/// The browsing keys that apply, handed to `lay` to be laid out.
fn browse_items<T: Default>(state: &State, lay: impl Fn(&Keymap, &[Hint<'_>]) -> T) -> T {
    let Some(tenant) = state.tenant() else {
        return T::default();
    };
    let caps = tenant.caps();
    let writable = !tenant.read_only();
    let focus = state.focus();
    let listed = state.layout(focus).is_some();
    let selected = state.selected(focus);
    let spec = selected.and_then(|r| caps.kind(r.kind));
    // The same questions, in the same order, that the key's own action
    // asks before it refuses (`app::actions`): the tenant, then the scopes.
    let may = |change: Change| writable && selected.is_none_or(|r| r.refusal(change).is_none());
    let parent = state
        .layout(focus)
        .and_then(|(_, scope)| scope)
        .and_then(|scope| state.selected(scope));
    let creates = match state.source(focus) {
        Source::Pane(p) => !caps.pane(p).creates().is_empty(),
        Source::View(_) => false,
    };
    let may_create = writable && parent.is_none_or(|r| r.refusal(Change::CreateUnder).is_none());
    let filtered = state.cursor(focus).is_some_and(|c| !c.filter().is_empty());
    let toggle = spec.and_then(|s| s.toggle).map(|(on, off)| {
        let label = if selected.is_some_and(Resource::is_active) {
            off
        } else {
            on
        };
        label.to_lowercase()
    });
    let mut items: Vec<(Action, String, bool)> = Vec::new();
    let mut offer = |when: bool, action: Action, label: &str| {
        if when {
            items.push((action, label.to_string(), false));
        }
    };
    offer(selected.is_some(), Action::DrillDown, "open");
    offer(filtered, Action::Back, "clear filter");
    offer(
        !filtered && state.view().is_some(),
        Action::Back,
        "close view",
    );
    offer(listed, Action::Filter, "filter");
    let mut change = |supported: bool, may: bool, action: Action, label: &str| {
        if supported {
            items.push((action, label.to_string(), !may));
        }
    };
    change(creates, may_create, Action::New, "new");
    change(
        spec.is_some_and(|s| s.edit.is_some()),
        may(Change::Edit),
        Action::Edit,
        "edit",
    );
    change(
        spec.is_some_and(|s| s.delete),
        may(Change::Delete),
        Action::Delete,
        "delete",
    );
    change(
        spec.is_some_and(|s| !matches!(s.rotate, Rotation::Unsupported(_))),
        may(Change::Rotate),
        Action::Rotate,
        "rotate",
    );
    if let Some(toggle) = &toggle {
        change(true, may(Change::Toggle), Action::ToggleActive, toggle);
    }
    let mut offer = |when: bool, action: Action, label: &str| {
        if when {
            items.push((action, label.to_string(), false));
        }
    };
    offer(selected.is_some(), Action::CopyId, "copy id");
    offer(!state.errors().is_empty(), Action::ShowError, "error");
    offer(listed, Action::Sort, "sort");
    offer(listed, Action::Refresh, "refresh");
    offer(true, Action::Command, "command");
    offer(state.tenants().len() > 1, Action::Tenants, "tenant");
    offer(true, Action::Quit, "quit");
    offer(true, Action::NextPane, "pane");
    let items: Vec<Hint<'_>> = items
        .iter()
        .map(|(action, label, refused)| Hint {
            action: *action,
            label,
            refused: *refused,
        })
        .collect();
    lay(state.keymap(), &items)
}

/// `30s`, `5m`, `2h`, `1d`: the auto-refresh interval as the status line
/// shows it, in its largest whole unit.
fn every_label(every: std::time::Duration) -> String {
    let secs = every.as_secs();
    match secs {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s >= 3_600 && s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}
