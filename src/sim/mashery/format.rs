//! Mashery's wire formats: lowercase UUID ids, `2015-01-09T19:04:09.000+0000`
//! times, and the lowercase-alphanumeric keys and tokens the gateway mints.

use rand::Rng;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// Milliseconds and a `+0000` offset without a colon, as every Mashery time.
pub fn mashery_time(t: OffsetDateTime) -> String {
    let fmt = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+0000"
    );
    t.to_offset(UtcOffset::UTC)
        .format(&fmt)
        // Only years outside 0..=9999 fail, which no simulator clock reaches.
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00.000+0000"))
}

pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(u32::from(t.millisecond()) * 1_000_000)
        .unwrap_or(t)
}

pub fn uuid() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

pub const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
pub const MIXED_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

pub fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_have_millis_and_a_colonless_offset() {
        let t = datetime!(2015-01-09 19:04:09.123 UTC);
        assert_eq!(mashery_time(t), "2015-01-09T19:04:09.123+0000");
    }

    #[test]
    fn ids_are_lowercase_uuids() {
        let id = uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(id, id.to_lowercase());
    }
}
