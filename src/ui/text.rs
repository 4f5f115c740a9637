//! Turning untrusted text into something safe to draw, and small
//! formatting helpers shared by the widgets.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use ratatui::style::Style;
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

pub const fn spinner(frame: usize) -> &'static str {
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

/// Whole calendar days from `now` to `expires`, counted on UTC dates the
/// way a person counts them: a certificate that ends ten days from this
/// moment has 10 days left, not the 9 a floor of the duration gives.
pub fn days_left(expires: OffsetDateTime, now: SystemTime) -> i64 {
    let now = OffsetDateTime::from(now).to_offset(time::UtcOffset::UTC);
    let expires = expires.to_offset(time::UtcOffset::UTC);
    i64::from(expires.date().to_julian_day()) - i64::from(now.date().to_julian_day())
}

/// How soon a credential ends, one colour each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Expired,
    /// Under 30 days.
    Soon,
    Later,
}

const SOON_DAYS: i64 = 30;

pub fn urgency(expires: OffsetDateTime, now: SystemTime) -> Urgency {
    if expires <= OffsetDateTime::from(now) {
        return Urgency::Expired;
    }
    match days_left(expires, now) {
        days if days < SOON_DAYS => Urgency::Soon,
        _ => Urgency::Later,
    }
}

/// Red once expired, yellow under 30 days: one warning colour, so a
/// yellow row always means "replace this within the month".
pub fn expiry_style(expires: OffsetDateTime, now: SystemTime) -> Style {
    match urgency(expires, now) {
        Urgency::Expired => super::theme::current().expired,
        Urgency::Soon => super::theme::current().expiring,
        Urgency::Later => Style::new(),
    }
}

pub fn expiry_text(expires: OffsetDateTime, now: SystemTime) -> String {
    let date = format!(
        "{:04}-{:02}-{:02}",
        expires.year(),
        u8::from(expires.month()),
        expires.day()
    );
    match urgency(expires, now) {
        Urgency::Expired => format!("{date} (expired)"),
        Urgency::Later => date,
        Urgency::Soon => match days_left(expires, now) {
            0 => format!("{date} (ends today)"),
            1 => format!("{date} (1d left)"),
            days => format!("{date} ({days}d left)"),
        },
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

    fn at(t: OffsetDateTime) -> SystemTime {
        SystemTime::from(t)
    }

    #[test]
    fn days_left_counts_calendar_days() {
        use time::macros::datetime;
        let now = datetime!(2026-11-23 15:30:00 UTC);
        // Uploaded now, valid ten days: ten days left, not nine.
        let ten = now + time::Duration::days(10);
        assert_eq!(days_left(ten, at(now)), 10);
        assert_eq!(expiry_text(ten, at(now)), "2026-12-03 (10d left)");
        // A few seconds short of ten days is still the same calendar day.
        let almost = ten - time::Duration::seconds(5);
        assert_eq!(days_left(almost, at(now)), 10);
        // Early tomorrow is one day away, however few hours that is.
        assert_eq!(days_left(datetime!(2026-11-24 00:10:00 UTC), at(now)), 1);
        assert_eq!(
            expiry_text(datetime!(2026-11-23 23:00:00 UTC), at(now)),
            "2026-11-23 (ends today)"
        );
        assert_eq!(
            expiry_text(datetime!(2026-11-23 15:00:00 UTC), at(now)),
            "2026-11-23 (expired)"
        );
        // An offset in the server's timestamp does not move the day.
        let offset = datetime!(2026-12-03 01:00:00 +03:00);
        assert_eq!(days_left(offset, at(now)), 9);
        assert_eq!(
            expiry_text(now + time::Duration::days(30), at(now)),
            "2026-12-23"
        );
    }

    #[test]
    fn within_the_month_is_yellow_and_expired_is_red() {
        use ratatui::style::Color;
        use time::macros::datetime;
        let now = datetime!(2026-11-23 09:00:00 UTC);
        let days = |n| now + time::Duration::days(n);
        assert_eq!(urgency(days(-1), at(now)), Urgency::Expired);
        assert_eq!(urgency(days(4), at(now)), Urgency::Soon);
        assert_eq!(urgency(days(7), at(now)), Urgency::Soon);
        assert_eq!(urgency(days(24), at(now)), Urgency::Soon);
        assert_eq!(urgency(days(30), at(now)), Urgency::Later);
        let styles = [-1, 4, 24, 60].map(|n| expiry_style(days(n), at(now)));
        assert_eq!(styles[0].fg, Some(Color::Red));
        assert_eq!(
            styles[1], styles[2],
            "four days and 24 days are both this month"
        );
        assert_eq!(styles[1].fg, Some(Color::Yellow));
        assert_eq!(styles[3], Style::new());
    }
}
