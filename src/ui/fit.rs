//! Fitting text into boxes: word wrapping whose height is known before
//! drawing (so a dialog can size itself and keep its key line visible),
//! and one-line inputs scrolled to keep the cursor in view.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::inert;
use crate::app::LineInput;

/// A count that may not fit a terminal coordinate saturates instead of
/// wrapping around.
pub fn cells(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

fn width_of(text: &str) -> usize {
    Span::raw(text).width()
}

/// Wraps `line` at word boundaries into rows of at most `width` columns;
/// a word longer than a row is broken. Styles carry over.
pub fn wrap(line: &Line<'_>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let base = line.style;
    let mut glyphs: Vec<(String, usize, Style)> = Vec::new();
    for span in &line.spans {
        let style = base.patch(span.style);
        for c in span.content.chars() {
            let text = c.to_string();
            let w = width_of(&text);
            glyphs.push((text, w, style));
        }
    }
    let mut rows = Vec::new();
    let mut start = 0;
    while start < glyphs.len() {
        let mut used = 0;
        let mut end = start;
        let mut last_space = None;
        while end < glyphs.len() && used + glyphs[end].1 <= width {
            used += glyphs[end].1;
            if glyphs[end].0 == " " {
                last_space = Some(end);
            }
            end += 1;
        }
        if end == start {
            // One glyph wider than the row: show it anyway.
            end = start + 1;
        } else if end < glyphs.len()
            && glyphs[end].0 != " "
            && let Some(space) = last_space.filter(|s| *s > start)
        {
            end = space + 1;
        }
        rows.push(row(&glyphs[start..end]));
        start = end;
    }
    if rows.is_empty() {
        rows.push(Line::default());
    }
    rows
}

fn row(glyphs: &[(String, usize, Style)]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    for (text, _, style) in glyphs {
        match spans.last_mut() {
            Some(last) if last.style == *style => last.content.to_mut().push_str(text),
            _ => spans.push(Span::styled(text.clone(), *style)),
        }
    }
    Line::from(spans)
}

/// What to show of an input in `width` columns so the cursor stays in
/// view, and the cursor's column in it. Control characters are drawn
/// inert, and the cursor counts their visible width.
pub fn input_window(input: &LineInput, width: usize) -> (String, usize) {
    let width = width.max(1);
    let pieces: Vec<(String, usize)> = input
        .text()
        .chars()
        .map(|c| {
            let shown = inert(&c.to_string()).into_owned();
            let w = width_of(&shown);
            (shown, w)
        })
        .collect();
    let at = input.cursor().min(pieces.len());
    // Leave one column for the cursor itself when it sits at the end.
    let room = width.saturating_sub(1).max(1);
    let mut start = 0;
    let mut before: usize = pieces[..at].iter().map(|p| p.1).sum();
    while before > room && start < at {
        before -= pieces[start].1;
        start += 1;
    }
    let mut shown = String::new();
    let mut used = 0;
    for (text, w) in &pieces[start..] {
        if used + w > width {
            break;
        }
        used += w;
        shown.push_str(text);
    }
    (shown, before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_words_and_breaks_long_ones() {
        let rows = wrap(&Line::raw("alpha beta gamma"), 11);
        let text: Vec<String> = rows.iter().map(ToString::to_string).collect();
        assert_eq!(text, vec!["alpha beta ", "gamma"]);
        let rows = wrap(&Line::raw("x".repeat(25)), 10);
        assert_eq!(rows.len(), 3);
        assert_eq!(wrap(&Line::raw(""), 10).len(), 1);
    }

    #[test]
    fn the_input_window_follows_the_cursor() {
        let mut input = LineInput::new("abcdefghij");
        let (shown, col) = input_window(&input, 5);
        assert_eq!((shown.as_str(), col), ("ghij", 4));
        input.apply(crate::keymap::Action::LineStart);
        let (shown, col) = input_window(&input, 5);
        assert_eq!((shown.as_str(), col), ("abcde", 0));
        let escaped = LineInput::new("a\u{1b}b");
        assert_eq!(input_window(&escaped, 20), ("a^[b".to_string(), 4));
        assert_eq!(cells(70_000), u16::MAX);
    }
}
