//! Typed condition values: numbers, dates (the W3C ISO 8601 profile and
//! epoch seconds), IP addresses and CIDR blocks, booleans and base64. Policy
//! values are parsed once at compile time; request values when compared.

use std::net::IpAddr;

/// Parses an IAM number: an integer or decimal, optionally signed.
pub fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let well_formed = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && (!digits.contains('.') || !frac.is_empty());
    if well_formed {
        t.parse().ok()
    } else {
        None
    }
}

/// A point in time as nanoseconds since the Unix epoch.
pub type Instant = i128;

const NANOS: i128 = 1_000_000_000;

/// Parses `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDThh:mmTZD`,
/// `YYYY-MM-DDThh:mm:ssTZD`, `YYYY-MM-DDThh:mm:ss.sTZD` (TZD `Z` or
/// `±hh:mm`), or epoch seconds.
pub fn date(text: &str) -> Option<Instant> {
    let t = text.trim();
    let is_year = t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit());
    if !is_year && (!t.contains('-') || t.starts_with('-')) {
        // Epoch seconds (possibly fractional). Four bare digits read as a
        // year (`YYYY`, the first W3C form), not as seconds after 1970.
        return number(t).filter(|s| s.is_finite()).map(|s| (s * 1e9) as i128);
    }
    let (day_part, time_part) = match t.split_once(['T', 't']) {
        Some((d, tm)) => (d, Some(tm)),
        None => (t, None),
    };
    let mut fields = day_part.split('-');
    let year: i64 = fixed_digits(fields.next()?, 4)?;
    let month: u32 = fields.next().map_or(Some(1), |m| fixed_digits(m, 2))?;
    let day: u32 = fields.next().map_or(Some(1), |d| fixed_digits(d, 2))?;
    if fields.next().is_some() || !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut nanos = i128::from(days_from_civil(year, month, day)) * 86_400 * NANOS;
    if let Some(time) = time_part {
        if day_part.len() != 10 {
            return None;
        }
        nanos += time_of_day(time)?;
    }
    Some(nanos)
}

/// `hh:mm[:ss[.s…]]TZD` as nanoseconds after midnight UTC.
fn time_of_day(text: &str) -> Option<i128> {
    let (clock, offset) = if let Some(clock) = text.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let at = text.rfind(['+', '-'])?;
        let (clock, zone) = text.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let (h, m) = zone[1..].split_once(':')?;
        let (h, m): (i128, i128) = (fixed_digits(h, 2)?, fixed_digits(m, 2)?);
        if h > 23 || m > 59 {
            return None;
        }
        (clock, sign * (h * 3600 + m * 60) * NANOS)
    };
    let mut parts = clock.split(':');
    let hour: i128 = fixed_digits(parts.next()?, 2)?;
    let minute: i128 = fixed_digits(parts.next()?, 2)?;
    let (second, fraction) = match parts.next() {
        Some(s) => {
            let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
            if s.contains('.') && (frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit())) {
                return None;
            }
            // Nanoseconds from up to nine fractional digits, without allocating.
            let nanos = frac.bytes().take(9).fold(0i128, |n, b| n * 10 + i128::from(b - b'0'));
            let scale = 10i128.pow(9 - frac.len().min(9) as u32);
            (fixed_digits::<i128>(whole, 2)?, nanos * scale)
        }
        None => (0, 0),
    };
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some((hour * 3600 + minute * 60 + second) * NANOS + fraction - offset)
}

fn fixed_digits<T: std::str::FromStr>(text: &str, len: usize) -> Option<T> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An IPv4 or IPv6 network: address bits and prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    bits: u128,
    prefix: u8,
    v6: bool,
}

impl Cidr {
    /// `203.0.113.0/24`, `2001:DB8::/32`; an address alone is a host.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text.trim(), None),
        };
        let (bits, max, v6) = ip_bits(addr.parse().ok()?);
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().ok().filter(|&p| p <= max)?
            }
            Some(_) => return None,
            None => max,
        };
        Some(Cidr { bits, prefix, v6 })
    }

    pub fn contains(&self, addr: IpAddr) -> bool {
        let (bits, _, v6) = ip_bits(addr);
        if v6 != self.v6 {
            return false;
        }
        let width = if v6 { 128 } else { 32 };
        let shift = width - u32::from(self.prefix);
        shift >= width || (bits >> shift) == (self.bits >> shift)
    }
}

fn ip_bits(addr: IpAddr) -> (u128, u8, bool) {
    match addr {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32, false),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => (u128::from(u32::from(v4)), 32, false),
            None => (u128::from(a), 128, true),
        },
    }
}

/// A request's IP address (`aws:SourceIp`).
pub fn ip(text: &str) -> Option<IpAddr> {
    text.trim().parse().ok()
}

/// The account component of an ARN, when it is a 12-digit account.
pub fn arn_account(arn: &str) -> Option<&str> {
    let account = super::arn::components(arn)?[4];
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

/// `true` / `false`, in any case.
pub fn boolean(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Standard base64 with optional padding.
pub fn base64(text: &str) -> Option<Vec<u8>> {
    let digits = text.trim_end_matches('=');
    if text.len() - digits.len() > 2 || digits.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in digits.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i128 = 86_400 * NANOS;

    #[test]
    fn numbers() {
        assert_eq!(number("10"), Some(10.0));
        assert_eq!(number("-1.5"), Some(-1.5));
        for bad in ["", "1.", ".5", "1e3", "NaN", "inf", "0x10", "1,000"] {
            assert_eq!(number(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_w3c_date_form_and_epoch_seconds() {
        assert_eq!(date("1970"), Some(0));
        assert_eq!(date("1970-01"), Some(0));
        assert_eq!(date("1970-01-02"), Some(DAY));
        assert_eq!(date("1970-01-01T00:01Z"), Some(60 * NANOS));
        assert_eq!(date("1970-01-01T00:00:01Z"), Some(NANOS));
        assert_eq!(date("1970-01-01T00:00:00.5Z"), Some(NANOS / 2));
        assert_eq!(date("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(date("2020-02-29T12:00:00-05:30"), date("2020-02-29T17:30:00Z"));
        assert_eq!(date("86400"), Some(DAY));
        assert_eq!(date("2019-07-16T12:00:00Z"), Some(1_563_278_400 * NANOS));
        for bad in [
            "2019-02-29",
            "2019-13-01",
            "2019-1-01",
            "2019-01-01T25:00Z",
            "2019-01-01T10:00",
            "yesterday",
            "2019-01-01T10:00:00.Z",
        ] {
            assert_eq!(date(bad), None, "{bad}");
        }
    }

    #[test]
    fn cidr_blocks_v4_and_v6() {
        let net = Cidr::parse("203.0.113.0/24").unwrap();
        assert!(net.contains(ip("203.0.113.77").unwrap()));
        assert!(!net.contains(ip("203.0.114.1").unwrap()));
        assert!(!net.contains(ip("2001:db8::1").unwrap()));
        let host = Cidr::parse("10.0.0.1").unwrap();
        assert!(host.contains(ip("10.0.0.1").unwrap()) && !host.contains(ip("10.0.0.2").unwrap()));
        let v6 = Cidr::parse("2001:DB8:1234:5678::/64").unwrap();
        assert!(v6.contains(ip("2001:db8:1234:5678:abcd::1").unwrap()));
        assert!(!v6.contains(ip("2001:db8:1234:5679::1").unwrap()));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8").unwrap()));
        for bad in ["203.0.113.0/33", "300.1.1.1", "10.0.0.0/", "x"] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn base64_and_booleans() {
        assert_eq!(
            base64("QmluYXJ5VmFsdWVJbkJhc2U2NA=="),
            Some(b"BinaryValueInBase64".to_vec())
        );
        assert_eq!(base64("YQ"), Some(b"a".to_vec()));
        assert_eq!(base64("!!"), None);
        assert_eq!(boolean("TRUE"), Some(true));
        assert_eq!(boolean("yes"), None);
    }
}
