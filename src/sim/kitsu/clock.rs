//! Zou's time formats: naive UTC datetimes without timezone, dates as
//! `YYYY-MM-DD`.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

const NAIVE: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
const DATE: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// `2026-11-23T12:45:13`: what Zou's serializer sends for every datetime.
pub fn naive(t: OffsetDateTime) -> String {
    t.format(NAIVE).unwrap_or_default()
}

/// Python's `isoformat()`: microseconds only when they are not zero. The
/// project entity-link listing builds its dicts by hand with it.
pub fn naive_micro(t: OffsetDateTime) -> String {
    let base = naive(t);
    match t.microsecond() {
        0 => base,
        us => format!("{base}.{us:06}"),
    }
}

pub fn date(d: Date) -> String {
    d.format(DATE).unwrap_or_default()
}

pub fn today() -> Date {
    now().date()
}

/// Accepts `YYYY-MM-DD`, or a datetime whose first ten characters are one
/// (`PostgreSQL` casts both into a DATE column).
pub fn parse_date(s: &str) -> Option<Date> {
    let head = s.get(..10)?;
    if s.len() > 10 && !s[10..].starts_with(['T', ' ']) {
        return None;
    }
    Date::parse(head, DATE).ok()
}

/// Accepts Zou's naive format, with or without a fraction.
pub fn parse_naive(s: &str) -> Option<PrimitiveDateTime> {
    let head = s.get(..19)?;
    PrimitiveDateTime::parse(head, NAIVE).ok()
}

pub const fn unix(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}
