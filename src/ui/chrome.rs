//! The tenant bar, the status line and the hint line.

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::text::{age, inert, spinner};
use crate::app::{Level, Modal, State};
use crate::keymap::Action;

pub fn tenant_bar(frame: &mut Frame, area: Rect, state: &State) {
    let mut spans = Vec::new();
    if state.demo_hint().is_some() {
        spans.push(Span::styled(
            " DEMO ",
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(" "));
    }
    for (i, tenant) in state.tenants().iter().enumerate() {
        let color = tenant.color().unwrap_or(Color::Cyan);
        let label = format!(" {} {} ", i + 1, inert(tenant.name()));
        let style = if i == state.active() {
            Style::new()
                .fg(Color::Black)
                .bg(color)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(color)
        };
        spans.push(Span::styled(label, style));
        if tenant.read_only() {
            spans.push(Span::styled("[RO]", Style::new().fg(Color::Red)));
        }
        if tenant.protected() {
            spans.push(Span::styled("[P]", Style::new().fg(Color::Magenta)));
        }
    }
    let help = format!("{} help ", state.keymap().hint(Action::Help));
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let pad = (area.width as usize).saturating_sub(used + help.len());
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(help, Style::new().add_modifier(Modifier::DIM)));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn status_line(frame: &mut Frame, area: Rect, state: &State, now: SystemTime) {
    let Some(tenant) = state.tenant() else {
        frame.render_widget(Paragraph::new("no tenants configured"), area);
        return;
    };
    let color = tenant.color().unwrap_or(Color::Cyan);
    let mut spans = vec![
        Span::styled(
            format!(" {} ", inert(tenant.name())),
            Style::new().fg(Color::Black).bg(color),
        ),
        Span::styled(format!(" {} ", tenant.platform()), Style::new().fg(color)),
    ];
    if tenant.read_only() {
        spans.push(Span::styled(
            "[RO] ",
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ));
    }
    let pending = state.in_flight();
    if pending > 0 {
        spans.push(Span::styled(
            format!("{} {pending} in flight ", spinner(state.spinner())),
            Style::new().fg(Color::Yellow),
        ));
    }
    if let Some(loaded) = state.listing(state.focus()).and_then(|l| l.loaded_at()) {
        spans.push(Span::styled(
            format!("· {} old ", age(now, loaded)),
            Style::new().add_modifier(Modifier::DIM),
        ));
    }
    if let Some(book) = state.book() {
        if let Some(warning) = book.warning() {
            spans.push(Span::styled(
                format!("⚠ {} ", inert(warning)),
                Style::new().fg(Color::Yellow),
            ));
        }
        if let Some(err) = book.last_error() {
            spans.push(Span::styled(
                format!("✗ {} ", inert(err)),
                Style::new().fg(Color::Red),
            ));
        }
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).wrap(Wrap { trim: false }),
        area,
    );
}

/// A one-line prompt: its sigil, what was typed, a cursor and key hints.
fn prompt(sigil: &'static str, color: Color, typed: &str, keys: &'static str) -> Line<'static> {
    Line::from(vec![
        Span::styled(sigil, Style::new().fg(color)),
        Span::raw(inert(typed).into_owned()),
        Span::styled("▏", Style::new().fg(color)),
        Span::styled(
            format!("  {keys}"),
            Style::new().add_modifier(Modifier::DIM),
        ),
    ])
}

pub fn hint_line(frame: &mut Frame, area: Rect, state: &State) {
    let line = match (state.modal(), state.notice()) {
        (Some(Modal::Filter(input)), _) => {
            prompt("/", Color::Magenta, input.text(), "Enter keep · Esc clear")
        }
        (Some(Modal::Command(input)), _) => prompt(
            ":",
            Color::Cyan,
            input.text(),
            "Tab complete · Enter run · Esc cancel",
        ),
        (_, Some(notice)) => {
            let style = match notice.level {
                Level::Info => Style::new(),
                Level::Success => Style::new().fg(Color::Green),
                Level::Error => Style::new().fg(Color::Red),
            };
            Line::styled(format!(" {}", inert(&notice.text)), style)
        }
        (_, None) => match state.demo_hint() {
            Some(hint) => Line::styled(format!(" {}", inert(hint)), Style::new().fg(Color::Yellow)),
            None => keys_hint(state),
        },
    };
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), area);
}

fn keys_hint(state: &State) -> Line<'static> {
    let map = state.keymap();
    let pairs = [
        (Action::Tenants, "tenant"),
        (Action::Filter, "filter"),
        (Action::New, "new"),
        (Action::Edit, "edit"),
        (Action::Delete, "delete"),
        (Action::Rotate, "rotate"),
        (Action::Refresh, "refresh"),
        (Action::Quit, "quit"),
    ];
    let mut spans = Vec::new();
    for (action, label) in pairs {
        spans.push(Span::styled(
            format!(" {}", map.hint(action)),
            Style::new().fg(Color::Cyan),
        ));
        spans.push(Span::styled(
            format!(" {label} "),
            Style::new().add_modifier(Modifier::DIM),
        ));
    }
    Line::from(spans)
}
