//! Where clicks land. [`Regions`] is taken from the same layout code the
//! frame was drawn with, right after drawing, and hit testing is a pure
//! function of it: a click means what was on screen when it was made.

use std::ops::Range;
use std::time::SystemTime;

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::{MIN_HEIGHT, MIN_WIDTH, chrome, panes, screen};
use crate::app::{Pointer, State};
use crate::keymap::Action;
use crate::model::Pane;

/// One pane as drawn: its box and, for a list, where its rows are.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PaneArea {
    pane: Pane,
    area: Rect,
    /// The rows below the header, the visible index of the first one and
    /// how many rows there are to show in all.
    rows: Option<(Rect, usize, usize)>,
}

/// The hint bar and the columns each of its actions covers.
type Hints = (Rect, Vec<(Action, Range<usize>)>);

/// The clickable parts of the last frame.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Regions {
    panes: Vec<PaneArea>,
    hint: Option<Hints>,
    /// An overlay has the screen: clicks under it mean nothing.
    covered: bool,
}

impl Regions {
    /// The regions of the frame `render` draws for `state` in `area`.
    pub fn of(state: &State, area: Rect, now: SystemTime) -> Self {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            return Self::default();
        }
        let layout = screen(state, area, now);
        let panes = layout
            .panes
            .into_iter()
            .map(|(pane, area)| PaneArea {
                pane,
                area,
                rows: rows_of(state, pane, area),
            })
            .collect();
        let hint = (state.modal().is_none() && state.keymap().hint_bar()).then(|| {
            let targets = chrome::browse_targets(state, usize::from(layout.hint.width));
            (layout.hint, targets)
        });
        Self {
            panes,
            hint,
            covered: state.modal().is_some(),
        }
    }

    /// What a mouse event means on this frame, if anything.
    pub fn hit(&self, event: &MouseEvent) -> Option<Pointer> {
        let at = Position::new(event.column, event.row);
        match event.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let down = event.kind == MouseEventKind::ScrollDown;
                if self.covered {
                    return Some(Pointer::Wheel { pane: None, down });
                }
                let pane = self.panes.iter().find(|p| p.area.contains(at))?;
                Some(Pointer::Wheel {
                    pane: Some(pane.pane),
                    down,
                })
            }
            MouseEventKind::Down(MouseButton::Left) if !self.covered => {
                if let Some((area, targets)) = &self.hint
                    && area.contains(at)
                {
                    let x = usize::from(at.x - area.x);
                    return targets
                        .iter()
                        .find(|(_, columns)| columns.contains(&x))
                        .map(|(action, _)| Pointer::Hint(*action));
                }
                let pane = self.panes.iter().find(|p| p.area.contains(at))?;
                let row = pane.rows.and_then(|(rows, first, count)| {
                    let index = first + usize::from(at.y.checked_sub(rows.y)?);
                    (rows.contains(at) && index < count).then_some(index)
                });
                Some(Pointer::Click {
                    pane: pane.pane,
                    row,
                })
            }
            _ => None,
        }
    }
}

/// Where `panes::render` puts a list's rows, from the same inputs.
fn rows_of(state: &State, pane: Pane, area: Rect) -> Option<(Rect, usize, usize)> {
    if state.unsupported_reason(pane).is_some() {
        return None;
    }
    let cursor = state.cursor(pane)?;
    let count = cursor.visible().len();
    let (_, body) = panes::split_body(state, pane, area);
    // The header takes the first line.
    let rows = Rect::new(
        body.x,
        body.y.saturating_add(1),
        body.width,
        body.height.saturating_sub(1),
    );
    let first = panes::first_row(cursor.selected(), usize::from(rows.height));
    Some((rows, first, count))
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyModifiers;

    use super::*;

    fn event(kind: MouseEventKind, column: u16, row: u16) -> MouseEvent {
        MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }
    }

    fn click(column: u16, row: u16) -> MouseEvent {
        event(MouseEventKind::Down(MouseButton::Left), column, row)
    }

    /// Two panes side by side; the second lists 5 rows from index 2 on.
    fn regions(covered: bool) -> Regions {
        Regions {
            panes: vec![
                PaneArea {
                    pane: Pane::Projects,
                    area: Rect::new(0, 1, 20, 10),
                    rows: None,
                },
                PaneArea {
                    pane: Pane::Applications,
                    area: Rect::new(20, 1, 30, 10),
                    rows: Some((Rect::new(21, 3, 28, 7), 2, 5)),
                },
            ],
            hint: Some((
                Rect::new(0, 11, 50, 1),
                vec![(Action::Sort, 0..7), (Action::Quit, 7..14)],
            )),
            covered,
        }
    }

    #[test]
    fn a_click_on_a_row_names_its_index_past_the_scrolled_off_ones() {
        let r = regions(false);
        let row = |y| match r.hit(&click(25, y)) {
            Some(Pointer::Click { pane, row }) => {
                assert_eq!(pane, Pane::Applications);
                row
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(row(3), Some(2));
        assert_eq!(row(5), Some(4));
        // Below the last row, on the header and on the border: the pane only.
        assert_eq!(row(6), None);
        assert_eq!(row(2), None);
        assert_eq!(row(1), None);
        assert_eq!(
            r.hit(&click(5, 4)),
            Some(Pointer::Click {
                pane: Pane::Projects,
                row: None
            })
        );
        assert_eq!(r.hit(&click(60, 4)), None, "outside every pane");
    }

    #[test]
    fn hints_run_their_action_and_the_wheel_scrolls_what_is_under_it() {
        let r = regions(false);
        assert_eq!(r.hit(&click(3, 11)), Some(Pointer::Hint(Action::Sort)));
        assert_eq!(r.hit(&click(7, 11)), Some(Pointer::Hint(Action::Quit)));
        assert_eq!(r.hit(&click(30, 11)), None, "past the last hint");
        assert_eq!(
            r.hit(&event(MouseEventKind::ScrollDown, 25, 4)),
            Some(Pointer::Wheel {
                pane: Some(Pane::Applications),
                down: true
            })
        );
        assert_eq!(
            r.hit(&event(MouseEventKind::Up(MouseButton::Left), 25, 4)),
            None
        );
    }

    #[test]
    fn under_an_overlay_clicks_mean_nothing_and_the_wheel_scrolls_it() {
        let r = regions(true);
        assert_eq!(r.hit(&click(25, 4)), None);
        assert_eq!(r.hit(&click(3, 11)), None);
        assert_eq!(
            r.hit(&event(MouseEventKind::ScrollUp, 25, 4)),
            Some(Pointer::Wheel {
                pane: None,
                down: false
            })
        );
    }
}
