//! Turning untrusted text into something safe to draw, and small
//! formatting helpers shared by the widgets.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use ratatui::style::{Color, Modifier, Style};
use time::OffsetDateTime;

/// Makes server-supplied text inert: control characters (escape
/// sequences included) and bidi overrides are shown as visible escapes,
/// so a resource name can never drive the terminal.
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
            c if needs_escape(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
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
    }
}
