//! A page of long text (the full error), wrapped and scrollable, with its
//! keys taken from the live keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use super::modals::key_line;
use super::text::inert;
use crate::app::TextView;
use crate::keymap::{Action, Keymap, Layer};

pub fn render(frame: &mut Frame, map: &Keymap, view: &TextView) {
    let [row] = Layout::vertical([Constraint::Percentage(70)])
        .flex(Flex::Center)
        .areas(frame.area());
    let [area] = Layout::horizontal([Constraint::Percentage(80)])
        .flex(Flex::Center)
        .areas(row);
    frame.render_widget(Clear, area);
    let lines: Vec<Line> = view
        .lines
        .iter()
        .map(|l| Line::raw(inert(l).into_owned()))
        .collect();
    let keys = key_line(
        map,
        Layer::Text,
        &[
            (Action::Down, "scroll"),
            (Action::PageDown, "page"),
            (Action::Close, "close"),
        ],
    );
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(super::theme::current().error)
        .title(Span::styled(
            format!(" {} ", inert(&view.title)),
            Style::new().add_modifier(Modifier::BOLD),
        ))
        .title_bottom(keys);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((view.scroll, 0))
            .block(block),
        area,
    );
}
