//! Drawing from `&State` only. Nothing here changes state or does I/O.

mod choices;
mod chrome;
mod detail;
mod modals;
mod panes;
pub mod text;
mod textview;

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use crate::app::State;
use crate::model::Pane;

pub use panes::EXPIRES;

/// Below this the panes cannot show a readable row, so Portico says so
/// instead of drawing a jumble.
pub const MIN_WIDTH: u16 = 48;
pub const MIN_HEIGHT: u16 = 12;

/// At most this many lines for the status line or a notice; longer text
/// wraps onto them instead of being cut.
const MAX_MESSAGE_LINES: u16 = 3;

pub fn render(frame: &mut Frame, state: &State, now: SystemTime) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame);
        return;
    }
    let [bar, body, detail_area, status, hint] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Length(lines_for(status_len(state), area.width)),
        Constraint::Length(lines_for(notice_len(state), area.width)),
    ])
    .areas(area);
    chrome::tenant_bar(frame, bar, state);
    let focus = state.focus();
    let widths = Pane::ALL.map(|p| {
        if p == focus {
            Constraint::Fill(4)
        } else {
            Constraint::Fill(3)
        }
    });
    let areas = Layout::horizontal(widths).split(body);
    for (pane, area) in Pane::ALL.into_iter().zip(areas.iter()) {
        panes::render(frame, *area, state, pane, now);
    }
    detail::render(frame, detail_area, state, now, None);
    chrome::status_line(frame, status, state, now);
    chrome::hint_line(frame, hint, state);
    modals::render(frame, state, now);
    choices::render(frame, hint, state);
    if state.no_color() {
        // Bold, reverse and underline still mark selection and urgency.
        let area = frame.area();
        let buffer = frame.buffer_mut();
        for y in area.top()..area.bottom() {
            for x in area.left()..area.right() {
                let cell = &mut buffer[(x, y)];
                cell.set_fg(ratatui::style::Color::Reset);
                cell.set_bg(ratatui::style::Color::Reset);
            }
        }
    }
}

fn too_small(frame: &mut Frame) {
    let area = frame.area();
    let text = format!(
        "terminal too small (need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{})",
        area.width, area.height
    );
    let y = area.height / 2;
    let row = ratatui::layout::Rect::new(area.x, area.y + y, area.width, area.height - y);
    frame.render_widget(
        ratatui::widgets::Paragraph::new(text)
            .wrap(ratatui::widgets::Wrap { trim: true })
            .alignment(ratatui::layout::Alignment::Center),
        row,
    );
}

/// Rows a message of `len` characters needs at `width`, within limits.
fn lines_for(len: usize, width: u16) -> u16 {
    let lines = len.div_ceil(usize::from(width.max(1))).max(1);
    u16::try_from(lines)
        .unwrap_or(MAX_MESSAGE_LINES)
        .min(MAX_MESSAGE_LINES)
}

/// A generous measure of the status line: its fixed parts plus the
/// warning and the error, which are what can run long.
fn status_len(state: &State) -> usize {
    let fixed = state.tenant().map_or(0, |t| {
        t.name().chars().count() + t.platform().chars().count() + 30
    });
    let book = state.book();
    let warning = book
        .and_then(|b| b.warning())
        .map_or(0, |w| w.chars().count() + 3);
    let error = book
        .and_then(|b| b.last_error())
        .map_or(0, |e| e.chars().count() + 3);
    fixed + warning + error
}

/// A notice takes the hint row; the filter and command prompts keep one.
fn notice_len(state: &State) -> usize {
    match (state.modal(), state.notice()) {
        (Some(crate::app::Modal::Filter(_) | crate::app::Modal::Command(_)), _) => 0,
        (_, Some(notice)) => notice.text.chars().count() + 1,
        _ => 0,
    }
}
