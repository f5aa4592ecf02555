//! A deliberately naive reference evaluator for one IAM policy, written from
//! the rules of `reference/kms.md` §8.2–§8.7 and not from `src/eval`, so
//! that `eval_properties.rs` can compare the compiled evaluator against it
//! (as Cedar tests its engine against a separate model).
//!
//! Everything is done the slowest obvious way: wildcards by recursive
//! backtracking over `char` slices, ARNs by splitting at the first five
//! colons, policy variables by building the substituted pattern, context keys
//! by scanning the whole context with lower-cased names. Nothing is
//! precomputed and nothing is shared with the implementation but the parsed
//! [`Policy`] model.
//!
//! Where §8 leaves a case open the evaluator does not guess: it answers
//! [`Unspecified`], and the comparison skips that case.

use std::collections::BTreeMap;

use keyward::policy::{
    BaseOperator, Condition, Effect, Operator, Policy, Principal, PrincipalKind, Scalar, SetQualifier, Statement,
    Values, Version,
};
use keyward::source::Spanned;

/// A context value: one string, or a set for multi-valued keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextValue {
    One(String),
    Many(Vec<String>),
}

/// Who asks for what, on which resource, with which context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// A user, role-session or root ARN.
    pub caller: String,
    pub action: String,
    pub resource: String,
    /// Keys as the request spells them; looked up case-insensitively (§8.3).
    pub context: BTreeMap<String, ContextValue>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

/// The decision and the indices of the statements that made it: every
/// applicable `Deny` for an explicit deny, every applicable `Allow` for an
/// allow, none for an implicit deny.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub decision: Decision,
    pub deciding: Vec<usize>,
}

/// §8 does not say what happens here (the text says why).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unspecified(pub String);

type Answer<T> = Result<T, Unspecified>;

fn unspecified<T>(why: impl Into<String>) -> Answer<T> {
    Err(Unspecified(why.into()))
}

/// Evaluates `policy` on its own (§8.8): any applicable `Deny` denies, else
/// any applicable `Allow` allows, else the request is implicitly denied.
pub fn evaluate(policy: &Policy, request: &Request) -> Answer<Verdict> {
    // Policy variables exist only in the 2012-10-17 language (§8.1, §8.6).
    let variables = matches!(policy.version.as_ref().map(|v| v.node), Some(Version::V2012_10_17));
    let mut allows = Vec::new();
    let mut denies = Vec::new();
    for (index, statement) in policy.statements.iter().enumerate() {
        if applies(statement, request, variables)? {
            match statement.effect.node {
                Effect::Allow => allows.push(index),
                Effect::Deny => denies.push(index),
            }
        }
    }
    Ok(if !denies.is_empty() {
        Verdict {
            decision: Decision::ExplicitDeny,
            deciding: denies,
        }
    } else if !allows.is_empty() {
        Verdict {
            decision: Decision::Allow,
            deciding: allows,
        }
    } else {
        Verdict {
            decision: Decision::ImplicitDeny,
            deciding: Vec::new(),
        }
    })
}

/// §8.2: principal ∧ action ∧ resource ∧ every condition. Every part is
/// worked out (no short circuit), so whether a case is [`Unspecified`] does
/// not depend on the order of the checks.
fn applies(statement: &Statement, request: &Request, variables: bool) -> Answer<bool> {
    let principal = match &statement.principal {
        None => true,
        Some(clause) if clause.negated && statement.effect.node == Effect::Allow => {
            // [IAM] notprincipal.html, older edition: "allows all principals
            // except the one named": any listed identity of the caller excludes it.
            !principal_names_caller(&clause.value, &request.caller)
        }
        Some(clause) if clause.negated => !not_principal_excludes(&clause.value, &request.caller),
        Some(clause) => principal_names_caller(&clause.value, &request.caller),
    };

    let action_listed = statement
        .action
        .value
        .iter()
        .any(|pattern| action_matches(pattern, &request.action));
    let action = action_listed != statement.action.negated;

    let resource = match &statement.resource {
        None => true,
        Some(clause) => {
            let mut listed = false;
            for pattern in clause.value.iter() {
                if resource_matches(pattern, &request.resource, &request.context, variables)? {
                    listed = true;
                }
            }
            listed != clause.negated
        }
    };

    let condition = match &statement.condition {
        None => true,
        Some(condition) => condition_holds(condition, &request.context, variables)?,
    };

    Ok(principal && action && resource && condition)
}

// ---------------------------------------------------------------------------
// Wildcards

/// One element of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    /// This character, literally.
    Char(char),
    /// `?`: any one character.
    One,
    /// `*`: any run of characters, possibly empty.
    Run,
}

/// Policy text, in which `*` and `?` are wildcards.
fn wild(text: &str) -> Vec<Unit> {
    text.chars()
        .map(|c| match c {
            '*' => Unit::Run,
            '?' => Unit::One,
            c => Unit::Char(c),
        })
        .collect()
}

/// Text taken literally (a substituted variable, `${*}`).
fn literal(text: &str) -> Vec<Unit> {
    text.chars().map(Unit::Char).collect()
}

/// Recursive backtracking: a `*` tries every length.
fn glob(pattern: &[Unit], value: &[char]) -> bool {
    match pattern.split_first() {
        None => value.is_empty(),
        Some((Unit::Run, rest)) => (0..=value.len()).any(|taken| glob(rest, &value[taken..])),
        Some((Unit::One, rest)) => !value.is_empty() && glob(rest, &value[1..]),
        Some((Unit::Char(c), rest)) => value.first() == Some(c) && glob(rest, &value[1..]),
    }
}

fn glob_str(pattern: &[Unit], value: &str) -> bool {
    glob(pattern, &value.chars().collect::<Vec<_>>())
}

/// The pattern as plain text, wildcards written as themselves (for the
/// `…Equals` operators, which have no wildcards, §8.4).
fn as_text(pattern: &[Unit]) -> String {
    pattern
        .iter()
        .map(|u| match u {
            Unit::Char(c) => *c,
            Unit::One => '?',
            Unit::Run => '*',
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Actions (§8.2: case-insensitive, `*` and `?` anywhere)

fn action_matches(pattern: &str, action: &str) -> bool {
    glob_str(&wild(&pattern.to_lowercase()), &action.to_lowercase())
}

// ---------------------------------------------------------------------------
// ARNs (§8.4: six components, each globbed on its own, case-sensitively)

/// Splits at the first five colons; `None` when there are fewer.
fn split_arn<T: Clone>(items: &[T], is_colon: impl Fn(&T) -> bool) -> Option<Vec<Vec<T>>> {
    let mut parts = vec![Vec::new()];
    for item in items {
        if parts.len() < 6 && is_colon(item) {
            parts.push(Vec::new());
        } else {
            parts.last_mut()?.push(item.clone());
        }
    }
    (parts.len() == 6).then_some(parts)
}

fn arn_like(pattern: &[Unit], value: &str) -> Answer<bool> {
    let chars: Vec<char> = value.chars().collect();
    let Some(patterns) = split_arn(pattern, |u| *u == Unit::Char(':')) else {
        return unspecified(format!("`{}` is not an ARN pattern", as_text(pattern)));
    };
    let Some(values) = split_arn(&chars, |c| *c == ':') else {
        return unspecified(format!("`{value}` is not an ARN"));
    };
    Ok(patterns.iter().zip(&values).all(|(p, v)| glob(p, v)))
}

/// §8.2: `*` is every resource (for a key policy, "this key"); otherwise
/// the pattern, variables substituted, is matched component-wise; a pattern
/// with an unresolved variable matches no resource (§8.6).
fn resource_matches(
    pattern: &str,
    resource: &str,
    context: &BTreeMap<String, ContextValue>,
    variables: bool,
) -> Answer<bool> {
    if pattern == "*" {
        return Ok(true);
    }
    match substitute(pattern, context, variables)? {
        Some(units) => arn_like(&units, resource),
        None => Ok(false),
    }
}

// ---------------------------------------------------------------------------
// Principals (§5.5, §8.2)

/// The caller, as the parts principals are compared with.
struct Caller<'a> {
    arn: &'a str,
    account: &'a str,
    /// The role of a role session (`arn:aws:sts::A:assumed-role/NAME/…`).
    role: Option<&'a str>,
    root: bool,
}

fn caller(arn: &str) -> Caller<'_> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, _, service, _, account, resource] = parts[..] else {
        panic!("the reference evaluator takes ARN callers, not `{arn}`");
    };
    let role = match (service, resource.strip_prefix("assumed-role/")) {
        ("sts", Some(rest)) => rest.split('/').next(),
        _ => None,
    };
    Caller {
        arn,
        account,
        role,
        root: service == "iam" && resource == "root",
    }
}

/// What one principal id in a policy names.
enum Named<'a> {
    Everyone,
    Account(&'a str),
    /// A role by account and name (a role ARN's path is not in session ARNs).
    Role {
        account: &'a str,
        name: &'a str,
    },
    Exactly(&'a str),
}

fn named(kind: PrincipalKind, id: &str) -> Named<'_> {
    if kind != PrincipalKind::Aws {
        return Named::Exactly(id);
    }
    if id == "*" {
        return Named::Everyone;
    }
    if id.len() == 12 && id.chars().all(|c| c.is_ascii_digit()) {
        return Named::Account(id);
    }
    let parts: Vec<&str> = id.splitn(6, ':').collect();
    match parts[..] {
        ["arn", _, "iam", "", account, "root"] => Named::Account(account),
        ["arn", _, "iam", "", account, resource] if resource.starts_with("role/") => Named::Role {
            account,
            name: resource.rsplit('/').next().unwrap_or(resource),
        },
        _ => Named::Exactly(id),
    }
}

fn ids(principal: &Principal) -> Vec<Named<'_>> {
    match principal {
        Principal::Any => vec![Named::Everyone],
        Principal::Map(entries) => entries
            .iter()
            .flat_map(|e| e.ids.iter().map(|id| named(e.kind.node, id)))
            .collect(),
    }
}

/// `Principal`: everyone; the caller's account (any caller of it, root
/// included); the caller's role (every session of it); or the caller's ARN.
fn principal_names_caller(principal: &Principal, arn: &str) -> bool {
    let who = caller(arn);
    ids(principal).iter().any(|id| match id {
        Named::Everyone => true,
        Named::Account(a) => *a == who.account,
        Named::Role { account, name } => *account == who.account && who.role == Some(*name),
        Named::Exactly(id) => *id == who.arn,
    })
}

/// `NotPrincipal` (§8.2): the request is seen as account → role → session
/// (or account → user), so the caller escapes the statement only when
/// every one of those identities is listed.
fn not_principal_excludes(principal: &Principal, arn: &str) -> bool {
    let who = caller(arn);
    let listed = ids(principal);
    let account_listed = listed.iter().any(|id| match id {
        Named::Everyone => true,
        Named::Account(a) => *a == who.account,
        _ => false,
    });
    let role_listed = match who.role {
        None => true, // no role level
        Some(role) => listed.iter().any(|id| match id {
            Named::Everyone => true,
            Named::Role { account, name } => *account == who.account && *name == role,
            _ => false,
        }),
    };
    let itself_listed = who.root // the root user is the account level itself
        || listed.iter().any(|id| match id {
            Named::Everyone => true,
            Named::Exactly(id) => *id == who.arn,
            _ => false,
        });
    account_listed && role_listed && itself_listed
}

// ---------------------------------------------------------------------------
// Context and policy variables (§8.6)

/// Key names are case-insensitive (§8.3, §8.7).
fn lookup<'c>(context: &'c BTreeMap<String, ContextValue>, key: &str) -> Option<&'c ContextValue> {
    context
        .iter()
        .find(|(k, _)| k.to_lowercase() == key.to_lowercase())
        .map(|(_, v)| v)
}

/// The pattern a policy string stands for: with variables on, `${key}` and
/// `${key, 'default'}` replaced by the key's value (its characters literal,
/// §8.6) and `${*}`, `${?}`, `${$}` by those characters, literally.
/// `None` when a variable has no value and no default (it is "null").
fn substitute(text: &str, context: &BTreeMap<String, ContextValue>, variables: bool) -> Answer<Option<Vec<Unit>>> {
    if !variables {
        return Ok(Some(wild(text)));
    }
    let mut units = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(length) = rest[start..].find('}') else {
            break;
        };
        units.extend(wild(&rest[..start]));
        let inner = &rest[start + 2..start + length];
        rest = &rest[start + length + 1..];
        if matches!(inner, "*" | "?" | "$") {
            units.extend(literal(inner));
            continue;
        }
        let (key, default) = match inner.split_once(',') {
            Some((key, default)) => {
                let default = default.trim();
                let unquoted = default
                    .strip_prefix('\'')
                    .and_then(|d| d.strip_suffix('\''))
                    .unwrap_or(default);
                (key.trim(), Some(unquoted))
            }
            None => (inner.trim(), None),
        };
        match (lookup(context, key), default) {
            (Some(ContextValue::One(v)), _) if v.is_empty() => {
                return unspecified(format!(
                    "`${{{key}}}` is the empty string: §8.3 calls that null, §8.6 does not say whether a null variable takes its default"
                ))
            }
            (Some(ContextValue::One(v)), _) => units.extend(literal(v)),
            (Some(ContextValue::Many(_)), _) => {
                return unspecified(format!(
                    "`${{{key}}}` is multi-valued, which §8.6 does not allow as a variable"
                ))
            }
            (None, Some(default)) => units.extend(literal(default)),
            (None, None) => return Ok(None),
        }
    }
    units.extend(wild(rest));
    Ok(Some(units))
}

// ---------------------------------------------------------------------------
// Conditions (§8.3–§8.5)

/// Operators AND-ed, keys AND-ed.
fn condition_holds(condition: &Condition, context: &BTreeMap<String, ContextValue>, variables: bool) -> Answer<bool> {
    let mut all = true;
    for block in &condition.blocks {
        for entry in &block.entries {
            if !entry_holds(block.operator.node, &entry.key, &entry.values, context, variables)? {
                all = false;
            }
        }
    }
    Ok(all)
}

/// The operators that match when the request value matches none of the
/// policy values, and hold when the key is absent (§8.3).
fn is_negated(base: BaseOperator) -> bool {
    use BaseOperator::*;
    [
        StringNotEquals,
        StringNotEqualsIgnoreCase,
        StringNotLike,
        NumericNotEquals,
        DateNotEquals,
        NotIpAddress,
        ArnNotEquals,
        ArnNotLike,
    ]
    .contains(&base)
}

fn entry_holds(
    operator: Operator,
    key: &str,
    values: &Values<Spanned<Scalar>>,
    context: &BTreeMap<String, ContextValue>,
    variables: bool,
) -> Answer<bool> {
    let policy_values: Vec<&str> = values.iter().map(|v| v.as_text()).collect();
    let found = lookup(context, key);
    // An empty string or an empty set is "null" (§8.3).
    let null = match found {
        Some(ContextValue::One(v)) => v.is_empty(),
        Some(ContextValue::Many(vs)) => vs.is_empty(),
        None => false,
    };

    if operator.base == BaseOperator::Null {
        let Some(want_absent) = boolean(policy_values[0]) else {
            return unspecified(format!("`Null` with `{}`", policy_values[0]));
        };
        return Ok((found.is_none() || null) == want_absent);
    }

    let negated = is_negated(operator.base);
    // m(r, P) of §8.5: OR over the policy values, NOR for negated operators.
    let one = |r: &str| -> Answer<bool> {
        let mut any = false;
        for p in &policy_values {
            if matches_positively(operator.base, p, r, context, variables)? {
                any = true;
            }
        }
        Ok(any != negated)
    };

    match (operator.qualifier, found) {
        // §8.5: ForAllValues holds on a missing or null key; ForAnyValue
        // does not, unless `IfExists` makes a missing key true (§8.3).
        (Some(SetQualifier::ForAllValues), None) => Ok(true),
        (Some(SetQualifier::ForAnyValue), None) => Ok(operator.if_exists),
        (Some(SetQualifier::ForAllValues), Some(_)) if null => Ok(true),
        (Some(SetQualifier::ForAnyValue), Some(_)) if null && operator.if_exists => unspecified(
            "`ForAnyValue:…IfExists` on a key present but null: §8.3 says IfExists holds on a missing key, §8.5 that ForAnyValue fails on an empty one",
        ),
        (Some(SetQualifier::ForAnyValue), Some(_)) if null => Ok(false),
        (Some(qualifier), Some(value)) => {
            let request_values: Vec<&str> = match value {
                ContextValue::One(v) => vec![v.as_str()],
                ContextValue::Many(vs) => vs.iter().map(String::as_str).collect(),
            };
            let mut results = Vec::new();
            for r in request_values {
                results.push(one(r)?);
            }
            Ok(match qualifier {
                SetQualifier::ForAllValues => results.iter().all(|&b| b),
                SetQualifier::ForAnyValue => results.iter().any(|&b| b),
            })
        }
        // §8.3: a missing key fails positive operators and satisfies
        // negated ones and every `…IfExists`.
        (None, None) => Ok(operator.if_exists || negated),
        (None, Some(ContextValue::One(v))) if v.is_empty() => unspecified(
            "an empty string is \"null\" (§8.3), but §8.3 does not say how an operator other than Null treats a null value",
        ),
        (None, Some(ContextValue::One(v))) => one(v),
        (None, Some(ContextValue::Many(_))) => {
            unspecified("a multi-valued key without ForAllValues/ForAnyValue (§8.5)")
        }
    }
}

/// The positive form of the operator (`StringNotEquals` → `StringEquals`)
/// applied to one request value and one policy value.
fn matches_positively(
    base: BaseOperator,
    policy: &str,
    request: &str,
    context: &BTreeMap<String, ContextValue>,
    variables: bool,
) -> Answer<bool> {
    use BaseOperator::*;
    Ok(match base {
        StringEquals | StringNotEquals => {
            substitute(policy, context, variables)?.is_some_and(|p| as_text(&p) == request)
        }
        StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => substitute(policy, context, variables)?
            .is_some_and(|p| as_text(&p).to_lowercase() == request.to_lowercase()),
        StringLike | StringNotLike => substitute(policy, context, variables)?.is_some_and(|p| glob_str(&p, request)),
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => {
            let (Some(r), Some(p)) = (number(request), number(policy)) else {
                return unspecified(format!("numbers `{request}` and `{policy}`"));
            };
            match base {
                NumericEquals | NumericNotEquals => r == p,
                NumericLessThan => r < p,
                NumericLessThanEquals => r <= p,
                NumericGreaterThan => r > p,
                _ => r >= p,
            }
        }
        DateEquals | DateNotEquals | DateLessThan | DateLessThanEquals | DateGreaterThan | DateGreaterThanEquals => {
            let (Some(r), Some(p)) = (date(request), date(policy)) else {
                return unspecified(format!("dates `{request}` and `{policy}`"));
            };
            match base {
                DateEquals | DateNotEquals => r == p,
                DateLessThan => r < p,
                DateLessThanEquals => r <= p,
                DateGreaterThan => r > p,
                _ => r >= p,
            }
        }
        Bool => {
            let (Some(r), Some(p)) = (boolean(request), boolean(policy)) else {
                return unspecified(format!("booleans `{request}` and `{policy}`"));
            };
            r == p
        }
        IpAddress | NotIpAddress => {
            let (Some(r), Some((network, prefix))) = (ipv4(request), cidr(policy)) else {
                return unspecified(format!("address `{request}` and network `{policy}`"));
            };
            prefix == 0 || (r >> (32 - prefix)) == (network >> (32 - prefix))
        }
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => match substitute(policy, context, variables)? {
            Some(p) => arn_like(&p, request)?,
            None => false,
        },
        BinaryEquals => return unspecified("BinaryEquals is not modelled here"),
        Null => unreachable!("handled by entry_holds"),
    })
}

// ---------------------------------------------------------------------------
// Typed values

fn boolean(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// An integer or a decimal such as `-2.5`.
fn number(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    (all_digits(whole) && all_digits(fraction))
        .then(|| text.parse().ok())
        .flatten()
}

/// Seconds since 1970-01-01T00:00:00Z of `YYYY-MM-DDThh:mm:ssZ` (full
/// RFC 3339 in UTC), `YYYY-MM-DD` (midnight UTC), or epoch seconds (§8.4),
/// for dates from 1970 on. (`YYYY` alone is not read: four digits could as
/// well be epoch seconds, and §8.4 does not say which wins.)
fn date(text: &str) -> Option<i64> {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if digits(text) && text.len() != 4 {
        return text.parse().ok();
    }
    let (day, time) = match text.split_once('T') {
        Some((day, time)) => (day, Some(time)),
        None => (text, None),
    };
    let fields: Vec<&str> = day.split('-').collect();
    let [year, month, day] = fields[..] else {
        return None;
    };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let (year, month, day): (i64, i64, i64) = (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    let leap = |y: i64| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = |y: i64, m: i64| match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if year < 1970 || !(1..=12).contains(&month) || day < 1 || day > month_days(year, month) {
        return None;
    }
    // Count the days one year and one month at a time.
    let mut days = day - 1;
    for y in 1970..year {
        days += if leap(y) { 366 } else { 365 };
    }
    for m in 1..month {
        days += month_days(year, m);
    }
    let seconds = match time {
        None => 0,
        Some(time) => {
            let clock = time.strip_suffix('Z')?;
            let parts: Vec<&str> = clock.split(':').collect();
            let [h, m, s] = parts[..] else {
                return None;
            };
            if [h, m, s].iter().any(|p| p.len() != 2 || !digits(p)) {
                return None;
            }
            let (h, m, s): (i64, i64, i64) = (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
            if h > 23 || m > 59 || s > 59 {
                return None;
            }
            h * 3600 + m * 60 + s
        }
    };
    Some(days * 86_400 + seconds)
}

fn ipv4(text: &str) -> Option<u32> {
    let octets: Vec<u8> = text.split('.').map(|o| o.parse().ok()).collect::<Option<_>>()?;
    match octets[..] {
        [a, b, c, d] => Some(u32::from_be_bytes([a, b, c, d])),
        _ => None,
    }
}

/// `10.0.0.0/24`, or an address alone (`/32`, §8.4).
fn cidr(text: &str) -> Option<(u32, u32)> {
    let (address, prefix) = text.split_once('/').unwrap_or((text, "32"));
    let prefix: u32 = prefix.parse().ok().filter(|p| *p <= 32)?;
    Some((ipv4(address)?, prefix))
}

// ---------------------------------------------------------------------------
// The reference's own checks

#[cfg(test)]
mod tests {
    use super::*;
    use keyward::source::Source;

    fn policy(text: &str) -> Policy {
        Policy::parse(&Source::new("t.json", text)).expect("a valid policy")
    }

    fn request(caller: &str, action: &str, context: &[(&str, ContextValue)]) -> Request {
        Request {
            caller: caller.to_owned(),
            action: action.to_owned(),
            resource: "arn:aws:kms:us-east-1:111122223333:key/k1".to_owned(),
            context: context.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
        }
    }

    fn one(v: &str) -> ContextValue {
        ContextValue::One(v.to_owned())
    }

    const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

    #[test]
    fn wildcards_backtrack() {
        assert!(glob_str(&wild("*a*b*c*"), "xxaxxbxxcxx"));
        assert!(!glob_str(&wild("*a*b*c*"), "xxaxxcxxbxx"));
        assert!(glob_str(&wild("a?c"), "abc") && !glob_str(&wild("a?c"), "ac"));
        assert!(glob_str(&wild("*"), ""));
        assert!(action_matches("KMS:De?rypt", "kms:Decrypt"));
    }

    #[test]
    fn arn_wildcards_stay_in_their_component() {
        let p = wild("arn:aws:someservice:*:111122223333:finance/*");
        let v = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
        assert_eq!(arn_like(&p, v), Ok(false));
        assert!(glob_str(&p, v)); // StringLike would match (§8.4)
    }

    #[test]
    fn negated_operators_must_match_none_and_hold_on_missing_keys() {
        let p = policy(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*",
                "Condition": {"StringNotEquals": {"kms:EncryptionContext:app": ["x", "y"]}}}}"#,
        );
        let decide = |ctx: &[(&str, ContextValue)]| evaluate(&p, &request(ALICE, "kms:Decrypt", ctx)).unwrap().decision;
        assert_eq!(decide(&[]), Decision::ExplicitDeny);
        assert_eq!(
            decide(&[("KMS:encryptioncontext:APP", one("y"))]),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide(&[("kms:EncryptionContext:app", one("z"))]),
            Decision::ExplicitDeny
        );
    }

    #[test]
    fn variables_only_in_2012_10_17_and_substituted_literally() {
        let text = |version: &str| {
            format!(
                r#"{{{version} "Statement": {{"Effect": "Allow", "Action": "kms:*", "Resource": "*",
                    "Condition": {{"StringLike": {{"aws:PrincipalTag/team": "${{aws:username, 'x'}}"}}}}}}}}"#
            )
        };
        let new = policy(&text(r#""Version": "2012-10-17","#));
        let old = policy(&text(""));
        let ctx = [("aws:PrincipalTag/team", one("a*")), ("aws:username", one("a*"))];
        let r = request(ALICE, "kms:Decrypt", &ctx);
        assert_eq!(evaluate(&new, &r).unwrap().decision, Decision::Allow);
        assert_eq!(evaluate(&old, &r).unwrap().decision, Decision::ImplicitDeny);
        let ctx = [("aws:PrincipalTag/team", one("ab")), ("aws:username", one("a*"))];
        let r = request(ALICE, "kms:Decrypt", &ctx);
        assert_eq!(evaluate(&new, &r).unwrap().decision, Decision::ImplicitDeny);
        let r = request(ALICE, "kms:Decrypt", &[("aws:PrincipalTag/team", one("x"))]);
        assert_eq!(evaluate(&new, &r).unwrap().decision, Decision::Allow);
    }

    #[test]
    fn set_qualifiers_on_missing_and_empty_keys() {
        let p = |op: &str| {
            policy(&format!(
                r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "*", "Resource": "*",
                    "Condition": {{"{op}": {{"aws:TagKeys": ["a", "b"]}}}}}}}}"#
            ))
        };
        let decide = |op: &str, ctx: &[(&str, ContextValue)]| {
            evaluate(&p(op), &request(ALICE, "kms:Decrypt", ctx)).unwrap().decision
        };
        let empty = ContextValue::Many(Vec::new());
        let ab = ContextValue::Many(vec!["a".into(), "c".into()]);
        assert_eq!(decide("ForAllValues:StringEquals", &[]), Decision::Allow);
        assert_eq!(
            decide("ForAllValues:StringEquals", &[("aws:TagKeys", empty.clone())]),
            Decision::Allow
        );
        assert_eq!(decide("ForAnyValue:StringEquals", &[]), Decision::ImplicitDeny);
        assert_eq!(
            decide("ForAnyValue:StringEquals", &[("aws:TagKeys", empty)]),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide("ForAllValues:StringEquals", &[("aws:TagKeys", ab.clone())]),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide("ForAnyValue:StringEquals", &[("aws:TagKeys", ab.clone())]),
            Decision::Allow
        );
        assert_eq!(
            decide("ForAnyValue:StringNotEquals", &[("aws:TagKeys", ab.clone())]),
            Decision::Allow
        );
        assert_eq!(
            decide("ForAllValues:StringNotEquals", &[("aws:TagKeys", ab)]),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn principals_accounts_roles_and_sessions() {
        let p = policy(
            r#"{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/path/app"}, "Action": "kms:*", "Resource": "*"},
                {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "kms:*", "Resource": "*"}]}"#,
        );
        let decide = |caller: &str| evaluate(&p, &request(caller, "kms:Decrypt", &[])).unwrap();
        assert_eq!(decide("arn:aws:sts::111122223333:assumed-role/app/s").deciding, vec![0]);
        assert_eq!(decide("arn:aws:sts::444455556666:assumed-role/app/s").deciding, vec![1]);
        assert_eq!(decide("arn:aws:iam::444455556666:root").deciding, vec![1]);
        assert_eq!(decide(ALICE).decision, Decision::ImplicitDeny);
    }

    #[test]
    fn typed_values() {
        assert_eq!(number("10.0"), number("10"));
        assert_eq!(number("1."), None);
        assert!(date("2024-01-01T00:00:00Z") > date("2023-12-31T23:59:59Z"));
        assert_eq!(date("2024-01-01T00:00:00Z"), Some(1_704_067_200));
        assert_eq!(date("2024-01-01"), date("1704067200"));
        assert_eq!(date("2024-06-30T12:00:00Z"), Some(1_719_748_800));
        assert_eq!(date("2024-02-30"), None);
        assert_eq!(cidr("10.0.0.1"), Some((0x0a00_0001, 32)));
        assert_eq!(ipv4("10.0.0.256"), None);
    }
}
