//! `unlikely-date-value`: a date condition value that parses, but probably
//! not as the author meant: a bare year that AWS may read as epoch seconds,
//! or a moment before 1970 or after 2999 (epoch milliseconds, most often).

use super::{Check, Rule, RuleInfo};
use crate::catalog::KeyType;
use crate::eval::value::date;
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::BaseOperator;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "unlikely-date-value",
        severity: Severity::Warning,
        access_analyzer: Some("INVALID_DATE_VALUE"),
        summary: "A date condition value might not resolve as expected.",
        rationale: "Date conditions take an ISO 8601 date or epoch seconds. A bare four-digit value \
such as `2030` is a year in the W3C date format but also 2030 seconds after 1970, and readers \
disagree on which. A value before 1970 or after 2999 is almost always a slip, typically epoch \
milliseconds (`1767225600000`) where seconds were meant: `DateLessThan` then holds for millennia. \
Write a full date with a time zone, such as `2030-01-01T00:00:00Z`, or epoch seconds.",
        bad: r#""Condition": {"DateLessThan": {"aws:CurrentTime": "1767225600000"}}"#,
        good: r#""Condition": {"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}"#,
    },
    check: Check::Policy(check),
};

const NANOS: i128 = 1_000_000_000;
/// 3000-01-01T00:00:00Z in epoch seconds.
const YEAR_3000: i128 = 32_503_680_000;

/// Why a date value is unlikely, if it is.
fn unlikely(text: &str) -> Option<&'static str> {
    let when = date(text)?;
    let digits = text.trim();
    // Epoch seconds, possibly negative or fractional.
    let unsigned = digits.strip_prefix('-').unwrap_or(digits);
    let numeric = !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Some("a bare year, which can also be read as epoch seconds")
    } else if when < 0 {
        Some("before 1970")
    } else if when >= YEAR_3000 * NANOS && numeric {
        Some("after 2999: epoch milliseconds rather than seconds?")
    } else if when >= YEAR_3000 * NANOS {
        Some("after 2999")
    } else {
        None
    }
}

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    use BaseOperator::*;
    for statement in cx.statements() {
        for (operator, entry) in PolicyCx::conditions(statement) {
            let dated = match operator.base {
                DateEquals
                | DateNotEquals
                | DateLessThan
                | DateLessThanEquals
                | DateGreaterThan
                | DateGreaterThanEquals => true,
                // Epoch seconds compared numerically, as the KMS guide does for `kms:ValidTo`.
                NumericEquals
                | NumericNotEquals
                | NumericLessThan
                | NumericLessThanEquals
                | NumericGreaterThan
                | NumericGreaterThanEquals => cx
                    .catalogue()
                    .key(&entry.key)
                    .is_some_and(|(_, info)| info.ty == KeyType::Date),
                _ => false,
            };
            if !dated {
                continue;
            }
            for value in entry.values.iter() {
                let text = value.as_text();
                if text.contains("${") {
                    continue;
                }
                if let Some(why) = unlikely(text) {
                    out.push(
                        RULE.info
                            .finding(value.span, format!("the date `{text}` might not resolve as expected: {why}"))
                            .label("unlikely date")
                            .help("write an ISO 8601 date with a time zone, e.g. `2030-01-01T00:00:00Z`, or epoch seconds"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_bare_years_and_far_dates_but_not_ordinary_ones() {
        assert!(unlikely("2030").is_some());
        assert!(unlikely("1767225600000").is_some_and(|w| w.contains("milliseconds")));
        assert!(unlikely("1969-12-31T00:00:00Z").is_some());
        assert_eq!(unlikely("3001-01-01T00:00:00Z"), Some("after 2999"));
        assert!(unlikely("2026-01-01T00:00:00Z").is_none());
        assert!(unlikely("1546257599.0").is_none());
        assert!(unlikely("not a date").is_none());
    }
}
