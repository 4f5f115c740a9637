//! Overlays: help, full detail, tenant picker, forms, confirms and the
//! issued-secret view.

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use super::detail;
use super::text::inert;
use crate::app::{Choose, Confirm, Form, Modal, Picker, SecretView, State};
use crate::keymap::Action;
use crate::platform::Input;

pub fn render(frame: &mut Frame, state: &State, now: SystemTime) {
    match state.modal() {
        None | Some(Modal::Filter(_)) | Some(Modal::Command(_)) => {}
        Some(Modal::Help(scroll)) => help(frame, state, *scroll),
        Some(Modal::Detail(scroll)) => {
            let area = popup(frame.area(), 90, 90);
            frame.render_widget(Clear, area);
            detail::render(frame, area, state, now, Some(*scroll));
        }
        Some(Modal::Picker(p)) => picker(frame, state, p),
        Some(Modal::Choose(c)) => choose(frame, c),
        Some(Modal::Form(f)) => form(frame, f),
        Some(Modal::Confirm(c)) => confirm(frame, c),
        Some(Modal::Secret(s)) => secret(frame, state, s),
    }
}

fn popup(area: Rect, width_pct: u16, height_pct: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Percentage(height_pct)])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Percentage(width_pct)])
        .flex(Flex::Center)
        .areas(row);
    cell
}

fn sized(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

fn frame_block(title: String, color: Color) -> Block<'static> {
    Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(color))
        .title(Span::styled(
            title,
            Style::new().add_modifier(Modifier::BOLD),
        ))
}

fn help(frame: &mut Frame, state: &State, scroll: u16) {
    let area = popup(frame.area(), 80, 90);
    frame.render_widget(Clear, area);
    let mut lines = Vec::new();
    for (layer, rows) in state.keymap().help() {
        lines.push(Line::styled(
            layer.title(),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        ));
        for (keys, text) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<22}"), Style::new().fg(Color::Cyan)),
                Span::raw(text),
            ]));
        }
        lines.push(Line::from(""));
    }
    lines.push(Line::styled(
        "Forms: ↑/↓ field · Tab next field or complete a path · Enter submit · Esc cancel",
        Style::new().add_modifier(Modifier::DIM),
    ));
    lines.push(Line::styled(
        "Keys are rebindable: <config dir>/portico/keymap.toml (see assets/keymap.toml)",
        Style::new().add_modifier(Modifier::DIM),
    ));
    frame.render_widget(
        Paragraph::new(lines).scroll((scroll, 0)).block(frame_block(
            " Help · j/k scroll · Esc close ".into(),
            Color::Cyan,
        )),
        area,
    );
}

fn picker(frame: &mut Frame, state: &State, p: &Picker) {
    let height = (p.matches.len() as u16 + 4).min(20);
    let area = sized(frame.area(), 50, height);
    frame.render_widget(Clear, area);
    let mut lines = vec![Line::from(vec![
        Span::styled("> ", Style::new().fg(Color::Cyan)),
        Span::raw(inert(p.input.text()).into_owned()),
        Span::styled("▏", Style::new().fg(Color::Cyan)),
    ])];
    for (row, index) in p.matches.iter().enumerate() {
        let Some(t) = state.tenants().get(*index) else {
            continue;
        };
        let style = if row == p.selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {} ", index + 1),
                Style::new().fg(t.color().unwrap_or(Color::Cyan)),
            ),
            Span::styled(format!("{:<24}", inert(t.name())), style),
            Span::styled(
                format!(" {}", t.platform()),
                Style::new().add_modifier(Modifier::DIM),
            ),
        ]));
    }
    frame.render_widget(
        Paragraph::new(lines).block(frame_block(" Switch tenant ".into(), Color::Cyan)),
        area,
    );
}

fn choose(frame: &mut Frame, c: &Choose) {
    let area = sized(frame.area(), 40, c.kinds.len() as u16 + 3);
    frame.render_widget(Clear, area);
    let mut lines: Vec<Line> = c
        .kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            let style = if i == c.selected {
                Style::new().add_modifier(Modifier::REVERSED)
            } else {
                Style::new()
            };
            Line::styled(format!(" {} ", kind.label()), style)
        })
        .collect();
    lines.push(Line::styled(
        " Enter choose · Esc cancel",
        Style::new().add_modifier(Modifier::DIM),
    ));
    frame.render_widget(
        Paragraph::new(lines).block(frame_block(" Create which? ".into(), Color::Cyan)),
        area,
    );
}

fn form(frame: &mut Frame, f: &Form) {
    let completions = f
        .fields
        .get(f.focus)
        .map_or(0, |x| x.completions.len().min(8));
    let height = f.fields.len() as u16 * 2 + 5 + completions as u16;
    let area = sized(frame.area(), 72, height);
    frame.render_widget(Clear, area);
    let mut lines = Vec::new();
    for (i, field) in f.fields.iter().enumerate() {
        let focused = i == f.focus;
        let label = format!(
            "{}{}",
            field.spec.label,
            if field.spec.required { " *" } else { "" }
        );
        let hint = match field.spec.input {
            Input::Path => " · Tab completes",
            Input::Pem => " · Tab completes",
            Input::Date => " (YYYY-MM-DD)",
            Input::List => " (comma-separated)",
            Input::Choice(options) => {
                lines.push(Line::styled(
                    format!("{label}  ←/→ picks: {}", options.join(" | ")),
                    Style::new().fg(if focused { Color::Cyan } else { Color::Gray }),
                ));
                ""
            }
            Input::Text => "",
        };
        if !matches!(field.spec.input, Input::Choice(_)) {
            lines.push(Line::styled(
                format!("{label}{hint}"),
                Style::new().fg(if focused { Color::Cyan } else { Color::Gray }),
            ));
        }
        let value = match &field.pasted {
            Some(text) => format!(
                "(pasted text, {} lines; Backspace clears)",
                text.lines().count()
            ),
            None => inert(field.input.text()).into_owned(),
        };
        let mut spans = vec![Span::raw(format!(" {value}"))];
        if focused {
            spans.push(Span::styled("▏", Style::new().fg(Color::Cyan)));
        }
        lines.push(Line::from(spans));
        if focused {
            for c in field.completions.iter().take(8) {
                lines.push(Line::styled(
                    format!("   {}", inert(c)),
                    Style::new().add_modifier(Modifier::DIM),
                ));
            }
        }
    }
    lines.push(Line::from(""));
    if f.pending.is_some() {
        lines.push(Line::styled("working…", Style::new().fg(Color::Yellow)));
    } else if let Some(err) = &f.error {
        lines.push(Line::styled(
            format!("✗ {}", inert(err)),
            Style::new().fg(Color::Red),
        ));
    } else {
        lines.push(Line::styled(
            "Enter submit · ↑/↓ field · Esc cancel",
            Style::new().add_modifier(Modifier::DIM),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(frame_block(format!(" {} ", inert(&f.title)), Color::Cyan)),
        area,
    );
}

fn confirm(frame: &mut Frame, c: &Confirm) {
    let height = c.lines.len() as u16 + 6 + if c.typed.is_some() { 2 } else { 0 };
    let area = sized(frame.area(), 70, height + 2);
    frame.render_widget(Clear, area);
    let mut lines: Vec<Line> = c
        .lines
        .iter()
        .map(|l| Line::raw(inert(l).into_owned()))
        .collect();
    lines.push(Line::from(""));
    match &c.typed {
        Some((expected, input)) => {
            lines.push(Line::styled(
                format!(
                    "Protected tenant: type \"{}\" and press Enter",
                    inert(expected)
                ),
                Style::new().fg(Color::Magenta),
            ));
            lines.push(Line::from(vec![
                Span::raw(format!(" {}", inert(input.text()))),
                Span::styled("▏", Style::new().fg(Color::Magenta)),
            ]));
        }
        None => lines.push(Line::from(vec![
            Span::styled(" y/Enter ", Style::new().fg(Color::Black).bg(Color::Red)),
            Span::raw(" go ahead   "),
            Span::styled(" n/Esc ", Style::new().fg(Color::Black).bg(Color::Gray)),
            Span::raw(" cancel"),
        ])),
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(frame_block(format!(" {} ", inert(&c.title)), Color::Red)),
        area,
    );
}

fn secret(frame: &mut Frame, state: &State, s: &SecretView) {
    let area = sized(frame.area(), 84, 16 + s.checks.len() as u16);
    frame.render_widget(Clear, area);
    let map = state.keymap();
    let mut lines = vec![Line::raw(inert(&s.summary).into_owned()), Line::from("")];
    if let Some(id) = &s.issued.public_id {
        lines.push(Line::from(vec![
            Span::styled("id:     ", Style::new().fg(Color::Cyan)),
            Span::raw(inert(id).into_owned()),
        ]));
    }
    let shown = if s.revealed {
        inert(s.issued.secret.expose()).into_owned()
    } else {
        s.issued.secret.masked()
    };
    lines.push(Line::from(vec![
        Span::styled("secret: ", Style::new().fg(Color::Cyan)),
        Span::styled(
            shown,
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ),
    ]));
    lines.push(Line::from(""));
    let note = if s.rereadable {
        format!(
            "The platform shows this {} again on request; Portico keeps no copy.",
            inert(&s.issued.label)
        )
    } else {
        format!(
            "This {} is shown only now. Copy it somewhere safe.",
            inert(&s.issued.label)
        )
    };
    lines.push(Line::styled(
        note,
        Style::new().add_modifier(Modifier::BOLD),
    ));
    match &s.saved {
        Some(Ok(path)) => lines.push(Line::styled(
            format!(
                "A copy is saved (owner-only) at {}",
                inert(&path.display().to_string())
            ),
            Style::new().add_modifier(Modifier::DIM),
        )),
        Some(Err(err)) => lines.push(Line::styled(
            format!("Could not save a copy: {}", inert(err)),
            Style::new().fg(Color::Red),
        )),
        None => {}
    }
    for check in &s.checks {
        let (mark, color) = if check.passed {
            ("✓", Color::Green)
        } else {
            ("✗", Color::Red)
        };
        lines.push(Line::styled(
            format!("{mark} {}", inert(&check.label)),
            Style::new().fg(color),
        ));
    }
    if let Some(follow) = &s.follow_up {
        lines.push(Line::from(""));
        lines.push(Line::styled(
            inert(&follow.prompt).into_owned(),
            Style::new().fg(Color::Yellow),
        ));
    }
    lines.push(Line::from(""));
    let key = |a: Action| Span::styled(format!(" {} ", map.hint(a)), Style::new().fg(Color::Cyan));
    let stored = if s.follow_up.is_some() {
        "stored, continue"
    } else {
        "done"
    };
    lines.push(Line::from(vec![
        key(Action::Reveal),
        Span::raw(if s.revealed { "mask  " } else { "reveal  " }),
        key(Action::CopySecret),
        Span::raw("copy  "),
        key(Action::Stored),
        Span::raw(format!("{stored}  ")),
        key(Action::Close),
        Span::raw(if s.follow_up.is_some() {
            "stop here"
        } else {
            "close"
        }),
    ]));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(frame_block(
                if s.rereadable {
                    " Secret "
                } else {
                    " New secret "
                }
                .into(),
                Color::Yellow,
            )),
        area,
    );
}
