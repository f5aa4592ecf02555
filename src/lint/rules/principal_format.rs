//! `principal-format`: an AWS or service principal that names no principal
//! (a placeholder, a stray space) or names a user or role by its unique id.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::{Principal, PrincipalKind};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "principal-format",
        severity: Severity::Warning,
        access_analyzer: Some("INVALID_PRINCIPAL_FORMAT"),
        summary: "A principal is not an account, user, role, session or service principal.",
        rationale: "KMS refuses a key policy whose principals do not exist (`MalformedPolicyDocumentException`), \
and other policies match nothing for them. Placeholders copied from documentation (`ACCOUNT-ID`, \
`arn:aws:iam::account-id:root`), a leading space, or a service name that does not end in \
`.amazonaws.com` (INVALID_SERVICE_PRINCIPAL_FORMAT) are caught here. A unique id (`AIDA…`, `AROA…`) is valid but stops matching when the user \
or role is re-created (Access Analyzer's INVALID_USER_REFERENCE / INVALID_ROLE_REFERENCE).",
        bad: r#""Principal": {"AWS": "arn:aws:iam::ACCOUNT-ID:root"}"#,
        good: r#""Principal": {"AWS": "arn:aws:iam::111122223333:root"}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        let Some(principal) = &statement.principal else {
            continue;
        };
        let Principal::Map(entries) = &principal.value else {
            continue;
        };
        for entry in entries {
            for id in entry.ids.iter() {
                let (problem, code) = match entry.kind.node {
                    PrincipalKind::Aws if id.starts_with("AIDA") => (aws_problem(id), "INVALID_USER_REFERENCE"),
                    PrincipalKind::Aws if id.starts_with("AROA") => (aws_problem(id), "INVALID_ROLE_REFERENCE"),
                    PrincipalKind::Aws => (aws_problem(id), "INVALID_PRINCIPAL_FORMAT"),
                    PrincipalKind::Service => (service_problem(id), "INVALID_SERVICE_PRINCIPAL_FORMAT"),
                    _ => (None, ""),
                };
                if let Some((message, help)) = problem {
                    let finding = RULE.info.finding(id.span, message).label("not a principal").help(help);
                    out.push(finding.issue_code(code));
                }
            }
        }
    }
}

fn is_account(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

fn aws_problem(id: &str) -> Option<(String, String)> {
    if id == "*" || is_account(id) {
        return None;
    }
    let unique = id.len() == 21
        && ["AIDA", "AROA"].iter().any(|p| id.starts_with(p))
        && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if unique {
        return Some((
            format!("`{id}` is the unique id of a user or role"),
            "name the user or role by its ARN; an id stops matching when the principal is re-created".to_owned(),
        ));
    }
    let fields: Vec<&str> = id.splitn(6, ':').collect();
    let valid = match fields.as_slice() {
        ["arn", partition, "iam", "", account, resource] => {
            !partition.is_empty()
                && is_account(account)
                && (*resource == "root"
                    || ["user/", "role/", "federated-user/"]
                        .iter()
                        .any(|p| resource.starts_with(p) && resource.len() > p.len()))
        }
        ["arn", partition, "sts", "", account, resource] => {
            !partition.is_empty()
                && is_account(account)
                && ["assumed-role/", "federated-user/"]
                    .iter()
                    .any(|p| resource.starts_with(p) && resource.len() > p.len())
        }
        _ => false,
    };
    (!valid).then(|| {
        (
            format!("`{id}` is not an AWS principal"),
            "write a 12-digit account id, `arn:aws:iam::<account>:root`, a user or role ARN, or an `arn:aws:sts::<account>:assumed-role/…` session".to_owned(),
        )
    })
}

fn service_problem(id: &str) -> Option<(String, String)> {
    let ok = [".amazonaws.com", ".amazonaws.com.cn", ".amazon.com"]
        .iter()
        .any(|suffix| id.strip_suffix(suffix).is_some_and(is_dns_label_list));
    (!ok).then(|| {
        (
            format!("`{id}` is not a service principal"),
            "service principals are written `<service>.amazonaws.com`, such as `cloudtrail.amazonaws.com`".to_owned(),
        )
    })
}

fn is_dns_label_list(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_spaces_are_not_principals() {
        assert!(aws_problem("ACCOUNT-B-ID").is_some());
        assert!(aws_problem(" arn:aws:iam::111122223333:user/AdminUser").is_some());
        assert!(aws_problem("arn:aws:iam::account-id:root").is_some());
        assert!(aws_problem("AIDACKCEVSQ6C2EXAMPLE").is_some());
        assert_eq!(aws_problem("arn:aws:sts::444455556666:assumed-role/r/s"), None);
        assert_eq!(aws_problem("arn:aws:iam::111122223333:role/path/Name"), None);
        assert_eq!(service_problem("logs.us-east-1.amazonaws.com"), None);
        assert!(service_problem("cloudtrail").is_some());
    }
}
