//! `service-principal-without-source`: an AWS service principal allowed
//! without a condition saying on whose behalf it acts.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{is_allow, principals, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::lint::PolicyType;
use crate::policy::{PolicyKind, PrincipalKind};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "service-principal-without-source",
        severity: Severity::Security,
        access_analyzer: Some("RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL"),
        summary: "A service principal is allowed without a source condition.",
        rationale: "A service such as CloudTrail acts for every customer. Without `aws:SourceArn`, \
`aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths`, another account can make the service use \
your resource for its own (the confused deputy problem): Access Analyzer reports a statement that allows a \
service principal with none of these keys as RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL, a security warning. \
When the statement names the source only by organization (`aws:SourceOrgID`, `aws:SourceOrgPaths`), or, in a \
key policy, by a condition KMS itself checks (`kms:CallerAccount`, `kms:ViaService`, \
`kms:EncryptionContext:…`), keyward reports the suggestion RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL: \
`aws:SourceArn` or `aws:SourceAccount` name the source resource or account exactly (IAM User Guide, \
\"IAM policy validation check reference\"). In a role trust policy a service principal without a source \
is that suggestion too: the role it assumes is the account's own.",
        bad: r#"{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
 "Action": "kms:GenerateDataKey*", "Resource": "*"}"#,
        good: r#"{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
 "Action": "kms:GenerateDataKey*", "Resource": "*",
 "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}"#,
    },
    check: Check::Policy(check),
};

/// Keys that name the source resource or account exactly.
const EXACT_SOURCE_KEYS: &[&str] = &["aws:SourceArn", "aws:SourceAccount"];

/// Keys that bound the source more loosely: by organization, or by what
/// KMS checks for a service acting on a key.
const LOOSE_SOURCE_KEYS: &[&str] = &[
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "kms:CallerAccount",
    "kms:ViaService",
];

/// How a statement names the source a service acts for.
#[derive(PartialEq, Eq)]
enum Source {
    Exact,
    Loose,
    None,
}

fn source(statement: &crate::policy::Statement) -> Source {
    let mut found = Source::None;
    for (_, entry) in PolicyCx::conditions(statement) {
        let key = entry.key.as_str();
        if EXACT_SOURCE_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            return Source::Exact;
        }
        if LOOSE_SOURCE_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
            || key.to_ascii_lowercase().starts_with("kms:encryptioncontext:")
        {
            found = Source::Loose;
        }
    }
    found
}

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if cx.kind == PolicyKind::IdentityPolicy {
        return;
    }
    for statement in cx.statements() {
        if !is_allow(statement) {
            continue;
        }
        let source = source(statement);
        if source == Source::Exact {
            continue;
        }
        for (kind, id) in principals(statement) {
            if kind != PrincipalKind::Service {
                continue;
            }
            let mut finding = if source == Source::None {
                RULE.info
                    .finding(id.span, format!("`{}` is allowed for any source", id.node))
                    .label("acts for every customer")
                    .help("add `aws:SourceArn` or `aws:SourceAccount` (or `aws:SourceOrgID`) naming your resources")
            } else {
                RULE.info
                    .finding(id.span, format!("`{}` is bound to its source only loosely", id.node))
                    .label("no `aws:SourceArn` or `aws:SourceAccount`")
                    .help("add `aws:SourceArn` or `aws:SourceAccount` naming the resource or account it acts for")
            };
            // A service assuming a role does so for that role's account: Access
            // Analyzer's security warning is about resource policies.
            if source == Source::Loose || cx.ty == PolicyType::RoleTrust {
                finding = finding
                    .severity(Severity::Suggestion)
                    .issue_code("RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL");
            }
            out.push(finding);
        }
    }
}
