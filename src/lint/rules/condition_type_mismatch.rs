//! `condition-type-mismatch`: an operator of one type (numeric, date, IP
//! address, ARN, Boolean) used with a condition key of another.

use super::{Check, Rule, RuleInfo};
use crate::catalog::KeyType;
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::BaseOperator;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "condition-type-mismatch",
        severity: Severity::Warning,
        access_analyzer: Some("TYPE_MISMATCH"),
        summary: "The condition operator does not fit the type of the condition key.",
        rationale: "IAM compares a key's value as the operator's type: a numeric operator on an account id, or an \
IP operator on a string key, never matches as intended. String operators on ARN keys and numeric operators \
on date keys (epoch seconds, as the KMS documentation does for `kms:ValidTo`) are accepted, and so is \
any operator comparing with a policy variable (`${aws:VpcSourceIp}`).",
        bad: r#""Condition": {"NumericEquals": {"kms:CallerAccount": "111122223333"}}"#,
        good: r#""Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}"#,
    },
    check: Check::Policy(check),
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

fn family(op: BaseOperator) -> Family {
    use BaseOperator::*;
    match op {
        StringEquals
        | StringNotEquals
        | StringEqualsIgnoreCase
        | StringNotEqualsIgnoreCase
        | StringLike
        | StringNotLike => Family::String,
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => Family::Numeric,
        DateEquals | DateNotEquals | DateLessThan | DateLessThanEquals | DateGreaterThan | DateGreaterThanEquals => {
            Family::Date
        }
        Bool => Family::Bool,
        BinaryEquals => Family::Binary,
        IpAddress | NotIpAddress => Family::Ip,
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => Family::Arn,
        Null => Family::Null,
    }
}

fn fits(ty: KeyType, family: Family) -> bool {
    match (ty, family) {
        (_, Family::Null) => true,
        (KeyType::String, f) => f == Family::String,
        (KeyType::Arn, f) => matches!(f, Family::Arn | Family::String),
        (KeyType::Bool, f) => matches!(f, Family::Bool | Family::String),
        (KeyType::Numeric, f) => f == Family::Numeric,
        (KeyType::Date, f) => matches!(f, Family::Date | Family::Numeric),
        (KeyType::IpAddress, f) => f == Family::Ip,
        (KeyType::Binary, f) => matches!(f, Family::Binary | Family::String),
    }
}

fn operators_for(ty: KeyType) -> &'static str {
    match ty {
        KeyType::String => "a `String…` operator",
        KeyType::Arn => "an `Arn…` operator",
        KeyType::Bool => "`Bool`",
        KeyType::Numeric => "a `Numeric…` operator",
        KeyType::Date => "a `Date…` operator",
        KeyType::IpAddress => "`IpAddress` or `NotIpAddress`",
        KeyType::Binary => "`BinaryEquals`",
    }
}

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for (operator, entry) in PolicyCx::conditions(statement) {
            let Some((name, info)) = cx.catalogue().key(&entry.key) else {
                continue;
            };
            // A policy variable has the type of the key it stands for.
            let variables = entry.values.iter().all(|v| v.as_text().starts_with("${"));
            if !variables && !fits(info.ty, family(operator.base)) {
                out.push(
                    RULE.info
                        .finding(
                            operator.span,
                            format!("`{operator}` does not fit `{}`, a {:?} key", entry.key.node, info.ty),
                        )
                        .label("operator of another type")
                        .also(entry.key.span, format!("documented as `{name}`"))
                        .help(super::names::per_catalogue(format!(
                            "use {} with `{}`",
                            operators_for(info.ty),
                            entry.key.node
                        ))),
                );
            }
        }
    }
}
