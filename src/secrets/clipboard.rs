//! Copying through the terminal (OSC 52). It works over SSH and in tmux
//! with `set-clipboard on`, where a native clipboard would copy to the
//! wrong machine.
//!
//! OSC 52 has no reply: Portico cannot tell whether the terminal honoured
//! it, so what it reports is what it sent, never that the text is on the
//! clipboard.

use std::io::Write;

use base64::Engine;

/// The escape sequence that asks the terminal to set the clipboard.
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

/// Sends `text` over OSC 52 and says, for the status line, what was done.
pub fn copy(out: &mut impl Write, what: &str, text: &str) -> std::io::Result<String> {
    out.write_all(osc52(text).as_bytes())?;
    out.flush()?;
    Ok(report(what, std::env::var_os("TMUX").is_some()))
}

/// The words for a copy that was sent: who may still drop it, and, inside
/// tmux, the setting that decides.
pub fn report(what: &str, inside_tmux: bool) -> String {
    if inside_tmux {
        format!(
            "sent the {what} over OSC 52; tmux passes it to the clipboard only with `set-clipboard on`"
        )
    } else {
        format!("sent the {what} to the terminal over OSC 52; a terminal may ignore it")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_base64_in_osc52() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }

    #[test]
    fn copy_writes_the_sequence_and_reports_what_was_sent() {
        let mut out = Vec::new();
        let said = copy(&mut out, "id", "hi").expect("write to a Vec");
        assert_eq!(out, b"\x1b]52;c;aGk=\x07");
        assert!(said.contains("OSC 52"), "{said}");
        assert!(!said.contains("copied"), "{said}");
    }

    #[test]
    fn the_report_never_claims_the_clipboard_was_set() {
        for tmux in [false, true] {
            let said = report("id", tmux);
            assert!(said.starts_with("sent the id"), "{said}");
            assert!(!said.contains("copied"), "{said}");
        }
        assert!(report("id", true).contains("set-clipboard on"));
    }
}
