//! Clicks and the wheel, once the runtime has found what they landed on
//! (see `ui::Regions`). A click on a hint runs its action as the key would.

use super::message::Effect;
use super::ops::set_focus;
use super::state::State;
use super::update::on_press;
use crate::keymap::{Action, Press};
use crate::model::Pane;

/// Rows the wheel moves a list by, one notch.
const WHEEL_ROWS: isize = 3;

/// A mouse event, by what it landed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pointer {
    /// A left click in a pane, on a row (its index among the visible rows)
    /// or elsewhere in it.
    Click { pane: Pane, row: Option<usize> },
    /// A notch of the wheel over a pane, or over an overlay (`None`).
    Wheel { pane: Option<Pane>, down: bool },
    /// A click on a hint in the hint bar.
    Hint(Action),
}

pub(super) fn on_pointer(state: &mut State, pointer: Pointer, fx: &mut Vec<Effect>) {
    match pointer {
        Pointer::Click { pane, row } => {
            if state.unsupported_reason(pane).is_some() {
                return;
            }
            state.notice = None;
            set_focus(state, pane);
            if let (Some(row), Some(cursor)) = (row, state.cursor_mut(pane))
                && row < cursor.visible.len()
            {
                cursor.selected = row;
            }
        }
        Pointer::Wheel { pane: None, down } => {
            // An overlay scrolls the way its arrow keys do.
            let action = if down { Action::Down } else { Action::Up };
            on_press(state, Press::Act(action), fx);
        }
        Pointer::Wheel {
            pane: Some(pane),
            down,
        } => {
            if let Some(cursor) = state.cursor_mut(pane) {
                let len = cursor.visible.len();
                if len == 0 {
                    return;
                }
                cursor.selected = if down {
                    cursor
                        .selected
                        .saturating_add(WHEEL_ROWS.unsigned_abs())
                        .min(len - 1)
                } else {
                    cursor.selected.saturating_sub(WHEEL_ROWS.unsigned_abs())
                };
            }
        }
        Pointer::Hint(action) => on_press(state, Press::Act(action), fx),
    }
}
