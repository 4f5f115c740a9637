//! The screen's two outer splits, worked out by arithmetic.
//!
//! ratatui's `Layout` runs a constraint solver, and although it caches
//! what it solves, the first frame meets every split for the first time:
//! the two below cost a quarter of the instructions that frame takes. Fixed
//! lengths with weighted fills need no solver when the lengths fit, and
//! then this gives the very rectangles `Layout` gives (a property test
//! holds it to them). When they do not fit, `Layout` decides.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

/// The share a part takes: rows or columns of its own, or a weight in
/// what is left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Length(u16),
    Fill(u16),
}

impl From<Part> for Constraint {
    fn from(part: Part) -> Self {
        match part {
            Part::Length(n) => Self::Length(n),
            Part::Fill(w) => Self::Fill(w),
        }
    }
}

/// `area` cut along `direction` into `parts`, in order.
pub fn split(area: Rect, direction: Direction, parts: &[Part]) -> Vec<Rect> {
    let (start, total) = match direction {
        Direction::Vertical => (area.y, area.height),
        Direction::Horizontal => (area.x, area.width),
    };
    let Some(edges) = edges(total, parts) else {
        let constraints: Vec<Constraint> = parts.iter().copied().map(Constraint::from).collect();
        return Layout::new(direction, constraints).split(area).to_vec();
    };
    edges
        .windows(2)
        .map(|w| {
            let (from, to) = (start + w[0], w[1] - w[0]);
            match direction {
                Direction::Vertical => Rect::new(area.x, from, area.width, to),
                Direction::Horizontal => Rect::new(from, area.y, to, area.height),
            }
        })
        .collect()
}

/// The same, for a count known where it is called.
pub fn split_n<const N: usize>(area: Rect, direction: Direction, parts: [Part; N]) -> [Rect; N] {
    let rects = split(area, direction, &parts);
    std::array::from_fn(|i| rects.get(i).copied().unwrap_or_default())
}

/// Each part's start, then the end, offset from the area's start; `None`
/// when the solver's trade-offs would matter: the lengths do not fit,
/// there is no fill to take the rest, or a fill weighs nothing.
fn edges(total: u16, parts: &[Part]) -> Option<Vec<u16>> {
    let mut fixed: u32 = 0;
    let mut weight: u32 = 0;
    for part in parts {
        match *part {
            Part::Length(n) => fixed += u32::from(n),
            Part::Fill(0) => return None,
            Part::Fill(w) => weight += u32::from(w),
        }
    }
    let rest = u32::from(total).checked_sub(fixed)?;
    if weight == 0 {
        return None;
    }
    // The fills' real-valued sizes are exact fractions of the rest; an
    // edge is the rounded sum of the sizes before it, half away from
    // zero, as `Layout` rounds the solver's positions.
    let mut edges = Vec::with_capacity(parts.len() + 1);
    let (mut lengths, mut weights) = (0u32, 0u32);
    edges.push(0);
    for part in parts {
        match *part {
            Part::Length(n) => lengths += u32::from(n),
            Part::Fill(w) => weights += u32::from(w),
        }
        let filled = (2 * rest * weights + weight) / (2 * weight);
        edges.push(u16::try_from(lengths + filled).ok()?);
    }
    Some(edges)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn part() -> impl Strategy<Value = Part> {
        prop_oneof![
            (0u16..12).prop_map(Part::Length),
            (0u16..10).prop_map(Part::Fill),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Whatever the parts, the rectangles are `Layout`'s.
        #[test]
        fn the_rectangles_are_layouts(
            parts in proptest::collection::vec(part(), 1..7),
            x in 0u16..5,
            y in 0u16..5,
            width in 0u16..400,
            height in 0u16..120,
            vertical: bool,
        ) {
            let area = Rect::new(x, y, width, height);
            let direction = if vertical { Direction::Vertical } else { Direction::Horizontal };
            let constraints: Vec<Constraint> = parts.iter().copied().map(Constraint::from).collect();
            let expected = Layout::new(direction, constraints).split(area).to_vec();
            prop_assert_eq!(split(area, direction, &parts), expected);
        }
    }

    #[test]
    fn the_screen_at_the_probes_size() {
        let parts = [
            Part::Length(1),
            Part::Fill(3),
            Part::Fill(2),
            Part::Length(1),
            Part::Length(1),
        ];
        let [bar, body, detail, status, hint] =
            split_n(Rect::new(0, 0, 160, 45), Direction::Vertical, parts);
        assert_eq!(
            (bar.height, body.height, detail.height, status.y, hint.y),
            (1, 25, 17, 43, 44)
        );
        assert!(edges(45, &parts).is_some(), "no solver at this size");
    }
}
