//! Drawing from `&State` only. Nothing here changes state or does I/O.

mod chrome;
mod detail;
mod modals;
mod panes;
pub mod text;

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use crate::app::State;
use crate::model::Pane;

/// A pane the platform lacks keeps a narrow strip with its reason, so the
/// layout holds across tenants; the panes with data share the rest.
const UNSUPPORTED_WIDTH: u16 = 22;

fn pane_widths(state: &State, panes: &[Pane]) -> Vec<Constraint> {
    let focus = state.focus();
    panes
        .iter()
        .map(|p| {
            if state.unsupported_reason(*p).is_some() {
                Constraint::Length(UNSUPPORTED_WIDTH)
            } else if *p == focus {
                Constraint::Fill(4)
            } else {
                Constraint::Fill(3)
            }
        })
        .collect()
}

pub use panes::EXPIRES;

pub fn render(frame: &mut Frame, state: &State, now: SystemTime) {
    let [bar, body, detail_area, status, hint] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    chrome::tenant_bar(frame, bar, state);
    let panes = state.panes();
    let areas = Layout::horizontal(pane_widths(state, &panes)).split(body);
    for (pane, area) in panes.into_iter().zip(areas.iter()) {
        panes::render(frame, *area, state, pane, now);
    }
    detail::render(frame, detail_area, state, now, None);
    chrome::status_line(frame, status, state, now);
    chrome::hint_line(frame, hint, state);
    modals::render(frame, state, now);
}
