//! The detail view of the focused pane's selection.

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::text::{escaped_form, expiry_style, expiry_text, inert};
use crate::app::State;

/// `full` is the scroll offset of the full-screen view, `None` for the pane.
pub fn render(frame: &mut Frame, area: Rect, state: &State, now: SystemTime, full: Option<u16>) {
    let t = super::theme::current();
    let focus = state.focus();
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(if full.is_some() { t.dialog } else { t.border })
        .title(" Detail ");
    let Some(res) = state.selected(focus) else {
        let text = match state.unsupported_reason(focus) {
            Some(reason) => reason.to_string(),
            None => "nothing selected".to_string(),
        };
        frame.render_widget(Paragraph::new(text).style(t.dimmed).block(block), area);
        return;
    };
    let key = t.hint_key;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                inert(&res.name).into_owned(),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::styled(format!("  {}", res.kind.label()), t.dimmed),
        ]),
        Line::from(vec![
            Span::styled("id: ", key),
            Span::raw(inert(&res.id).into_owned()),
        ]),
    ];
    // Lookalike names (a Cyrillic `а`, a zero-width joiner) read the same;
    // spelled out, they differ.
    if let Some(escaped) = escaped_form(&res.name) {
        lines.push(Line::from(vec![
            Span::styled("name (escaped): ", key),
            Span::raw(escaped),
        ]));
    }
    if let Some(status) = &res.status {
        lines.push(Line::from(vec![
            Span::styled("status: ", key),
            Span::raw(inert(status).into_owned()),
        ]));
    }
    if let Some(exp) = res.expires {
        lines.push(Line::from(vec![
            Span::styled("expires: ", key),
            Span::styled(expiry_text(exp, now), expiry_style(exp, now)),
        ]));
    }
    for (k, v) in res.fields() {
        let mut value_lines = v.lines();
        let first = value_lines.next().unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", inert(k)), key),
            Span::raw(inert(first).into_owned()),
        ]));
        // Multi-line values (a PEM) show in full only in the full view.
        if full.is_some() {
            lines.extend(value_lines.map(|l| Line::raw(format!("  {}", inert(l)))));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((full.unwrap_or(0), 0))
            .block(block),
        area,
    );
}
