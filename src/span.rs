//! Durations as the command line and `:expiring` take them: `30d`, `12h`,
//! `90m`, `20s`, or a bare number of days.

use std::time::Duration;

pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "d"),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 30d, 12h, 90m or 20s"))?;
    let seconds = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" => 1,
        _ => return Err(format!("{text:?}: the unit is d, h, m or s")),
    };
    Ok(Duration::from_secs(n.saturating_mul(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_bare_days() {
        assert_eq!(parse("30d"), Ok(Duration::from_hours(720)));
        assert_eq!(parse("7"), Ok(Duration::from_hours(168)));
        assert_eq!(parse("12h"), Ok(Duration::from_hours(12)));
        assert_eq!(parse("20s"), Ok(Duration::from_secs(20)));
        assert!(parse("3w").is_err());
        assert!(parse("soon").is_err());
    }
}
