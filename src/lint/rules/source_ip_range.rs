//! `source-ip-range`: `aws:SourceIp` compared with private address ranges,
//! which it never holds, or a CIDR with bits set after its prefix.

use std::net::IpAddr;

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::BaseOperator;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "source-ip-range",
        severity: Severity::Error,
        access_analyzer: Some("PRIVATE_IP_ADDRESS"),
        summary: "`aws:SourceIp` is compared with private addresses, or a range has host bits set.",
        rationale: "`aws:SourceIp` is the caller's public address; requests through a VPC endpoint carry \
`aws:VpcSourceIp` instead. A condition that lists only private ranges (10/8, 172.16/12, 192.168/16, fc00::/7) \
never matches with `IpAddress` and always matches with `NotIpAddress` (Access Analyzer's PRIVATE_IP_ADDRESS \
and PRIVATE_NOT_IP_ADDRESS, errors); a mix of private and public ranges is a warning \
(PRIVATE_IP_ADDRESS_SUBSET). `203.0.113.7/24` ignores the bits after the prefix: write `203.0.113.0/24` \
(IMPROVE_IP_RANGE, a suggestion).",
        bad: r#""Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#,
        good: r#""Condition": {"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/8"}}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for (operator, entry) in PolicyCx::conditions(statement) {
            if !matches!(operator.base, BaseOperator::IpAddress | BaseOperator::NotIpAddress) {
                continue;
            }
            let ranges: Vec<_> = entry
                .values
                .iter()
                .filter_map(|v| Some((v, parse(v.as_text())?)))
                .collect();
            for (value, (address, prefix)) in &ranges {
                if let Some(network) = network_of(*address, *prefix).filter(|n| n != address) {
                    out.push(
                        RULE.info
                            .finding(
                                value.span,
                                format!("`{}` has bits set after its prefix", value.as_text()),
                            )
                            .severity(Severity::Suggestion)
                            .label("host bits ignored")
                            .help(format!("write `{network}/{prefix}`"))
                            .issue_code("IMPROVE_IP_RANGE"),
                    );
                }
            }
            if !entry.key.eq_ignore_ascii_case("aws:SourceIp") || ranges.is_empty() {
                continue;
            }
            let private = ranges.iter().filter(|(_, (a, _))| is_private(*a)).count();
            let negated = operator.base == BaseOperator::NotIpAddress;
            let code = match (private == ranges.len(), negated) {
                (true, false) => "PRIVATE_IP_ADDRESS",
                (true, true) => "PRIVATE_NOT_IP_ADDRESS",
                (false, false) => "PRIVATE_IP_ADDRESS_SUBSET",
                (false, true) => "PRIVATE_NOT_IP_ADDRESS_SUBSET",
            };
            let (severity, message) = if private == ranges.len() {
                let effect = if operator.base == BaseOperator::IpAddress {
                    "never matches"
                } else {
                    "always matches"
                };
                (
                    Severity::Error,
                    format!("`aws:SourceIp` is never a private address: this condition {effect}"),
                )
            } else if private > 0 {
                (
                    Severity::Warning,
                    "`aws:SourceIp` is never a private address: the private ranges here do nothing".to_owned(),
                )
            } else {
                continue;
            };
            out.push(
                RULE.info
                    .finding(entry.key.span, message)
                    .severity(severity)
                    .issue_code(code)
                    .label("public addresses only")
                    .help("for callers in a VPC, use `aws:VpcSourceIp` (with `aws:SourceVpc` or `aws:SourceVpce`)"),
            );
        }
    }
}

fn parse(text: &str) -> Option<(IpAddr, u8)> {
    let (address, prefix) = match text.split_once('/') {
        Some((a, p)) => (a.parse::<IpAddr>().ok()?, p.parse::<u8>().ok()?),
        None => {
            let a = text.parse::<IpAddr>().ok()?;
            (a, if a.is_ipv4() { 32 } else { 128 })
        }
    };
    Some((address, prefix))
}

fn network_of(address: IpAddr, prefix: u8) -> Option<IpAddr> {
    match address {
        IpAddr::V4(a) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix.min(32))).unwrap_or(0);
            Some(IpAddr::V4((u32::from(a) & mask).into()))
        }
        IpAddr::V6(a) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix.min(128))).unwrap_or(0);
            Some(IpAddr::V6((u128::from(a) & mask).into()))
        }
    }
}

fn is_private(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(a) => a.is_private() || a.is_loopback() || a.is_link_local(),
        IpAddr::V6(a) => (a.segments()[0] & 0xfe00) == 0xfc00 || a.is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_and_private_ranges() {
        let (a, p) = parse("203.0.113.7/24").unwrap();
        assert_eq!(network_of(a, p).unwrap().to_string(), "203.0.113.0");
        assert!(is_private(parse("10.1.0.0/16").unwrap().0));
        assert!(!is_private(parse("203.0.113.0/24").unwrap().0));
        assert!(is_private(parse("fd00::/8").unwrap().0));
    }
}
