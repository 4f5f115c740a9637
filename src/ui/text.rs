//! Turning untrusted text into something safe to draw, and small
//! formatting helpers shared by the widgets.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use ratatui::style::{Color, Modifier, Style};
use time::OffsetDateTime;

/// Makes untrusted text inert: every character that could drive the
/// terminal or hide itself is shown as a visible escape instead. C0
/// controls show as `^X` (ESC as `^[`, so an escape sequence reads as
/// text), DEL as `^?`; C1 controls, bidi controls, zero-width and other
/// format characters, line and paragraph separators and tag characters
/// as `\u{..}`. With nothing to escape the text is borrowed as it is.
pub fn inert(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\u{0}'..='\u{1f}' => {
                out.push('^');
                out.push(char::from(c as u8 + 0x40));
            }
            '\u{7f}' => out.push_str("^?"),
            c if needs_escape(c) => {
                use std::fmt::Write;
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whether `c` would be drawn as anything but itself: a control, or an
/// invisible character that reorders, joins or hides the text around it.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'                      // soft hyphen
            | '\u{061c}'                    // Arabic letter mark
            | '\u{180e}'                    // Mongolian vowel separator
            | '\u{200b}'..='\u{200f}'        // zero-width space/non-joiner/joiner, LRM, RLM
            | '\u{2028}' | '\u{2029}'        // line and paragraph separators
            | '\u{202a}'..='\u{202e}'        // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}'        // word joiner, invisible operators
            | '\u{2066}'..='\u{206f}'        // bidi isolates, deprecated format controls
            | '\u{feff}'                    // zero-width no-break space (BOM)
            | '\u{fff9}'..='\u{fffb}'        // interlinear annotations
            | '\u{e0000}'..='\u{e007f}'      // tag characters
        )
}

/// The escaped form of `text` when it differs from what a reader sees,
/// so two lookalike names can be told apart: `None` for plain text.
/// Beyond `inert`, every non-ASCII character is spelled out.
pub fn escaped_form(text: &str) -> Option<String> {
    if text.is_ascii() && !text.chars().any(needs_escape) {
        return None;
    }
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii() && !c.is_ascii_control() {
            out.push(c);
        } else {
            use std::fmt::Write;
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
    Some(out)
}

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn spinner(frame: usize) -> &'static str {
    SPINNER[frame % SPINNER.len()]
}

pub fn age(now: SystemTime, then: SystemTime) -> String {
    let secs = now.duration_since(then).unwrap_or(Duration::ZERO).as_secs();
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        _ => format!("{}h", secs / 3600),
    }
}

/// Red once expired, yellow under 30 days.
pub fn expiry_style(expires: OffsetDateTime, now: SystemTime) -> Style {
    let now = OffsetDateTime::from(now);
    if expires <= now {
        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
    } else if expires - now < time::Duration::days(30) {
        Style::new().fg(Color::Yellow)
    } else {
        Style::new()
    }
}

pub fn expiry_text(expires: OffsetDateTime, now: SystemTime) -> String {
    let now = OffsetDateTime::from(now);
    let date = format!(
        "{:04}-{:02}-{:02}",
        expires.year(),
        u8::from(expires.month()),
        expires.day()
    );
    let days = (expires - now).whole_days();
    if expires <= now {
        format!("{date} (expired)")
    } else if days < 30 {
        format!("{date} ({days}d left)")
    } else {
        date
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_not_obeyed() {
        assert_eq!(inert("plain"), "plain");
        assert_eq!(inert("evil\x1b[2Jname"), "evil^[[2Jname");
        assert_eq!(inert("bell\x07\r\n"), "bell^G^M^J");
        assert_eq!(inert("csi\u{9b}31m"), "csi\\u{9b}31m");
        assert_eq!(inert("rtl\u{202e}txt"), "rtl\\u{202e}txt");
        assert_eq!(inert("del\x7f"), "del^?");
    }

    #[test]
    fn osc_sequences_and_invisible_characters_are_visible() {
        let osc52 = "\x1b]52;c;cHduZWQ=\x07";
        assert_eq!(inert(osc52), "^[]52;c;cHduZWQ=^G");
        let osc8 = "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\";
        assert!(!inert(osc8).contains('\x1b'));
        for (c, shown) in [
            ('\u{200b}', "\\u{200b}"),
            ('\u{200c}', "\\u{200c}"),
            ('\u{200d}', "\\u{200d}"),
            ('\u{2060}', "\\u{2060}"),
            ('\u{feff}', "\\u{feff}"),
            ('\u{061c}', "\\u{61c}"),
            ('\u{00ad}', "\\u{ad}"),
            ('\u{2028}', "\\u{2028}"),
            ('\u{2029}', "\\u{2029}"),
            ('\u{e0000}', "\\u{e0000}"),
            ('\u{e0041}', "\\u{e0041}"),
            ('\u{e007f}', "\\u{e007f}"),
            ('\u{2066}', "\\u{2066}"),
            ('\u{85}', "\\u{85}"),
        ] {
            assert_eq!(inert(&format!("a{c}b")), format!("a{shown}b"), "{c:?}");
        }
        assert_eq!(
            inert("café 日本"),
            "café 日本",
            "ordinary text is untouched"
        );
    }

    #[test]
    fn lookalikes_have_distinct_escaped_forms() {
        let latin = "paypal";
        let cyrillic = "p\u{0430}ypal";
        assert_eq!(escaped_form(latin), None);
        assert_eq!(escaped_form(cyrillic).as_deref(), Some("p\\u{430}ypal"));
        assert_eq!(escaped_form("a\u{200d}b").as_deref(), Some("a\\u{200d}b"));
    }
}
