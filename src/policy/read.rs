//! JSON tree → policy model. The [`Reader`] walks the whole document and
//! collects every problem instead of stopping at the first; a part is built
//! only when it is sound, and the document only when nothing was wrong.

use super::condition::Operator;
use super::error::PolicyError;
use super::model::*;
use super::suggest;
use crate::json::{Kind, Member, Object, Value};
use crate::source::{Span, Spanned};

pub(super) const POLICY_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// What kind of policy a document is, which decides the elements its
/// statements must and must not have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// A KMS key policy: every statement has `Principal` and `Resource`.
    KeyPolicy,
    /// Another resource policy, such as a role trust policy: every statement
    /// has `Principal`; `Resource` may be left out.
    ResourcePolicy,
    /// An identity policy, SCP, RCP or boundary: no statement has `Principal`.
    IdentityPolicy,
}

impl PolicyKind {
    fn names_principals(self) -> bool {
        self != PolicyKind::IdentityPolicy
    }
}

/// Collects problems while reading one document.
#[derive(Default)]
pub(super) struct Reader {
    pub errors: Vec<PolicyError>,
}

/// The members of an object under their known names (first occurrence).
pub(super) struct Fields<'v> {
    found: Vec<(&'static str, &'v Member)>,
}

impl<'v> Fields<'v> {
    pub fn get(&self, name: &str) -> Option<&'v Member> {
        self.found.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }
}

/// Span of an object's opening `{`, where "this statement" is pointed at.
pub(super) fn opening(value: &Value) -> Span {
    Span::new(value.span.start, value.span.start + 1)
}

impl Reader {
    pub fn push(&mut self, error: impl Into<PolicyError>) {
        self.errors.push(error.into());
    }

    /// Sorts an object's members by known name, reporting duplicate keys and
    /// unknown names (with a suggestion).
    pub fn fields<'v>(&mut self, object: &'v Object, parent: &'static str, known: &[&'static str]) -> Fields<'v> {
        for duplicate in object.duplicate_keys() {
            self.push(duplicate);
        }
        let mut found = Vec::new();
        for member in &object.members {
            match known.iter().find(|k| **k == member.key.as_str()) {
                Some(name) if !found.iter().any(|(n, _)| n == name) => found.push((*name, member)),
                Some(_) => {} // a duplicate, already reported
                None => self.push(PolicyError::UnknownElement {
                    name: member.key.node.clone(),
                    parent,
                    span: member.key.span.into(),
                    help: suggest::help(&member.key, known, &format!("the elements of a {parent}")),
                }),
            }
        }
        Fields { found }
    }

    pub fn object<'v>(&mut self, value: &'v Value, element: &str) -> Option<&'v Object> {
        match &value.kind {
            Kind::Object(object) => Some(object),
            _ => self.wrong_type(value, element, "an object", None),
        }
    }

    pub fn string(&mut self, value: &Value, element: &str) -> Option<Spanned<String>> {
        match &value.kind {
            Kind::String(s) => Some(Spanned::new(s.clone(), value.span)),
            _ => self.wrong_type(value, element, "a string", None),
        }
    }

    pub fn bool(&mut self, value: &Value, element: &str) -> Option<Spanned<bool>> {
        match value.kind {
            Kind::Bool(b) => Some(Spanned::new(b, value.span)),
            _ => self.wrong_type(value, element, "`true` or `false`", None),
        }
    }

    pub fn wrong_type<T>(
        &mut self,
        value: &Value,
        element: &str,
        expected: &'static str,
        help: Option<String>,
    ) -> Option<T> {
        self.push(PolicyError::WrongType {
            element: element.to_owned(),
            expected,
            found: value.type_name(),
            span: value.span.into(),
            help,
        });
        None
    }

    /// A string, or a non-empty list of strings.
    pub fn strings(&mut self, value: &Value, element: &str) -> Option<Values<Spanned<String>>> {
        match &value.kind {
            Kind::String(s) => Some(Values::One(Spanned::new(s.clone(), value.span))),
            Kind::Array(items) if items.is_empty() => {
                self.push(PolicyError::EmptyValue {
                    element: element.to_owned(),
                    span: value.span.into(),
                    help: format!("give `{element}` at least one value, or remove it"),
                });
                None
            }
            Kind::Array(items) => {
                let strings: Vec<_> = items.iter().map(|item| self.string(item, element)).collect();
                strings.into_iter().collect::<Option<Vec<_>>>().map(Values::Many)
            }
            _ => self.wrong_type(value, element, "a string or a list of strings", None),
        }
    }

    /// `first` or its twin `second` (e.g. `Action` / `NotAction`): exactly one.
    fn either<'v>(
        &mut self,
        fields: &Fields<'v>,
        first: &'static str,
        second: &'static str,
    ) -> Option<(bool, &'v Member)> {
        match (fields.get(first), fields.get(second)) {
            (Some(a), Some(b)) => {
                self.push(PolicyError::ConflictingElements {
                    first,
                    second,
                    parent: "statement",
                    span: b.key.span.into(),
                    first_span: a.key.span.into(),
                });
                None
            }
            (Some(a), None) => Some((false, a)),
            (None, Some(b)) => Some((true, b)),
            (None, None) => None,
        }
    }

    pub fn policy(&mut self, value: &Value, kind: Option<PolicyKind>) -> Option<Policy> {
        let object = self.object(value, "policy")?;
        let fields = self.fields(object, "policy", POLICY_ELEMENTS);
        let version = fields.get("Version").and_then(|m| self.version(&m.value));
        let id = fields.get("Id").and_then(|m| self.string(&m.value, "Id"));
        let Some(statement) = fields.get("Statement") else {
            if misspelt(value, "Statement", POLICY_ELEMENTS) {
                return None; // the unknown-element error already says "did you mean"
            }
            self.push(PolicyError::MissingElement {
                element: "Statement",
                parent: "policy",
                span: opening(value).into(),
                help: Some("a policy holds its statements in `\"Statement\": [ … ]`".to_owned()),
            });
            return None;
        };
        let values: Vec<&Value> = match &statement.value.kind {
            Kind::Object(_) => vec![&statement.value],
            Kind::Array(items) if items.is_empty() => {
                self.push(PolicyError::EmptyValue {
                    element: "Statement".to_owned(),
                    span: statement.value.span.into(),
                    help: "a policy needs at least one statement".to_owned(),
                });
                return None;
            }
            Kind::Array(items) => items.iter().collect(),
            _ => {
                return self.wrong_type(
                    &statement.value,
                    "Statement",
                    "a statement object or a list of them",
                    None,
                )
            }
        };
        let kind = kind.unwrap_or_else(|| infer_kind(&values));
        let statements: Vec<Option<Spanned<Statement>>> = values.iter().map(|v| self.statement(v, kind)).collect();
        self.check_principals(&values, kind);
        if kind == PolicyKind::IdentityPolicy {
            self.check_unique_sids(&values);
        }
        let statements = statements.into_iter().collect::<Option<Vec<_>>>()?;
        let policy = Policy {
            version,
            id,
            statements,
        };
        self.errors.is_empty().then_some(policy)
    }

    fn version(&mut self, value: &Value) -> Option<Spanned<Version>> {
        let text = self.string(value, "Version")?;
        match Version::parse(&text) {
            Some(v) => Some(Spanned::new(v, text.span)),
            None => {
                let help = match suggest::closest(&text, ["2012-10-17", "2008-10-17"]) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => "use `2012-10-17`, the current version (the only other one is `2008-10-17`)".to_owned(),
                };
                self.push(PolicyError::InvalidVersion {
                    value: text.node,
                    span: text.span.into(),
                    help,
                });
                None
            }
        }
    }

    fn statement(&mut self, value: &Value, kind: PolicyKind) -> Option<Spanned<Statement>> {
        let object = self.object(value, "Statement")?;
        if object.members.is_empty() {
            self.push(PolicyError::EmptyStatement {
                span: value.span.into(),
            });
            return None;
        }
        let fields = self.fields(object, "statement", STATEMENT_ELEMENTS);
        let sid = fields.get("Sid").and_then(|m| self.string(&m.value, "Sid"));
        let effect = match fields.get("Effect") {
            Some(m) => self.effect(&m.value),
            None => self.missing(value, "Effect", "add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`"),
        };
        let principal = match self.either(&fields, "Principal", "NotPrincipal") {
            Some((negated, m)) => {
                let name = if negated { "NotPrincipal" } else { "Principal" };
                Some(
                    self.principal(&m.value, name)
                        .map(|p| Spanned::new(Clause { negated, value: p }, m.value.span)),
                )
            }
            None => None,
        };
        let action = self.patterns(value, &fields, "Action", "NotAction", Reader::check_action, kind);
        let resource = if kind == PolicyKind::ResourcePolicy
            && fields.get("Resource").is_none()
            && fields.get("NotResource").is_none()
        {
            Some(None)
        } else {
            self.patterns(value, &fields, "Resource", "NotResource", Reader::check_resource, kind)
                .map(Some)
        };
        let condition = fields.get("Condition").map(|m| self.condition(&m.value));
        let statement = Statement {
            sid,
            effect: effect?,
            principal: principal.map_or(Some(None), |p| p.map(Some))?,
            action: action?,
            resource: resource?,
            condition: condition.map_or(Some(None), |c| c.map(Some))?,
        };
        Some(Spanned::new(statement, value.span))
    }

    fn missing<T>(&mut self, statement: &Value, element: &'static str, help: &str) -> Option<T> {
        if misspelt(statement, element, STATEMENT_ELEMENTS) {
            return None; // the unknown-element error already says "did you mean"
        }
        self.push(PolicyError::MissingElement {
            element,
            parent: "statement",
            span: opening(statement).into(),
            help: Some(help.to_owned()),
        });
        None
    }

    fn effect(&mut self, value: &Value) -> Option<Spanned<Effect>> {
        let text = self.string(value, "Effect")?;
        match text.as_str() {
            "Allow" => Some(Spanned::new(Effect::Allow, text.span)),
            "Deny" => Some(Spanned::new(Effect::Deny, text.span)),
            other => {
                let help = suggest::help(other, &["Allow", "Deny"], "the effects");
                self.push(PolicyError::InvalidEffect {
                    value: text.node.clone(),
                    span: text.span.into(),
                    help,
                });
                None
            }
        }
    }

    /// `Action`/`NotAction` or `Resource`/`NotResource`, each value checked.
    fn patterns(
        &mut self,
        statement: &Value,
        fields: &Fields<'_>,
        element: &'static str,
        negated_element: &'static str,
        check: fn(&mut Reader, &Spanned<String>) -> bool,
        kind: PolicyKind,
    ) -> Option<Spanned<Clause<Values<Spanned<String>>>>> {
        let Some((negated, member)) = self.either(fields, element, negated_element) else {
            if fields.get(element).is_none() && fields.get(negated_element).is_none() {
                let help = match kind {
                    PolicyKind::KeyPolicy => format!(
                        "add `{element}` (or `{negated_element}`); AWS KMS stores a key-policy statement without it, but the statement then never applies"
                    ),
                    _ => format!("add `{element}` (or `{negated_element}`); IAM refuses a statement without one"),
                };
                return self.missing(statement, element, &help);
            }
            return None;
        };
        let name = if negated { negated_element } else { element };
        let values = self.strings(&member.value, name)?;
        // Check every value (no short circuit), so each bad one is reported.
        let all_valid = values.iter().filter(|v| !check(self, v)).count() == 0;
        all_valid.then(|| Spanned::new(Clause { negated, value: values }, member.value.span))
    }

    fn check_action(&mut self, action: &Spanned<String>) -> bool {
        let valid = action.as_str() == "*"
            || action.split_once(':').is_some_and(|(service, name)| {
                !service.is_empty()
                    && !name.is_empty()
                    && service
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '*' | '?'))
            });
        if !valid {
            self.push(PolicyError::InvalidAction {
                value: action.node.clone(),
                span: action.span.into(),
            });
        }
        valid
    }

    fn check_resource(&mut self, resource: &Spanned<String>) -> bool {
        let valid = resource.as_str() == "*" || resource.starts_with("arn:");
        if !valid {
            self.push(PolicyError::InvalidResource {
                value: resource.node.clone(),
                span: resource.span.into(),
            });
        }
        valid
    }

    fn check_principals(&mut self, statements: &[&Value], kind: PolicyKind) {
        for value in statements {
            let Some(object) = value.as_object() else {
                continue;
            };
            if object.members.is_empty() {
                continue;
            }
            let named = object
                .members
                .iter()
                .find(|m| matches!(m.key.as_str(), "Principal" | "NotPrincipal"));
            if named.is_none() && misspelt(value, "Principal", STATEMENT_ELEMENTS) {
                continue;
            }
            match (kind.names_principals(), named) {
                (true, None) => self.push(PolicyError::MissingElement {
                    element: "Principal",
                    parent: "statement",
                    span: opening(value).into(),
                    help: Some(
                        "every statement of a resource policy names who it applies to (other statements here do), e.g. `\"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}`"
                            .to_owned(),
                    ),
                }),
                (false, Some(member)) => self.push(PolicyError::MisplacedElement {
                    element: if member.key.as_str() == "Principal" { "Principal" } else { "NotPrincipal" },
                    place: "an identity policy",
                    span: member.key.span.into(),
                    help: "an identity policy applies to the identity it is attached to; remove the element, or name a principal in every statement of a key policy"
                        .to_owned(),
                }),
                _ => {}
            }
        }
    }

    /// Reads `Sid`s from the JSON itself, so a duplicate is reported even
    /// when one of the two statements has other problems.
    fn check_unique_sids(&mut self, statements: &[&Value]) {
        let mut seen: rustc_hash::FxHashMap<&str, crate::source::Span> = rustc_hash::FxHashMap::default();
        let sids = statements
            .iter()
            .filter_map(|v| v.as_object()?.get("Sid"))
            .filter_map(|m| Some((m.value.as_str()?, m.value.span)));
        for (sid, span) in sids {
            match seen.get(sid) {
                Some(first) => self.push(PolicyError::DuplicateSid {
                    sid: sid.to_owned(),
                    span: span.into(),
                    first: (*first).into(),
                }),
                None => {
                    seen.insert(sid, span);
                }
            }
        }
    }
}

/// True when an unknown key of `object` reads as a misspelling of `element`.
pub(super) fn misspelt(object: &Value, element: &str, known: &[&str]) -> bool {
    object.as_object().is_some_and(|o| {
        o.members.iter().any(|m| {
            !known.contains(&m.key.as_str()) && suggest::closest(&m.key, known.iter().copied()) == Some(element)
        })
    })
}

/// A policy in which some statement names a principal is a resource policy,
/// and a key policy when it names KMS actions (or `*`); one in which no
/// statement does is an identity policy.
pub(super) fn infer_kind(statements: &[&Value]) -> PolicyKind {
    let members = || {
        statements
            .iter()
            .filter_map(|v| v.as_object())
            .flat_map(|o| o.members.iter())
    };
    if !members().any(|m| matches!(m.key.as_str(), "Principal" | "NotPrincipal")) {
        return PolicyKind::IdentityPolicy;
    }
    let is_kms = |v: &Value| {
        v.as_str()
            .is_some_and(|a| a == "*" || a.to_ascii_lowercase().starts_with("kms:"))
    };
    let names_kms = members()
        .filter(|m| matches!(m.key.as_str(), "Action" | "NotAction"))
        .any(|m| match &m.value.kind {
            Kind::Array(items) => items.iter().any(is_kms),
            _ => is_kms(&m.value),
        });
    if names_kms {
        PolicyKind::KeyPolicy
    } else {
        PolicyKind::ResourcePolicy
    }
}

impl Reader {
    fn principal(&mut self, value: &Value, element: &'static str) -> Option<Principal> {
        match &value.kind {
            Kind::String(s) if s == "*" => Some(Principal::Any),
            Kind::String(s) => {
                let kind = if s.ends_with(".amazonaws.com") {
                    "Service"
                } else {
                    "AWS"
                };
                self.push(PolicyError::InvalidPrincipal {
                    value: s.clone(),
                    span: value.span.into(),
                    reason: "only `*` may be given as a bare string",
                    help: format!("name the principal's type: `\"{element}\": {{\"{kind}\": \"{s}\"}}`"),
                });
                None
            }
            Kind::Object(object) if object.members.is_empty() => {
                self.push(PolicyError::EmptyValue {
                    element: element.to_owned(),
                    span: value.span.into(),
                    help: "name at least one principal, such as `{\"AWS\": \"arn:aws:iam::111122223333:root\"}`"
                        .to_owned(),
                });
                None
            }
            Kind::Object(object) => {
                let names: Vec<&'static str> = PrincipalKind::ALL.iter().map(|k| k.as_str()).collect();
                let fields = self.fields(object, "principal", &names);
                let entries: Vec<Option<PrincipalEntry>> = PrincipalKind::ALL
                    .iter()
                    .filter_map(|&kind| fields.get(kind.as_str()).map(|m| (kind, m)))
                    .map(|(kind, member)| {
                        let ids = self.strings(&member.value, kind.as_str())?;
                        let valid = ids.iter().filter(|id| !self.check_principal_id(kind, id)).count() == 0;
                        valid.then(|| PrincipalEntry {
                            kind: Spanned::new(kind, member.key.span),
                            ids,
                        })
                    })
                    .collect();
                let mut entries = entries.into_iter().collect::<Option<Vec<_>>>()?;
                // Keep document order, not the order of `PrincipalKind::ALL`.
                entries.sort_by_key(|e| e.kind.span.start);
                (entries.len() == fields.found.len()).then_some(Principal::Map(entries))
            }
            _ => self.wrong_type(value, element, "`\"*\"` or an object such as `{\"AWS\": …}`", None),
        }
    }

    /// Principal forms AWS refuses: wildcards inside ARNs and IAM groups.
    fn check_principal_id(&mut self, kind: PrincipalKind, id: &Spanned<String>) -> bool {
        if kind != PrincipalKind::Aws || id.as_str() == "*" {
            return true;
        }
        let problem = if id.starts_with("arn:") && (id.contains('*') || id.contains('?')) {
            Some((
                "wildcards are not allowed inside a principal ARN",
                "use `\"Principal\": \"*\"` with an `ArnLike` condition on `aws:PrincipalArn` to match many principals",
            ))
        } else if id.starts_with("arn:") && id.contains(":group/") {
            Some((
                "an IAM group cannot be a principal",
                "name the group's users or roles, or the account (`arn:aws:iam::111122223333:root`)",
            ))
        } else if !id.starts_with("arn:") && id.chars().all(|c| c.is_ascii_digit()) && id.len() != 12 {
            Some((
                "an account id has 12 digits",
                "write the account as its 12-digit id or `arn:aws:iam::<account>:root`",
            ))
        } else {
            None
        };
        match problem {
            Some((reason, help)) => {
                self.push(PolicyError::InvalidPrincipal {
                    value: id.node.clone(),
                    span: id.span.into(),
                    reason,
                    help: help.to_owned(),
                });
                false
            }
            None => true,
        }
    }

    fn condition(&mut self, value: &Value) -> Option<Spanned<Condition>> {
        let object = self.object(value, "Condition")?;
        for duplicate in object.duplicate_keys() {
            self.push(duplicate);
        }
        let before = self.errors.len();
        let mut blocks = Vec::new();
        for member in &object.members {
            let operator = match member.key.parse::<Operator>() {
                Ok(op) => Some(Spanned::new(op, member.key.span)),
                Err(_) => {
                    let names = operator_names();
                    let null_variant = member.key.ends_with("NullIfExists") || member.key.ends_with(":Null");
                    let help = match suggest::closest(&member.key, names.iter().map(String::as_str)) {
                        _ if null_variant => "`Null` takes neither `IfExists` nor `ForAllValues:`/`ForAnyValue:`: it already tests whether the key is absent; write `Null`".to_owned(),
                        Some(c) => format!("did you mean `{c}`?"),
                        None => "operators are such as `StringEquals`, `ArnLike`, `Bool`, `ForAnyValue:StringLike`, `NumericLessThanIfExists`".to_owned(),
                    };
                    self.push(PolicyError::UnknownConditionOperator {
                        name: member.key.node.clone(),
                        span: member.key.span.into(),
                        help,
                    });
                    None
                }
            };
            let entries = self.condition_entries(&member.value, &member.key);
            if let (Some(operator), Some(entries)) = (operator, entries) {
                blocks.push(ConditionBlock { operator, entries });
            }
        }
        (self.errors.len() == before).then(|| Spanned::new(Condition { blocks }, value.span))
    }

    fn condition_entries(&mut self, value: &Value, operator: &str) -> Option<Vec<ConditionEntry>> {
        let object = self.object(value, operator)?;
        for duplicate in object.duplicate_keys() {
            self.push(duplicate);
        }
        let entries: Vec<Option<ConditionEntry>> = object
            .members
            .iter()
            .map(|member| {
                let key_ok = self.check_condition_key(&member.key);
                let values = self.scalars(&member.value, &member.key)?;
                key_ok.then(|| ConditionEntry {
                    key: member.key.clone(),
                    values,
                })
            })
            .collect();
        entries.into_iter().collect()
    }

    fn check_condition_key(&mut self, key: &Spanned<String>) -> bool {
        let valid = key
            .split_once(':')
            .is_some_and(|(service, name)| !service.is_empty() && !name.is_empty());
        if !valid {
            self.push(PolicyError::InvalidConditionKey {
                key: key.node.clone(),
                span: key.span.into(),
            });
        }
        valid
    }

    /// A condition value: a string, number or boolean, or a non-empty list.
    fn scalars(&mut self, value: &Value, key: &str) -> Option<Values<Spanned<Scalar>>> {
        match &value.kind {
            Kind::Array(items) if items.is_empty() => {
                self.push(PolicyError::EmptyValue {
                    element: key.to_owned(),
                    span: value.span.into(),
                    help: "give the condition key at least one value, or remove it".to_owned(),
                });
                None
            }
            Kind::Array(items) => {
                let scalars: Vec<_> = items.iter().map(|item| self.list_item(item, key)).collect();
                scalars.into_iter().collect::<Option<Vec<_>>>().map(Values::Many)
            }
            _ => self.scalar(value, key).map(Values::One),
        }
    }

    /// A value inside a condition's list: lists do not nest.
    fn list_item(&mut self, value: &Value, key: &str) -> Option<Spanned<Scalar>> {
        match value.kind {
            Kind::Array(_) | Kind::Object(_) => self.wrong_type(
                value,
                key,
                "a string, number or boolean",
                Some("condition value lists cannot be nested; put every value in one list".to_owned()),
            ),
            _ => self.scalar(value, key),
        }
    }

    fn scalar(&mut self, value: &Value, key: &str) -> Option<Spanned<Scalar>> {
        let scalar = match &value.kind {
            Kind::String(s) => Scalar::String(s.clone()),
            Kind::Number(n) => Scalar::Number(n.clone()),
            Kind::Bool(b) => Scalar::Bool(*b),
            Kind::Null => {
                let help =
                    "to test whether a key is absent, use the `Null` operator: `\"Null\": {\"<key>\": \"true\"}`"
                        .to_owned();
                return self.wrong_type(value, key, "a string, number or boolean", Some(help));
            }
            _ => return self.wrong_type(value, key, "a string, number or boolean, or a list of them", None),
        };
        Some(Spanned::new(scalar, value.span))
    }
}

/// Every operator spelling, built once.
fn operator_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| Operator::all().map(|op| op.to_string()).collect())
}
