//! The terminal backend Portico draws through: crossterm's, with the cell
//! loop written out byte by byte.
//!
//! crossterm formats every escape sequence through `fmt::Write`, about a
//! thousand instructions a cell run, and the first frame alone changes a
//! thousand runs. This writes the very same bytes (a property test holds
//! it to crossterm's output) with plain integer formatting. Everything
//! but `draw` is crossterm's own.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};

pub struct Tty<W: Write> {
    inner: CrosstermBackend<W>,
    /// A frame's bytes, kept between frames so drawing allocates nothing.
    frame: Vec<u8>,
}

impl<W: Write> Tty<W> {
    pub const fn new(writer: W) -> Self {
        Self {
            inner: CrosstermBackend::new(writer),
            frame: Vec::new(),
        }
    }
}

impl<W: Write> Write for Tty<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

/// Appends `n` in decimal.
fn number(out: &mut Vec<u8>, n: u16) {
    let mut digits = [0u8; 5];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        // A digit: the remainder is below ten.
        digits[at] = b'0' + u8::try_from(n % 10).unwrap_or(0);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// `38;`, `48;` or `58;` and the colour as crossterm writes it, or the
/// layer's reset (`39`, `49`, `59`).
fn colour(out: &mut Vec<u8>, layer: u8, colour: Color) {
    let indexed = match colour {
        Color::Reset => {
            number(out, u16::from(layer) + 1);
            return;
        }
        Color::Rgb(r, g, b) => {
            number(out, u16::from(layer));
            out.extend_from_slice(b";2;");
            number(out, u16::from(r));
            out.push(b';');
            number(out, u16::from(g));
            out.push(b';');
            number(out, u16::from(b));
            return;
        }
        Color::Indexed(n) => n,
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
    };
    number(out, u16::from(layer));
    out.extend_from_slice(b";5;");
    number(out, u16::from(indexed));
}

fn sgr(out: &mut Vec<u8>, code: &[u8]) {
    out.extend_from_slice(b"\x1b[");
    out.extend_from_slice(code);
    out.push(b'm');
}

/// The attribute changes from `from` to `to`, in crossterm's order.
fn modifiers(out: &mut Vec<u8>, from: Modifier, to: Modifier) {
    let removed = from - to;
    if removed.contains(Modifier::REVERSED) {
        sgr(out, b"27");
    }
    let reset_intensity = removed.intersects(Modifier::BOLD | Modifier::DIM);
    if reset_intensity {
        // Normal intensity ends both, so the one kept is set again.
        sgr(out, b"22");
        if to.contains(Modifier::DIM) {
            sgr(out, b"2");
        }
        if to.contains(Modifier::BOLD) {
            sgr(out, b"1");
        }
    }
    for (modifier, code) in [
        (Modifier::ITALIC, &b"23"[..]),
        (Modifier::UNDERLINED, b"24"),
        (Modifier::CROSSED_OUT, b"29"),
        (Modifier::HIDDEN, b"28"),
    ] {
        if removed.contains(modifier) {
            sgr(out, code);
        }
    }
    if removed.intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK) {
        sgr(out, b"25");
    }
    let added = to - from;
    if added.contains(Modifier::REVERSED) {
        sgr(out, b"7");
    }
    if added.contains(Modifier::BOLD) && !reset_intensity {
        sgr(out, b"1");
    }
    if added.contains(Modifier::ITALIC) {
        sgr(out, b"3");
    }
    if added.contains(Modifier::UNDERLINED) {
        sgr(out, b"4");
    }
    if added.contains(Modifier::DIM) && !reset_intensity {
        sgr(out, b"2");
    }
    for (modifier, code) in [
        (Modifier::CROSSED_OUT, &b"9"[..]),
        (Modifier::HIDDEN, b"8"),
        (Modifier::SLOW_BLINK, b"5"),
        (Modifier::RAPID_BLINK, b"6"),
    ] {
        if added.contains(modifier) {
            sgr(out, code);
        }
    }
}

/// The bytes that draw `content`, as crossterm's backend writes them.
fn encode<'a>(out: &mut Vec<u8>, content: impl Iterator<Item = (u16, u16, &'a Cell)>) {
    let (mut fg, mut bg, mut underline) = (Color::Reset, Color::Reset, Color::Reset);
    let mut modifier = Modifier::empty();
    let mut last: Option<(u16, u16)> = None;
    for (x, y, cell) in content {
        if !matches!(last, Some((lx, ly)) if lx.checked_add(1) == Some(x) && ly == y) {
            out.extend_from_slice(b"\x1b[");
            number(out, y.saturating_add(1));
            out.push(b';');
            number(out, x.saturating_add(1));
            out.push(b'H');
        }
        last = Some((x, y));
        if cell.modifier != modifier {
            modifiers(out, modifier, cell.modifier);
            modifier = cell.modifier;
        }
        if cell.fg != fg || cell.bg != bg {
            out.extend_from_slice(b"\x1b[");
            colour(out, 38, cell.fg);
            out.push(b';');
            colour(out, 48, cell.bg);
            out.push(b'm');
            (fg, bg) = (cell.fg, cell.bg);
        }
        if cell.underline_color != underline {
            out.extend_from_slice(b"\x1b[");
            colour(out, 58, cell.underline_color);
            out.push(b'm');
            underline = cell.underline_color;
        }
        out.extend_from_slice(cell.symbol().as_bytes());
    }
    out.extend_from_slice(b"\x1b[39m\x1b[49m\x1b[59m\x1b[0m");
}

impl<W: Write> Backend for Tty<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.frame.clear();
        encode(&mut self.frame, content);
        self.inner.write_all(&self.frame)
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_colour() -> impl Strategy<Value = Color> {
        prop_oneof![
            Just(Color::Reset),
            (0u8..16).prop_map(|n| [
                Color::Black,
                Color::Red,
                Color::Green,
                Color::Yellow,
                Color::Blue,
                Color::Magenta,
                Color::Cyan,
                Color::Gray,
                Color::DarkGray,
                Color::LightRed,
                Color::LightGreen,
                Color::LightYellow,
                Color::LightBlue,
                Color::LightMagenta,
                Color::LightCyan,
                Color::White,
            ][usize::from(n)]),
            any::<u8>().prop_map(Color::Indexed),
            any::<(u8, u8, u8)>().prop_map(|(r, g, b)| Color::Rgb(r, g, b)),
        ]
    }

    fn any_cell() -> impl Strategy<Value = Cell> {
        (
            prop::sample::select(vec!["a", " ", "é", "漢", "─", "\u{1b}"]),
            any_colour(),
            any_colour(),
            any_colour(),
            any::<u16>(),
        )
            .prop_map(|(symbol, fg, bg, underline, bits)| {
                let mut cell = Cell::new(symbol);
                cell.fg = fg;
                cell.bg = bg;
                cell.underline_color = underline;
                cell.modifier = Modifier::from_bits_truncate(bits);
                cell
            })
    }

    proptest! {
        /// Whatever the cells, their colours, attributes and places (runs,
        /// jumps, the farthest place crossterm can name), the bytes are crossterm's.
        #[test]
        fn draws_the_bytes_crossterm_draws(
            cells in prop::collection::vec(((0u16..6, 0u16..4), any_cell()), 0..40),
            far in any::<bool>(),
        ) {
            let mut cells = cells;
            cells.sort_by_key(|((x, y), _)| (*y, *x));
            cells.dedup_by_key(|(at, _)| *at);
            if far {
                cells.push(((u16::MAX - 1, u16::MAX - 1), Cell::new("z")));
            }
            let content = || cells.iter().map(|((x, y), cell)| (*x, *y, cell));
            let mut theirs = Vec::new();
            CrosstermBackend::new(&mut theirs).draw(content()).expect("draws");
            let mut ours = Vec::new();
            encode(&mut ours, content());
            prop_assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
        }
    }

    #[test]
    fn numbers_in_decimal() {
        for n in [0, 7, 10, 99, 100, 12_345, u16::MAX] {
            let mut out = Vec::new();
            number(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }
}
