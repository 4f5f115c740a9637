//! The completions Tab listed in command mode, drawn just above the
//! command line so the user sees what can follow what they typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::text::inert;
use crate::app::State;

/// At most this many rows of choices; more are summarised by a count.
const MAX_ROWS: u16 = 6;

pub fn render(frame: &mut Frame, prompt: Rect, state: &State) {
    let Some(words) = state.command_choices() else {
        return;
    };
    let width = prompt.width.max(1);
    // Each choice with two spaces after it, laid out as Paragraph wraps.
    let mut rows = 1u16;
    let mut used = 0usize;
    for w in words {
        let len = inert(w).chars().count() + 2;
        if used > 0 && used + len > usize::from(width) {
            rows += 1;
            used = 0;
        }
        used += len;
    }
    let height = rows.min(MAX_ROWS) + 1;
    let top = prompt.y.saturating_sub(height);
    let area = Rect::new(prompt.x, top, width, prompt.y - top);
    let spans: Vec<Span> = words
        .iter()
        .map(|w| Span::styled(format!("{}  ", inert(w)), super::theme::current().hint_key))
        .collect();
    let title = format!(" {} choices ", words.len());
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(Line::from(spans))
            .wrap(Wrap { trim: false })
            .block(
                Block::new()
                    .borders(Borders::TOP)
                    .title(title)
                    .border_style(super::theme::current().dimmed),
            ),
        area,
    );
}
