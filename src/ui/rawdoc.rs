//! The `Y` view. Only the lines in view are wrapped and drawn, and each
//! is at most [`LINE_CHARS`](crate::app::LINE_CHARS) long, so a frame costs the same however
//! large the document or any one field of it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use super::fit::wrap;
use super::modals::key_line;
use super::text::inert;
use crate::app::RawDoc;
use crate::keymap::{Action, Keymap, Layer};

pub fn render(frame: &mut Frame, map: &Keymap, doc: &RawDoc) {
    let [row] = Layout::vertical([Constraint::Percentage(80)])
        .flex(Flex::Center)
        .areas(frame.area());
    let [area] = Layout::horizontal([Constraint::Percentage(85)])
        .flex(Flex::Center)
        .areas(row);
    frame.render_widget(Clear, area);
    let keys = key_line(
        map,
        Layer::Raw,
        &[
            (Action::Down, "scroll"),
            (Action::PageDown, "page"),
            (Action::CopyId, "copy id"),
            (Action::Close, "close"),
        ],
    );
    let total = doc.lines().map_or(0, <[String]>::len);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(super::theme::current().dialog)
        .title(Span::styled(
            format!(" {} ", inert(doc.title())),
            Style::new().add_modifier(Modifier::BOLD),
        ))
        .title(Line::from(format!(" {}/{total} ", doc.scroll() + 1)).right_aligned())
        .title_bottom(keys);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(lines) = doc.lines() else {
        frame.render_widget(
            Paragraph::new("reading the document from the platform…")
                .style(super::theme::current().dimmed),
            inner,
        );
        return;
    };
    let height = usize::from(inner.height);
    let width = usize::from(inner.width);
    let mut rows: Vec<Line<'static>> = Vec::with_capacity(height);
    for line in lines.iter().skip(doc.scroll()) {
        if rows.len() >= height {
            break;
        }
        let shown = Line::raw(inert(line).into_owned());
        rows.extend(wrap(&shown, width));
    }
    rows.truncate(height);
    frame.render_widget(Paragraph::new(rows), inner);
}
