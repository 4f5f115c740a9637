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
    let beyond = state.command_choices_beyond();
    let more = (beyond > 0).then(|| format!("+{beyond} more"));
    let width = prompt.width.max(1);
    // Each choice with two spaces after it, laid out as Paragraph wraps.
    let mut rows = 1u16;
    let mut used = 0usize;
    let lengths = words
        .iter()
        .map(|w| inert(w).chars().count())
        .chain(more.as_ref().map(|m| m.chars().count()));
    for len in lengths {
        let len = len + 2;
        if used > 0 && used + len > usize::from(width) {
            rows += 1;
            used = 0;
        }
        used += len;
    }
    let height = rows.min(MAX_ROWS) + 1;
    let top = prompt.y.saturating_sub(height);
    let area = Rect::new(prompt.x, top, width, prompt.y - top);
    let mut spans: Vec<Span> = words
        .iter()
        .map(|w| Span::styled(format!("{}  ", inert(w)), super::theme::current().hint_key))
        .collect();
    spans.extend(more.map(|m| Span::styled(m, super::theme::current().dimmed)));
    let title = match beyond {
        0 => format!(" {} choices ", words.len()),
        _ => format!(" {} of {} choices ", words.len(), words.len() + beyond),
    };
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
