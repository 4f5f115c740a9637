//! Losant's wire formats: Mongo ObjectId-style ids, ISO-8601 times with
//! milliseconds and `Z`, random secrets.
use std::fmt::Write as _;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use rand::Rng;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// `2026-11-23T13:45:01.123Z`, as every Losant timestamp looks.
pub fn iso(t: OffsetDateTime) -> String {
    let fmt =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.to_offset(UtcOffset::UTC)
        .format(&fmt)
        // Only years outside 0..=9999 fail, which no simulator clock reaches.
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00.000Z"))
}

/// Now, cut to whole milliseconds so a stored time and its ISO string agree.
pub fn now() -> OffsetDateTime {
    truncate_ms(OffsetDateTime::now_utc())
}

pub fn truncate_ms(t: OffsetDateTime) -> OffsetDateTime {
    let ms = t.millisecond();
    t.replace_nanosecond(u32::from(ms) * 1_000_000).unwrap_or(t)
}

/// Reads an RFC 3339 time from a request body and re-renders it in
/// Losant's own format, as the server stores dates rather than strings.
pub fn normalize_date_time(s: &str) -> Option<String> {
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .map(|t| iso(truncate_ms(t)))
}

/// A new 24-hex id laid out like a Mongo `ObjectId` (seconds, process
/// random, counter), so ids sort by creation time as Losant's do.
pub fn object_id(created: OffsetDateTime) -> String {
    static PROCESS: OnceLock<[u8; 5]> = OnceLock::new();
    static COUNTER: OnceLock<AtomicU32> = OnceLock::new();
    let process = PROCESS.get_or_init(|| rand::rng().random());
    let counter = COUNTER
        .get_or_init(|| AtomicU32::new(rand::rng().random::<u32>() & 0x00ff_ffff))
        .fetch_add(1, Ordering::Relaxed)
        & 0x00ff_ffff;
    let secs = u32::try_from(created.unix_timestamp().max(0)).unwrap_or(u32::MAX);
    let mut out = format!("{secs:08x}");
    for b in process {
        let _ = write!(out, "{b:02x}");
    }
    let _ = write!(out, "{counter:06x}");
    out
}

/// Whether `s` matches the `^[A-Fa-f\d]{24}$` pattern of every Losant id.
pub fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n).fold(String::new(), |mut out, _| {
        let _ = write!(out, "{:02x}", rng.random::<u8>());
        out
    })
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn iso_has_millis_and_z() {
        let t = datetime!(2026-11-23 13:45:01.123456 UTC);
        assert_eq!(iso(truncate_ms(t)), "2026-11-23T13:45:01.123Z");
    }

    #[test]
    fn object_ids_are_24_hex_and_start_with_the_time() {
        let t = datetime!(2026-11-23 13:45:01 UTC);
        let id = object_id(t);
        assert!(is_object_id(&id), "{id}");
        assert_eq!(&id[..8], &format!("{:08x}", t.unix_timestamp()));
        assert_ne!(object_id(t), object_id(t));
    }
}
