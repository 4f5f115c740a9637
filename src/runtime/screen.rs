//! The terminal Portico draws on.

use std::io::{BufWriter, Stdout};

use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, enable_raw_mode};
use ratatui::Terminal;

/// Stdout behind one buffer as large as a big frame. Bare stdout is line
/// buffered in 1 KiB: each escape sequence of a frame would take the
/// stdout lock, be scanned for a newline and leave in its own small
/// write, which made writing the first frame cost more than drawing it.
/// Every draw ends with a flush, so nothing waits in the buffer.
pub type Screen = Terminal<super::tty::Tty<BufWriter<Stdout>>>;

const FRAME_BYTES: usize = 64 * 1024;

/// Takes the terminal as `ratatui::try_init` does, with the buffer: a
/// panic hook that restores the terminal before the hooks already set,
/// raw mode, and the alternate screen.
pub fn open() -> std::io::Result<Screen> {
    let earlier = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        ratatui::restore();
        earlier(info);
    }));
    enable_raw_mode()?;
    execute!(std::io::stdout(), EnterAlternateScreen)?;
    Terminal::new(super::tty::Tty::new(BufWriter::with_capacity(
        FRAME_BYTES,
        std::io::stdout(),
    )))
}
