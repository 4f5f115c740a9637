//! Drawing from `&State` only. Nothing here changes state or does I/O.

mod choices;
mod chrome;
mod detail;
mod fit;
mod modals;
mod mouse;
mod panes;
mod progress;
mod radar;
mod rawdoc;
mod split;
pub mod text;
mod textview;
pub mod theme;

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::buffer::{Cell, CellDiffOption};
use ratatui::layout::{Alignment, Direction, Rect};
use ratatui::style::{Color, Modifier};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::State;
use crate::model::Pane;
use fit::cells;
use split::Part;
pub use theme::{Theme, ThemeError};

/// A pane the platform lacks keeps a narrow strip with its reason, so the
/// layout holds across tenants; the panes with data share the rest.
const UNSUPPORTED_WIDTH: u16 = 22;

/// What a pane with data needs for a readable name beside its borders;
/// in a narrow terminal the strips give way to it.
const MIN_LIST_WIDTH: u16 = 30;

/// The narrowest a strip gets: its title and a word of its reason.
const MIN_STRIP_WIDTH: u16 = 8;

fn pane_widths(state: &State, panes: &[Pane], width: u16) -> Vec<Part> {
    let focus = state.focus();
    let strips = panes
        .iter()
        .filter(|p| state.unsupported_reason(**p).is_some())
        .count();
    let lists = cells(panes.len() - strips);
    let strips = cells(strips);
    let strip = if width.saturating_sub(strips * UNSUPPORTED_WIDTH) >= lists * MIN_LIST_WIDTH {
        UNSUPPORTED_WIDTH
    } else {
        (width.saturating_sub(lists * MIN_LIST_WIDTH) / strips.max(1))
            .clamp(MIN_STRIP_WIDTH, UNSUPPORTED_WIDTH)
    };
    panes
        .iter()
        .map(|p| {
            if state.unsupported_reason(*p).is_some() {
                Part::Length(strip)
            } else if *p == Pane::View && *p == focus && state.radar().is_some() {
                // A table across tenants needs its tenant and date columns.
                Part::Fill(9)
            } else if *p == focus {
                Part::Fill(4)
            } else {
                Part::Fill(3)
            }
        })
        .collect()
}

pub use mouse::Regions;
pub use panes::EXPIRES;

/// Below this the panes cannot show a readable row, so Portico says so
/// instead of drawing a jumble.
pub const MIN_WIDTH: u16 = 48;
pub const MIN_HEIGHT: u16 = 12;

/// Draws with the default (dark) theme.
pub fn render(frame: &mut Frame, state: &State, now: SystemTime) {
    render_with(frame, state, &Theme::default(), now);
}

/// Draws with `theme`.
pub fn render_with(frame: &mut Frame, state: &State, theme: &Theme, now: SystemTime) {
    let _theme = theme::scoped(theme);
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame);
        return;
    }
    let Screen {
        bar,
        panes,
        detail_area,
        status,
        hint,
    } = screen(state, area, now);
    chrome::tenant_bar(frame, bar, state);
    for (pane, area) in panes {
        match (pane, state.radar()) {
            (Pane::View, Some(radar)) => radar::render(frame, area, state, radar, now),
            _ => panes::render(frame, area, state, pane, now),
        }
    }
    detail::render(frame, detail_area, state, now, None);
    chrome::status_line(frame, status, state, now);
    chrome::hint_line(frame, hint, state);
    modals::render(frame, state, now);
    choices::render(frame, hint, state);
    if state.no_color() {
        strip_colour(frame);
    }
    blank_unseen(frame);
}

/// Attributes that change nothing on a space with the default background.
const UNSEEN_ON_BLANK: Modifier = Modifier::DIM.union(Modifier::BOLD).union(Modifier::ITALIC);

/// A space whose colour and attributes cannot be seen becomes a plain
/// blank. A dimmed pane dims every cell it covers, spaces too, and each
/// such space would otherwise be written out: they were four cells in
/// five of the first frame, so frames carry only what shows.
fn blank_unseen(frame: &mut Frame) {
    for cell in &mut frame.buffer_mut().content {
        if cell.bg == Color::Reset
            && UNSEEN_ON_BLANK.contains(cell.modifier)
            && cell.diff_option == CellDiffOption::None
            && cell.symbol() == " "
            && !cell_skipped(cell)
        {
            *cell = Cell::EMPTY;
        }
    }
}

#[allow(deprecated)] // `Cell::skip` still counts when diffing.
const fn cell_skipped(cell: &Cell) -> bool {
    cell.skip
}

/// Where each part of the screen goes: drawing and clicks share it.
struct Screen {
    bar: Rect,
    panes: Vec<(Pane, Rect)>,
    detail_area: Rect,
    status: Rect,
    hint: Rect,
}

fn screen(state: &State, area: Rect, now: SystemTime) -> Screen {
    let [bar, body, detail_area, status, hint] = split::split_n(
        area,
        Direction::Vertical,
        [
            Part::Length(1),
            Part::Fill(3),
            Part::Fill(2),
            Part::Length(chrome::status_rows(state, now, area.width)),
            Part::Length(u16::from(chrome::hint_row_shown(state))),
        ],
    );
    let panes = state.panes();
    let areas = split::split(
        body,
        Direction::Horizontal,
        &pane_widths(state, &panes, body.width),
    );
    Screen {
        bar,
        panes: panes.into_iter().zip(areas).collect(),
        detail_area,
        status,
        hint,
    }
}

/// `NO_COLOR`: every cell loses its colours after drawing, so no widget
/// needs to know; bold, reverse and underline still mark selection and
/// urgency.
fn strip_colour(frame: &mut Frame) {
    let area = frame.area();
    let buffer = frame.buffer_mut();
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buffer[(x, y)];
            cell.set_fg(Color::Reset);
            cell.set_bg(Color::Reset);
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
    let row = Rect::new(area.x, area.y + y, area.width, area.height - y);
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .alignment(Alignment::Center),
        row,
    );
}
