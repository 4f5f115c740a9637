//! Copying through the terminal (OSC 52). It works over SSH and in tmux
//! with `set-clipboard on`, where a native clipboard would copy to the
//! wrong machine.

use std::io::Write;

use base64::Engine;

/// The escape sequence that asks the terminal to set the clipboard.
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

pub fn copy(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_base64_in_osc52() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }
}
