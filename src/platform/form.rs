//! Reading the values of a submitted form, the same way for every
//! adapter, and writing dates the way forms take them. A form has already
//! checked what it could (see `app::modal`); these checks repeat the ones
//! a server would otherwise answer with a less helpful message.

use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::{PlatformError, Values};

/// The value of `key` as the form holds it, untrimmed.
pub fn value<'a>(values: &'a Values, key: &str) -> Option<&'a str> {
    values
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The value of `key` trimmed; empty when the field was emptied.
pub fn trimmed<'a>(values: &'a Values, key: &str) -> Option<&'a str> {
    value(values, key).map(str::trim)
}

/// A trimmed, non-empty value.
pub fn text<'a>(values: &'a Values, key: &str) -> Option<&'a str> {
    trimmed(values, key).filter(|v| !v.is_empty())
}

/// A trimmed, non-empty value; `what` names it in the error ("a name").
pub fn required<'a>(values: &'a Values, key: &str, what: &str) -> Result<&'a str, PlatformError> {
    text(values, key).ok_or_else(|| PlatformError::Invalid(format!("{what} is required")))
}

/// A `YYYY-MM-DD` date; empty means none.
pub fn date(values: &Values, key: &str) -> Result<Option<Date>, PlatformError> {
    let Some(text) = text(values, key) else {
        return Ok(None);
    };
    parse_day(text).map(Some).ok_or_else(|| {
        PlatformError::Invalid(format!("{key}: \"{text}\" is not a YYYY-MM-DD date"))
    })
}

/// One of `options`, whatever its case, spelled as the option is; empty
/// means none.
pub fn choice(
    values: &Values,
    key: &str,
    options: &[&'static str],
) -> Result<Option<&'static str>, PlatformError> {
    let Some(text) = text(values, key) else {
        return Ok(None);
    };
    options
        .iter()
        .find(|o| o.eq_ignore_ascii_case(text))
        .map(|o| Some(*o))
        .ok_or_else(|| {
            PlatformError::Invalid(format!(
                "{key}: \"{text}\" is not one of {}",
                options.join(", ")
            ))
        })
}

/// `a, b, c` as its non-empty items.
pub fn list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// `YYYY-MM-DD`, the one date syntax of every form.
pub fn parse_day(raw: &str) -> Option<Date> {
    Date::parse(raw, format_description!("[year]-[month]-[day]")).ok()
}

/// A date as a form writes it, `YYYY-MM-DD`.
pub fn day(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The day of a moment (in its own offset), as a form writes it.
pub fn day_of(at: OffsetDateTime) -> String {
    day(at.date())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn text_is_trimmed_and_empty_is_none() {
        let values = form(&[("name", "  cam  "), ("blank", "   ")]);
        assert_eq!(value(&values, "name"), Some("  cam  "));
        assert_eq!(text(&values, "name"), Some("cam"));
        assert_eq!(trimmed(&values, "blank"), Some(""));
        assert_eq!(text(&values, "blank"), None);
        assert_eq!(
            required(&values, "blank", "a name"),
            Err(PlatformError::Invalid("a name is required".into()))
        );
    }

    #[test]
    fn dates_and_choices_are_checked() {
        let values = form(&[
            ("on", "2030-01-31"),
            ("bad", "31/01/2030"),
            ("kind", "TVShow"),
        ]);
        let on = date(&values, "on").unwrap().unwrap();
        assert_eq!(day(on), "2030-01-31");
        assert!(date(&values, "bad").is_err());
        assert_eq!(date(&values, "none"), Ok(None));
        assert_eq!(
            choice(&values, "kind", &["short", "tvshow"]),
            Ok(Some("tvshow"))
        );
        assert!(choice(&values, "kind", &["short"]).is_err());
    }

    #[test]
    fn lists_drop_empty_items() {
        assert_eq!(list(" a, ,b ,"), vec!["a", "b"]);
        assert!(list("").is_empty());
    }

    #[test]
    fn a_moment_is_written_as_its_utc_day() {
        let at = OffsetDateTime::from_unix_timestamp(1_510_919_010).unwrap();
        assert_eq!(day_of(at), "2017-11-17");
    }
}
