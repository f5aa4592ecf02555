//! JSON tree → grant model: one grant (a `CreateGrant` request or a
//! `GrantListEntry`), a list of grants, or a `ListGrants` response.

use super::error::PolicyError;
use super::grant::*;
use super::model::Scalar;
use super::read::{opening, Reader};
use super::suggest;
use crate::json::{Kind, Value};
use crate::source::Spanned;

pub(super) const GRANT_ELEMENTS: &[&str] = &[
    "KeyId",
    "GrantId",
    "Name",
    "CreationDate",
    "GranteePrincipal",
    "GranteeServicePrincipal",
    "RetiringPrincipal",
    "RetiringServicePrincipal",
    "IssuingAccount",
    "Operations",
    "Constraints",
    "GrantTokens",
    "DryRun",
];
const CONSTRAINT_ELEMENTS: &[&str] = &["EncryptionContextEquals", "EncryptionContextSubset", "SourceArn"];
const LIST_GRANTS_ELEMENTS: &[&str] = &["Grants", "NextMarker", "Truncated"];

/// At most this many pairs in one encryption-context constraint (AWS quota).
pub const MAX_CONSTRAINT_PAIRS: usize = 8;
/// At most this many characters in one constraint value (AWS quota).
pub const MAX_CONSTRAINT_VALUE_CHARS: usize = 384;

impl Reader {
    pub fn grants(&mut self, value: &Value) -> Option<Grants> {
        let (shape, items): (GrantsShape, Vec<&Value>) = match &value.kind {
            Kind::Array(items) => (GrantsShape::List, items.iter().collect()),
            Kind::Object(object) if object.get("Grants").is_some() => {
                let fields = self.fields(object, "`ListGrants` response", LIST_GRANTS_ELEMENTS);
                let next_marker = fields
                    .get("NextMarker")
                    .and_then(|m| self.string(&m.value, "NextMarker"));
                let truncated = fields.get("Truncated").and_then(|m| self.bool(&m.value, "Truncated"));
                let grants = fields.get("Grants")?;
                let Kind::Array(items) = &grants.value.kind else {
                    return self.wrong_type(&grants.value, "Grants", "a list of grants", None);
                };
                (
                    GrantsShape::ListGrantsResponse { next_marker, truncated },
                    items.iter().collect(),
                )
            }
            _ => (GrantsShape::One, vec![value]),
        };
        let grants: Vec<Option<Spanned<Grant>>> = items.into_iter().map(|v| self.grant(v)).collect();
        let grants = grants.into_iter().collect::<Option<Vec<_>>>()?;
        self.errors.is_empty().then_some(Grants { shape, grants })
    }

    fn grant(&mut self, value: &Value) -> Option<Spanned<Grant>> {
        let object = self.object(value, "grant")?;
        let fields = self.fields(object, "grant", GRANT_ELEMENTS);
        let text = |reader: &mut Reader, name: &str| fields.get(name).and_then(|m| reader.string(&m.value, name));
        let key_id = text(self, "KeyId");
        let grant_id = text(self, "GrantId");
        let name = text(self, "Name");
        let retiring_principal = text(self, "RetiringPrincipal");
        let retiring_service_principal = text(self, "RetiringServicePrincipal");
        let issuing_account = text(self, "IssuingAccount");
        let creation_date = fields.get("CreationDate").and_then(|m| match &m.value.kind {
            Kind::String(s) => Some(Spanned::new(Scalar::String(s.clone()), m.value.span)),
            Kind::Number(n) => Some(Spanned::new(Scalar::Number(n.clone()), m.value.span)),
            _ => self.wrong_type(&m.value, "CreationDate", "a date string or epoch seconds", None),
        });
        let grantee = self.grantee(value, &fields);
        let operations = match fields.get("Operations") {
            Some(m) => self.operations(&m.value),
            None => {
                self.push(PolicyError::MissingElement {
                    element: "Operations",
                    parent: "grant",
                    span: opening(value).into(),
                    help: Some("list what the grant allows, e.g. `\"Operations\": [\"Decrypt\"]`".to_owned()),
                });
                None
            }
        };
        let constraints = fields.get("Constraints").map(|m| self.constraints(&m.value));
        let grant_tokens = fields.get("GrantTokens").map(|m| self.token_list(&m.value));
        let dry_run = fields.get("DryRun").map(|m| self.bool(&m.value, "DryRun"));
        let grant = Grant {
            key_id,
            grant_id,
            name,
            creation_date,
            grantee: grantee?,
            retiring_principal,
            retiring_service_principal,
            issuing_account,
            operations: operations?,
            constraints: constraints.map_or(Some(None), |c| c.map(Some))?,
            grant_tokens: grant_tokens.map_or(Some(None), |t| t.map(Some))?,
            dry_run: dry_run.map_or(Some(None), |d| d.map(Some))?,
        };
        Some(Spanned::new(grant, value.span))
    }

    fn grantee(&mut self, grant: &Value, fields: &super::read::Fields<'_>) -> Option<Spanned<Grantee>> {
        match (fields.get("GranteePrincipal"), fields.get("GranteeServicePrincipal")) {
            (Some(a), Some(b)) => {
                self.push(PolicyError::ConflictingElements {
                    first: "GranteePrincipal",
                    second: "GranteeServicePrincipal",
                    parent: "grant",
                    span: b.key.span.into(),
                    first_span: a.key.span.into(),
                });
                None
            }
            (Some(m), None) => self
                .string(&m.value, "GranteePrincipal")
                .map(|s| s.map(Grantee::Principal)),
            (None, Some(m)) => self
                .string(&m.value, "GranteeServicePrincipal")
                .map(|s| s.map(Grantee::ServicePrincipal)),
            (None, None) => {
                self.push(PolicyError::MissingElement {
                    element: "GranteePrincipal",
                    parent: "grant",
                    span: opening(grant).into(),
                    help: Some("name who receives the grant with `GranteePrincipal` (or `GranteeServicePrincipal` for an AWS service)".to_owned()),
                });
                None
            }
        }
    }

    fn operations(&mut self, value: &Value) -> Option<Vec<Spanned<GrantOperation>>> {
        let Kind::Array(items) = &value.kind else {
            let help = value
                .as_str()
                .map(|s| format!("write a list: `\"Operations\": [\"{s}\"]`"));
            return self.wrong_type(value, "Operations", "a list of grant operations", help);
        };
        if items.is_empty() {
            self.push(PolicyError::EmptyValue {
                element: "Operations".to_owned(),
                span: value.span.into(),
                help: "a grant allows at least one operation".to_owned(),
            });
            return None;
        }
        let operations: Vec<Option<Spanned<GrantOperation>>> = items
            .iter()
            .map(|item| {
                let name = self.string(item, "Operations")?;
                match GrantOperation::parse(&name) {
                    Some(op) => Some(Spanned::new(op, name.span)),
                    None => {
                        self.push(PolicyError::UnknownGrantOperation {
                            help: operation_help(&name),
                            name: name.node,
                            span: name.span.into(),
                        });
                        None
                    }
                }
            })
            .collect();
        operations.into_iter().collect()
    }

    fn constraints(&mut self, value: &Value) -> Option<Spanned<GrantConstraints>> {
        let object = self.object(value, "Constraints")?;
        let before = self.errors.len();
        let fields = self.fields(object, "grant constraint", CONSTRAINT_ELEMENTS);
        let equals = fields
            .get("EncryptionContextEquals")
            .and_then(|m| self.context(&m.value, "EncryptionContextEquals"));
        let subset = fields
            .get("EncryptionContextSubset")
            .and_then(|m| self.context(&m.value, "EncryptionContextSubset"));
        let source_arn = fields.get("SourceArn").and_then(|m| self.string(&m.value, "SourceArn"));
        let constraints = GrantConstraints {
            encryption_context_equals: equals,
            encryption_context_subset: subset,
            source_arn,
        };
        (self.errors.len() == before).then(|| Spanned::new(constraints, value.span))
    }

    fn context(&mut self, value: &Value, element: &'static str) -> Option<Vec<ContextPair>> {
        let object = self.object(value, element)?;
        for duplicate in object.duplicate_keys() {
            self.push(duplicate);
        }
        if object.members.len() > MAX_CONSTRAINT_PAIRS {
            self.push(PolicyError::ConstraintLimit {
                message: format!(
                    "`{element}` has {} pairs, more than the limit of {MAX_CONSTRAINT_PAIRS}",
                    object.members.len()
                ),
                span: object.members[MAX_CONSTRAINT_PAIRS].key.span.into(),
                label: format!("pair {} of {}", MAX_CONSTRAINT_PAIRS + 1, object.members.len()),
                help: "AWS KMS allows at most 8 pairs in an encryption-context constraint".to_owned(),
            });
        }
        let pairs: Vec<Option<ContextPair>> = object
            .members
            .iter()
            .map(|member| {
                let value = self.string(&member.value, &member.key)?;
                let chars = value.chars().count();
                if chars > MAX_CONSTRAINT_VALUE_CHARS {
                    self.push(PolicyError::ConstraintLimit {
                        message: format!("the value of `{}` has {chars} characters, more than the limit of {MAX_CONSTRAINT_VALUE_CHARS}", member.key.node),
                        // Underline the start only: the value itself can fill a screen.
                        span: crate::source::Span::new(value.span.start, value.span.start + 1).into(),
                        label: format!("this value is {chars} characters long"),
                        help: "AWS KMS allows at most 384 characters in a constraint value".to_owned(),
                    });
                    return None;
                }
                Some(ContextPair { key: member.key.clone(), value })
            })
            .collect();
        pairs.into_iter().collect()
    }

    fn token_list(&mut self, value: &Value) -> Option<Vec<Spanned<String>>> {
        let Kind::Array(items) = &value.kind else {
            return self.wrong_type(value, "GrantTokens", "a list of strings", None);
        };
        let tokens: Vec<_> = items.iter().map(|item| self.string(item, "GrantTokens")).collect();
        tokens.into_iter().collect()
    }
}

/// Help for an operation name that is not in the `GrantOperation` enum.
fn operation_help(name: &str) -> String {
    let names: Vec<&str> = GrantOperation::ALL.iter().map(|op| op.as_str()).collect();
    if let Some(bare) = name.strip_prefix("kms:") {
        if let Some(op) = suggest::closest(bare, names.iter().copied()) {
            return format!("grant operations have no `kms:` prefix: write `{op}`");
        }
    }
    if name.eq_ignore_ascii_case("ReEncrypt") || name.eq_ignore_ascii_case("ReEncrypt*") {
        return "a grant names the two halves: `ReEncryptFrom` and `ReEncryptTo`".to_owned();
    }
    match suggest::closest(name, names.iter().copied()) {
        Some(op) => format!("did you mean `{op}`?"),
        None => format!(
            "a grant can allow only {}; key management (`PutKeyPolicy`, `ScheduleKeyDeletion`, …) needs a key or IAM policy",
            suggest::list(&names)
        ),
    }
}
