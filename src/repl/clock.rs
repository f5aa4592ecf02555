//! Times typed at `clock set`: `2026-01-31T12:00:00Z` or `2026-01-31`.

use crate::kms::runtime::rfc3339;

/// `2026-01-31T12:00:00Z` or `2026-01-31`, as epoch seconds (UTC).
pub(super) fn parse_time(text: &str) -> Option<i64> {
    let (date, time) = match text.split_once('T') {
        Some((d, t)) => (d, t.strip_suffix('Z')?),
        None => (text, "00:00:00"),
    };
    let numbers = |s: &str, sep: char| -> Option<Vec<i64>> { s.split(sep).map(|p| p.parse().ok()).collect() };
    let (d, t) = (numbers(date, '-')?, numbers(time, ':')?);
    let ([year, month, day], [h, m, s]) = (<[i64; 3]>::try_from(d).ok()?, <[i64; 3]>::try_from(t).ok()?);
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if !(0..24).contains(&h) || !(0..60).contains(&m) || !(0..60).contains(&s) {
        return None;
    }
    // Days from the civil date (H. Hinnant's algorithm), the inverse of `rfc3339`.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + h * 3600 + m * 60 + s;
    // A day past the month's end (February 30th) does not come back the same.
    (rfc3339(seconds).get(..10) == Some(date)).then_some(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_back_as_they_print() {
        for seconds in [0, 951_782_400, 1_795_867_200] {
            assert_eq!(parse_time(&rfc3339(seconds)), Some(seconds));
        }
        assert_eq!(parse_time("2026-11-28"), Some(1_795_867_200 - 12 * 3600));
        assert_eq!(parse_time("2026-02-30"), None);
        assert_eq!(parse_time("tomorrow"), None);
        assert_eq!(parse_time("2026-01-01T25:00:00Z"), None);
    }
}
