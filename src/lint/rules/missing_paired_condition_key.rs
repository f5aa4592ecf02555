//! `missing-paired-condition-key`: a condition key that identifies a caller
//! only together with another, used without it.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{is_allow, Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "missing-paired-condition-key",
        severity: Severity::Security,
        access_analyzer: Some("MISSING_PAIRED_CONDITION_KEYS"),
        summary: "A condition key is used without the key it must be paired with.",
        rationale: "`aws:Ec2InstanceSourcePrivateIPv4` is the private address of the EC2 instance whose \
role credentials signed the request. Private addresses repeat across VPCs and accounts, so on its own \
the key matches any instance with that address anywhere. Pair it with `aws:Ec2InstanceSourceVpc` in \
the same statement. Only `Allow` statements are checked: a `Deny` on the address alone is \
narrower, not wider, and AWS's data-perimeter examples pair the keys across two `Deny` statements.",
        bad: r#""Condition": {"IpAddress": {"aws:Ec2InstanceSourcePrivateIPv4": "10.0.1.15/32"}}"#,
        good: r#""Condition": {"IpAddress": {"aws:Ec2InstanceSourcePrivateIPv4": "10.0.1.15/32"},
              "StringEquals": {"aws:Ec2InstanceSourceVpc": "vpc-1a2b3c4d"}}"#,
    },
    check: Check::Policy(check),
};

/// A key, and the keys that must accompany it in the same statement.
const PAIRS: &[(&str, &[&str])] = &[("aws:Ec2InstanceSourcePrivateIPv4", &["aws:Ec2InstanceSourceVpc"])];

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements().filter(|s| is_allow(s)) {
        let keys: Vec<&str> = PolicyCx::conditions(statement).map(|(_, e)| e.key.as_str()).collect();
        for (_, entry) in PolicyCx::conditions(statement) {
            let Some((_, partners)) = PAIRS.iter().find(|(k, _)| k.eq_ignore_ascii_case(&entry.key)) else {
                continue;
            };
            let missing: Vec<&str> = partners
                .iter()
                .copied()
                .filter(|p| !keys.iter().any(|k| k.eq_ignore_ascii_case(p)))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let list = crate::policy::suggest::list(&missing);
            out.push(
                RULE.info
                    .finding(
                        entry.key.span,
                        format!("`{}` can be overly permissive without {list}", entry.key.node),
                    )
                    .label("needs its paired key")
                    .help(format!("add a condition on {list} to the same statement")),
            );
        }
    }
}
