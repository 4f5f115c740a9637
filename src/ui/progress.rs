//! The bulk rotation: its typed confirmation, and its progress view, a
//! bar over one result line per item and the run's summary. No secret is
//! drawn here; the state holds none.

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Gauge, Paragraph, Wrap};

use super::modals::{Dialog, key_line};
use super::text::inert;
use super::theme::{self, Theme};
use crate::app::{BulkConfirm, BulkItem, BulkOutcome, State};
use crate::keymap::{Action, Layer};

pub fn confirm(frame: &mut Frame, state: &State, c: &BulkConfirm) {
    let map = state.keymap();
    let mut d = Dialog::new(
        format!(" {} ", inert(&c.title)),
        Theme::colour(th().error),
        76,
        frame.area(),
    );
    for line in &c.lines {
        d.line(Line::raw(inert(line).into_owned()));
    }
    d.line(Line::from(""));
    d.line(Line::styled(
        format!(
            "To confirm: type {} (the number of rotations) and press {}",
            c.expected,
            map.hint(Layer::Bulk, Action::Confirm)
        ),
        th().protected,
    ));
    d.input(Span::raw(" "), &c.input, true);
    if let Some(err) = &c.error {
        d.foot(Line::styled(format!("✗ {}", inert(err)), th().error));
    }
    d.foot(key_line(
        map,
        Layer::Bulk,
        &[(Action::Confirm, "rotate all"), (Action::Cancel, "cancel")],
    ));
    d.draw(frame);
}

fn dim() -> Style {
    th().dimmed
}

fn th() -> Theme {
    theme::current()
}

/// One item's line: what applied to it, step by step.
fn item_line(item: &BulkItem) -> Line<'static> {
    let who = Span::raw(format!(
        " {}  {} ",
        inert(&item.tenant),
        inert(if item.target.name.trim().is_empty() {
            &item.target.id
        } else {
            &item.target.name
        })
    ));
    let Some(outcome) = &item.outcome else {
        return Line::from(vec![
            Span::styled("…", dim()),
            who,
            Span::styled("waiting", dim()),
        ]);
    };
    let ok = th().success;
    let bad = th().error;
    let mut spans = vec![
        if outcome.clean() {
            Span::styled("✓", ok)
        } else {
            Span::styled("✗", bad)
        },
        who,
    ];
    spans.extend(steps(outcome, ok, bad));
    Line::from(spans)
}

fn steps(outcome: &BulkOutcome, ok: Style, bad: Style) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let sep = || Span::styled(" · ", dim());
    match &outcome.issued {
        Some(label) => spans.push(Span::styled(format!("issued {}", inert(label)), ok)),
        None => spans.push(Span::styled("nothing issued", bad)),
    }
    match &outcome.saved {
        Some(Ok(path)) => {
            let file = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            spans.push(sep());
            spans.push(Span::styled(format!("stored ({})", inert(&file)), ok));
        }
        Some(Err(err)) => {
            spans.push(sep());
            spans.push(Span::styled(format!("NOT stored: {}", inert(err)), bad));
        }
        // Delivered and erased, or a platform that shows it again.
        None => {}
    }
    for check in &outcome.checks {
        spans.push(sep());
        let (mark, style) = if check.passed {
            ("✓", ok)
        } else {
            ("✗", bad)
        };
        spans.push(Span::styled(
            format!("{mark} {}", inert(&check.label)),
            style,
        ));
    }
    if let Some(note) = &outcome.old_live {
        spans.push(sep());
        spans.push(Span::styled(
            format!("old still live: {}", inert(note)),
            th().warning,
        ));
    }
    if let Some(err) = &outcome.error {
        spans.push(sep());
        spans.push(Span::styled(inert(err).into_owned(), bad));
    }
    spans
}

pub fn render(frame: &mut Frame, state: &State, scroll: u16, now: SystemTime) {
    let Some(bulk) = state.bulk() else {
        return;
    };
    let map = state.keymap();
    let area = frame.area();
    // The tenant bar above and the status and hint lines below stay in view.
    let below = super::chrome::status_rows(state, now, area.width)
        + u16::from(super::chrome::hint_row_shown(state));
    let [_, mid, _] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(below),
    ])
    .areas(area);
    let [_, rect, _] = Layout::horizontal([
        Constraint::Length(2),
        Constraint::Fill(1),
        Constraint::Length(2),
    ])
    .areas(mid);
    frame.render_widget(Clear, rect);
    let title = if bulk.is_done() {
        " Bulk rotation: done "
    } else {
        " Bulk rotation "
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(th().warning)
        .title(Span::styled(
            title,
            Style::new().add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [bar, summary, list, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let total = bulk.items().len();
    let finished = bulk.finished();
    let ratio = if total == 0 {
        1.0
    } else {
        f64::from(u32::try_from(finished).unwrap_or(u32::MAX))
            / f64::from(u32::try_from(total).unwrap_or(u32::MAX))
    };
    let (_, failed) = bulk.counts();
    let color = Theme::colour(if failed > 0 { th().error } else { th().success });
    frame.render_widget(
        Gauge::default()
            .gauge_style(Style::new().fg(color))
            .ratio(ratio.clamp(0.0, 1.0))
            .label(format!("{finished}/{total}")),
        bar,
    );
    let mut note = bulk.summary();
    if bulk.forgotten() {
        note.push_str("; Portico's copies erased");
    }
    frame.render_widget(
        Paragraph::new(Line::styled(note, Style::new().fg(color))),
        summary,
    );
    let lines: Vec<Line> = bulk.items().iter().map(item_line).collect();
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        list,
    );
    frame.render_widget(
        Paragraph::new(key_line(
            map,
            Layer::Progress,
            &[
                (Action::ExportJson, "export JSON"),
                (Action::ExportEnv, "export .env"),
                (Action::Stored, "all stored"),
                (Action::Down, "scroll"),
                (Action::Close, "close"),
            ],
        )),
        keys,
    );
}
