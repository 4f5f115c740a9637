//! The opening frame's cells, for a screen that is still blank.
//!
//! ratatui writes a frame as the difference from the one before, and its
//! diff measures every cell's width and compares it in full before it
//! knows whether the cell changed: a fifth of the first frame's
//! instructions, spent comparing against a screen known to be blank. This
//! yields the very cells, in the same order, that the diff from a blank
//! buffer yields (a property test holds it to ratatui's), looking at a
//! cell's width only when the cell is not blank.

#![allow(deprecated)] // `Cell::skip`: the diff still honours it, so this must too.

use ratatui::buffer::{Buffer, Cell, CellDiffOption, CellWidth};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

/// `(x, y, cell)` for every cell of `buffer` that a blank screen lacks.
pub struct OntoBlank<'a> {
    cells: &'a [Cell],
    area: Rect,
    at: usize,
    /// The columns a wide emoji with a variation selector covers, still to
    /// be looked at: some terminals leave a stale glyph there.
    trailing: Option<(usize, usize)>,
}

impl<'a> OntoBlank<'a> {
    pub fn new(buffer: &'a Buffer) -> Self {
        Self {
            cells: &buffer.content,
            area: buffer.area,
            at: 0,
            trailing: None,
        }
    }

    fn place(&self, index: usize) -> (u16, u16) {
        let width = usize::from(self.area.width.max(1));
        let x = index % width + usize::from(self.area.x);
        let y = index / width + usize::from(self.area.y);
        (
            u16::try_from(x).unwrap_or(u16::MAX),
            u16::try_from(y).unwrap_or(u16::MAX),
        )
    }
}

const fn skipped(cell: &Cell) -> bool {
    matches!(cell.diff_option, CellDiffOption::Skip)
        || (cell.skip && matches!(cell.diff_option, CellDiffOption::None))
}

/// A cell with `Cell::EMPTY`'s look, the cheap fields first; its skip
/// flag and diff option are the caller's to have checked.
fn blank(cell: &Cell) -> bool {
    cell.bg == Color::Reset
        && cell.fg == Color::Reset
        && cell.modifier == Modifier::empty()
        && cell.underline_color == Color::Reset
        && cell.symbol() == " "
}

impl<'a> Iterator for OntoBlank<'a> {
    type Item = (u16, u16, &'a Cell);

    fn next(&mut self) -> Option<Self::Item> {
        let len = self.cells.len();
        if let Some((mut next, mut end)) = self.trailing.take() {
            while next < end {
                let j = next;
                let cell = &self.cells[j];
                next += usize::from(cell.cell_width().max(1));
                end = end.max(next).min(len);
                if !skipped(cell) && cell.symbol() != " " {
                    self.trailing = Some((next, end));
                    let (x, y) = self.place(j);
                    return Some((x, y, cell));
                }
            }
            self.at = end;
        }
        while self.at < len {
            let i = self.at;
            self.at += 1;
            let cell = &self.cells[i];
            match cell.diff_option {
                CellDiffOption::Skip => {}
                _ if skipped(cell) => {}
                CellDiffOption::ForcedWidth(width) => {
                    self.at += usize::from(width.get().saturating_sub(1));
                    if cell != &Cell::EMPTY {
                        let (x, y) = self.place(i);
                        return Some((x, y, cell));
                    }
                }
                CellDiffOption::None | CellDiffOption::AlwaysUpdate => {
                    if matches!(cell.diff_option, CellDiffOption::None) && blank(cell) {
                        continue;
                    }
                    let width = usize::from(cell.cell_width());
                    if width > 1 && cell.symbol().contains('\u{FE0F}') {
                        self.trailing = Some((i + 1, (i + width).min(len)));
                    } else if width > 1 {
                        self.at += width - 1;
                    }
                    let (x, y) = self.place(i);
                    return Some((x, y, cell));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ratatui::style::Style;

    fn symbol() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            " ",
            " ",
            " ",
            "a",
            "─",
            "│",
            "界",
            "👍",
            "❤\u{fe0f}",
            "\u{2764}",
            "",
            "é",
            "ﾞ",
        ])
    }

    fn colour() -> impl Strategy<Value = Color> {
        prop::sample::select(vec![
            Color::Reset,
            Color::Reset,
            Color::Red,
            Color::Indexed(8),
            Color::Rgb(1, 2, 3),
        ])
    }

    fn cell() -> impl Strategy<Value = Cell> {
        (
            symbol(),
            colour(),
            colour(),
            prop::sample::select(vec![Modifier::empty(), Modifier::BOLD, Modifier::REVERSED]),
            (0u8..12, colour()),
        )
            .prop_map(|(symbol, fg, bg, modifier, (option, underline))| {
                let mut cell = Cell::EMPTY;
                cell.set_symbol(symbol).set_style(
                    Style::new()
                        .fg(fg)
                        .bg(bg)
                        .underline_color(underline)
                        .add_modifier(modifier),
                );
                match option {
                    0 => {
                        cell.set_diff_option(CellDiffOption::Skip);
                    }
                    1 => {
                        cell.set_diff_option(CellDiffOption::AlwaysUpdate);
                    }
                    2 => {
                        cell.set_diff_option(CellDiffOption::ForcedWidth(
                            std::num::NonZeroU16::new(2).unwrap_or(std::num::NonZeroU16::MIN),
                        ));
                    }
                    3 => {
                        cell.skip = true;
                    }
                    _ => {}
                }
                cell
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The cells, positions and order are those of ratatui's diff from
        /// a blank buffer.
        #[test]
        fn the_cells_are_the_diff_from_blank(
            width in 1u16..12,
            height in 1u16..5,
            x in 0u16..3,
            y in 0u16..3,
            cells in proptest::collection::vec(cell(), 60),
        ) {
            let area = Rect::new(x, y, width, height);
            let mut next = Buffer::empty(area);
            for (slot, cell) in next.content.iter_mut().zip(cells) {
                *slot = cell;
            }
            let expected = Buffer::empty(area).diff(&next);
            let got: Vec<_> = OntoBlank::new(&next).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
