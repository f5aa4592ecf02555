//! The Access Analyzer issue code of each foundation error (JSON syntax,
//! document structure, values the evaluator cannot compile), so that a
//! document `keyward check` refuses still reports AA's code in `lint`.

use super::policy_type::PolicyType;
use crate::eval::CompileError;
use crate::json::{self, JsonError};
use crate::policy::{DocumentKind, PolicyError};
use crate::source::Span;

/// What Access Analyzer calls the problem `error` describes, if it has a name
/// for it. `document` is the JSON the error was found in.
pub fn issue_code(
    error: &PolicyError,
    document: Option<&json::Value>,
    kind: Option<DocumentKind>,
) -> Option<&'static str> {
    let scp = kind == Some(DocumentKind::ServiceControlPolicy);
    let code = match error {
        PolicyError::Json(json) => match json {
            JsonError::TooLarge { .. } | JsonError::TooDeep { .. } | JsonError::DuplicateKey { .. } => return None,
            _ => "JSON_SYNTAX_ERROR",
        },
        PolicyError::MissingElement { element, .. } => match *element {
            "Effect" => "MISSING_EFFECT",
            "Action" => "MISSING_ACTION",
            "Resource" => "MISSING_RESOURCE",
            "Principal" => "MISSING_PRINCIPAL",
            "Statement" => "MISSING_STATEMENT",
            _ => return None,
        },
        PolicyError::ConflictingElements { .. } => "UNSUPPORTED_ELEMENT_COMBINATION",
        PolicyError::WrongType { .. } => "DATA_TYPE_MISMATCH",
        PolicyError::UnknownElement { parent, .. } if *parent == "principal" => "INVALID_PRINCIPAL_KEY",
        PolicyError::UnknownElement { .. } => "INVALID_POLICY_ELEMENT",
        PolicyError::MisplacedElement { .. } if scp => "SCP_SYNTAX_ERROR_PRINCIPAL",
        PolicyError::MisplacedElement { .. } => "UNSUPPORTED_PRINCIPAL",
        PolicyError::UnknownConditionOperator { name, .. } => {
            null_operator(name).unwrap_or("INVALID_CONDITION_OPERATOR")
        }
        PolicyError::InvalidEffect { .. } => "INVALID_EFFECT",
        PolicyError::InvalidVersion { .. } => "INVALID_VERSION",
        // AA reads `{}` as a statement missing its effect (and the rest).
        PolicyError::EmptyStatement { .. } => "MISSING_EFFECT",
        PolicyError::EmptyValue { element, span, .. } => match element.as_str() {
            "Statement" => "MISSING_STATEMENT",
            "Action" | "NotAction" => "EMPTY_ARRAY_ACTION",
            "Resource" | "NotResource" => "EMPTY_ARRAY_RESOURCE",
            "Principal" | "NotPrincipal" => "EMPTY_OBJECT_PRINCIPAL",
            "AWS" | "Service" | "Federated" | "CanonicalUser" => "EMPTY_ARRAY_PRINCIPAL",
            "Operations" => return None,
            _ => empty_condition(document?, Span::new(span.offset(), span.offset() + span.len())),
        },
        PolicyError::InvalidPrincipal { reason, .. } if reason.contains("wildcard") => {
            "UNSUPPORTED_WILDCARD_IN_PRINCIPAL"
        }
        PolicyError::InvalidPrincipal { .. } => "INVALID_PRINCIPAL_FORMAT",
        PolicyError::InvalidAction { .. } => "INVALID_ACTION",
        PolicyError::InvalidResource { .. } => "INVALID_ARN_PREFIX",
        PolicyError::InvalidConditionKey { .. } => "INVALID_CONDITION_KEY_FORMAT",
        PolicyError::DuplicateSid { .. } => "UNIQUE_SIDS_REQUIRED",
        PolicyError::UnknownDocument { .. }
        | PolicyError::UnknownGrantOperation { .. }
        | PolicyError::ConstraintLimit { .. } => return None,
    };
    Some(code)
}

/// `Null` takes neither `IfExists` nor a set qualifier.
fn null_operator(name: &str) -> Option<&'static str> {
    let base = name.split_once(':').map_or(name, |(_, b)| b);
    if !base.starts_with("Null") {
        return None;
    }
    if name.contains(':') {
        Some("NULL_WITH_QUALIFIER")
    } else if base.ends_with("IfExists") {
        Some("NULL_WITH_IF_EXISTS")
    } else {
        None
    }
}

/// The code of an empty condition value list: it depends on the operator
/// the list sits under, which the JSON tree knows.
fn empty_condition(document: &json::Value, span: Span) -> &'static str {
    match operator_above(document, span) {
        Some(op) if op.starts_with("ForAllValues:") => "EMPTY_ARRAY_CONDITION_FORALLVALUES",
        Some(op) if op.starts_with("ForAnyValue:") => "EMPTY_ARRAY_CONDITION_FORANYVALUE",
        Some(op) if op.ends_with("IfExists") => "EMPTY_ARRAY_CONDITION_IFEXISTS",
        _ => "EMPTY_ARRAY_CONDITION",
    }
}

/// The key two levels above the value at `span` (`{"<op>": {"<key>": []}}`).
fn operator_above(value: &json::Value, span: Span) -> Option<&str> {
    let mut path: Vec<&str> = Vec::new();
    let mut at = value;
    'descend: loop {
        match &at.kind {
            json::Kind::Object(object) => {
                for member in &object.members {
                    if member.value.span.start <= span.start && span.end <= member.value.span.end {
                        path.push(member.key.as_str());
                        if member.value.span == span {
                            break 'descend;
                        }
                        at = &member.value;
                        continue 'descend;
                    }
                }
                return None;
            }
            json::Kind::Array(items) => {
                let item = items
                    .iter()
                    .find(|i| i.span.start <= span.start && span.end <= i.span.end)?;
                if item.span == span {
                    return None;
                }
                at = item;
            }
            _ => return None,
        }
    }
    path.len().checked_sub(2).and_then(|i| path.get(i).copied())
}

/// The code of a condition value the evaluator cannot use for its operator.
pub fn compile_issue_code(error: &CompileError) -> Option<&'static str> {
    let CompileError::InvalidConditionValue { operator, value, .. } = error;
    if value.contains("${") {
        return Some("INVALID_VARIABLE_FOR_OPERATOR");
    }
    let base = operator.split_once(':').map_or(operator.as_str(), |(_, b)| b);
    let base = base.strip_prefix("Not").unwrap_or(base);
    [
        ("Numeric", "TYPE_MISMATCH_NUMBER"),
        ("Date", "TYPE_MISMATCH_DATE"),
        ("Bool", "TYPE_MISMATCH_BOOLEAN"),
        ("IpAddress", "TYPE_MISMATCH_IP_RANGE"),
        ("Binary", "TYPE_MISMATCH_STRING"),
    ]
    .into_iter()
    .find(|(prefix, _)| base.starts_with(prefix))
    .map(|(_, code)| code)
}

/// A foundation message names the policy type the reader assumed; say the
/// type the user asked for.
pub fn retitle(message: &str, ty: Option<PolicyType>) -> String {
    match ty {
        Some(ty @ PolicyType::ServiceControl) => message.replace("an identity policy", ty.article_name()),
        _ => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_variants_have_their_own_codes() {
        assert_eq!(null_operator("NullIfExists"), Some("NULL_WITH_IF_EXISTS"));
        assert_eq!(null_operator("ForAllValues:Null"), Some("NULL_WITH_QUALIFIER"));
        assert_eq!(null_operator("StringEqualz"), None);
    }

    #[test]
    fn an_empty_condition_list_is_named_by_its_operator() {
        let text = r#"{"Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": []}}}"#;
        let value = json::parse(text).expect("json");
        let start = text.find("[]").expect("list");
        assert_eq!(
            empty_condition(&value, Span::new(start, start + 2)),
            "EMPTY_ARRAY_CONDITION_FORANYVALUE"
        );
    }
}
