//! Properties of the evaluator and the KMS authorizer, on policies drawn from
//! small pools (a few actions, key ARNs, principals, condition keys and
//! values) so that generated requests match often:
//!
//! - the compiled evaluator decides as the naive one in `eval_reference.rs`
//!   does, citing the same statements;
//! - statement order (and the order of condition blocks and keys) never
//!   changes a decision; adding a Deny never turns a Deny into an Allow, and
//!   adding any statement never lifts an explicit deny; removing an Allow
//!   never grants more (§8.8);
//! - the KMS authorizer is monotone in denies across every policy it reads,
//!   and a grant never lifts an explicit deny (§5.6).
//!
//! Policies are generated as JSON and read by the parser, so a failure
//! prints the policy as text. A failing case is saved under
//! `tests/proptest-regressions/<property>.txt` and replayed first.

use std::collections::BTreeMap;

use keyward::eval::{self, Caller, CompiledPolicy, Context, ContextValue, Decision, Request};
use keyward::kms::{Authorizer, KmsRequest};
use keyward::policy::{Document, DocumentKind, Effect, Grant, Policy};
use keyward::source::Source;
use proptest::collection::{btree_map, btree_set, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::{json, Map, Value};

use crate::eval_reference as naive;
use crate::proptest_config::config;
use crate::strategies::Choices;

// ---------------------------------------------------------------------------
// Pools

const A: &str = "111122223333";
const B: &str = "444455556666";

/// Users, role sessions and roots of two accounts. `Alice` and `alice` are
/// different users (principal ARNs are case-sensitive, §8.7).
const CALLERS: &[&str] = &[
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:user/Alice",
    "arn:aws:iam::111122223333:user/ops/alice",
    "arn:aws:iam::444455556666:user/bob",
    "arn:aws:iam::111122223333:root",
    "arn:aws:sts::111122223333:assumed-role/app/s1",
    "arn:aws:sts::111122223333:assumed-role/app/s2",
    "arn:aws:sts::444455556666:assumed-role/app/s1",
    "arn:aws:sts::111122223333:assumed-role/ops/s1",
];

/// `Principal` ids: everyone, accounts (both spellings), users, roles (one
/// with a path), a session.
const PRINCIPAL_IDS: &[&str] = &[
    "*",
    "111122223333",
    "444455556666",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::444455556666:root",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:user/ops/alice",
    "arn:aws:iam::444455556666:user/bob",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:iam::111122223333:role/team/app",
    "arn:aws:iam::444455556666:role/app",
    "arn:aws:sts::111122223333:assumed-role/app/s1",
];

const ACTION_PATTERNS: &[&str] = &[
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:Describe*",
    "kms:*",
    "kms:De?rypt",
    "KMS:decrypt",
    "*",
    "kms:*crypt*",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey",
    "s3:GetObject",
];

const ACTIONS: &[&str] = &[
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:DescribeKey",
    "kms:ReEncryptFrom",
    "kms:GenerateDataKey",
    "kms:decrypt",
];

const RESOURCES: &[&str] = &[
    "arn:aws:kms:us-east-1:111122223333:key/k1",
    "arn:aws:kms:us-east-1:111122223333:key/k2",
    "arn:aws:kms:eu-west-1:444455556666:key/k1",
    "arn:aws:kms:us-east-1:111122223333:key/eng",
    "arn:aws:kms:us-east-1:111122223333:key/alice",
];

/// Resource patterns; variables only in the resource part (§8.6).
const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "arn:aws:kms:us-east-1:111122223333:key/k1",
    "arn:aws:kms:eu-west-1:444455556666:key/k1",
    "arn:aws:kms:*:111122223333:key/*",
    "arn:aws:kms:us-east-1:*:key/k?",
    "arn:aws:kms:*:*:*",
    "arn:aws:kms:*:*:key/k*",
    "arn:aws:*:us-east-1:111122223333:*",
    "arn:aws:kms:us-*:*:key/*",
    "arn:aws:kms:us-east-1:111122223333:key/${aws:username}",
    "arn:aws:kms:*:111122223333:key/${aws:PrincipalTag/team, 'k1'}",
    "arn:aws:kms:us-east-1:111122223333:key/${AWS:principaltag/TEAM}",
];

/// What values a context key holds, which decides the operators it meets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyKind {
    Text,
    /// Multi-valued (§8.5).
    Set,
    Number,
    Date,
    Bool,
    Ip,
    Arn,
}

const KEYS: &[(&str, KeyKind)] = &[
    ("kms:EncryptionContext:Dept", KeyKind::Text),
    ("aws:PrincipalTag/team", KeyKind::Text),
    ("aws:username", KeyKind::Text),
    ("kms:EncryptionContextKeys", KeyKind::Set),
    ("aws:TagKeys", KeyKind::Set),
    ("aws:MultiFactorAuthAge", KeyKind::Number),
    ("aws:CurrentTime", KeyKind::Date),
    ("aws:SecureTransport", KeyKind::Bool),
    ("aws:SourceIp", KeyKind::Ip),
    ("aws:SourceArn", KeyKind::Arn),
];

/// Request values of text keys; the empty string is "null" (§8.3).
/// `${aws:username}` too, which only a `2008-10-17` policy can match as text.
const TEXTS: &[&str] = &["eng", "Eng", "ops", "e*g", "alice", "k1", "Dept", "${aws:username}"];
const SET_ITEMS: &[&str] = &["eng", "ops", "Dept", "dept", "k1"];
const NUMBERS: &[&str] = &["0", "5", "10", "10.0", "3600", "-1", "2.5"];
/// Dates as full RFC 3339 (what `aws:CurrentTime` holds), a day, epoch
/// seconds (§8.4): `1704067200` is 2024-01-01T00:00:00Z.
const DATES: &[&str] = &[
    "2023-12-31T23:59:59Z",
    "2024-01-01T00:00:00Z",
    "2024-06-30T12:00:00Z",
    "2025-01-01T00:00:00Z",
    "2024-01-01",
    "1704067200",
];
/// Policy values of the date operators.
const DATE_VALUES: &[&str] = &[
    "2024-01-01T00:00:00Z",
    "2024-06-30T12:00:00Z",
    "2025-01-01T00:00:00Z",
    "2024-01-01",
    "2024-06-30",
    "1719748800",
];
const IPS: &[&str] = &["10.0.0.1", "10.0.1.5", "192.168.1.1", "203.0.113.77", "203.0.113.200"];
const ARNS: &[&str] = &[
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-a/x:y",
    "arn:aws:sns:us-east-1:111122223333:topic",
    "arn:aws:kms:us-east-1:111122223333:key/k1",
    "arn:aws:sns:us-east-1:444455556666:topic:111122223333:x",
];

/// Policy values of the string operators, for keys of every kind.
const STRING_PATTERNS: &[&str] = &[
    "eng",
    "Eng",
    "ops",
    "e*",
    "*g",
    "E*",
    "e?g",
    "*",
    "alice",
    "k1",
    "Dept",
    "e${*}g",
    "${aws:username}",
    "${aws:PrincipalTag/team}",
    "${aws:PrincipalTag/team, 'eng'}",
    "${AWS:USERNAME}*",
    "${aws:PrincipalTag/dept}",
    "${$}{aws:username}",
    "e${?}g",
    "true",
    "10",
    "arn:aws:s3:::bucket-*",
    "*:topic",
];
const NUMBER_VALUES: &[&str] = &["5", "10", "2.5", "-1", "0", "3600"];
const NETWORKS: &[&str] = &[
    "10.0.0.0/24",
    "10.0.0.0/16",
    "10.0.0.1",
    "192.168.0.0/16",
    "0.0.0.0/0",
    "203.0.113.0/25",
    "10.0.1.5/32",
];
const ARN_PATTERNS: &[&str] = &[
    "arn:aws:s3:::bucket-*",
    "arn:aws:s3:::bucket-a",
    "arn:aws:*:*:111122223333:*",
    "arn:aws:sns:*:*:topic",
    "arn:aws:*:us-east-1:*:key/*",
    "arn:aws:s3:::bucket-${aws:username, 'a'}*",
    "arn:aws:sns:*:${aws:PrincipalTag/team}:topic",
];

// ---------------------------------------------------------------------------
// Requests

fn pick(pool: &'static [&'static str]) -> impl Strategy<Value = String> + Clone {
    select(pool).prop_map(str::to_owned)
}

/// A key as written, in one of three cases (key names are case-insensitive).
fn spelling(key: &'static str) -> impl Strategy<Value = String> + Clone {
    select(vec![key.to_owned(), key.to_lowercase(), key.to_uppercase()])
}

fn request_value(kind: KeyKind) -> BoxedStrategy<naive::ContextValue> {
    let one = |pool| pick(pool).prop_map(naive::ContextValue::One).boxed();
    match kind {
        KeyKind::Text => prop_oneof![
            12 => one(TEXTS),
            1 => Just(naive::ContextValue::One(String::new())),
        ]
        .boxed(),
        KeyKind::Set => btree_set(pick(SET_ITEMS), 0..=3)
            .prop_map(|items| naive::ContextValue::Many(items.into_iter().collect()))
            .boxed(),
        KeyKind::Number => one(NUMBERS),
        KeyKind::Date => one(DATES),
        KeyKind::Bool => one(&["true", "false"]),
        KeyKind::Ip => one(IPS),
        KeyKind::Arn => one(ARNS),
    }
}

/// Each key present with probability 0.6, in a random case.
fn context() -> impl Strategy<Value = BTreeMap<String, naive::ContextValue>> {
    let entries: Vec<_> = KEYS
        .iter()
        .map(|&(key, kind)| option::weighted(0.6, (spelling(key), request_value(kind))))
        .collect();
    entries.prop_map(|entries| entries.into_iter().flatten().collect())
}

fn request() -> impl Strategy<Value = naive::Request> {
    (pick(CALLERS), pick(ACTIONS), pick(RESOURCES), context()).prop_map(|(caller, action, resource, context)| {
        naive::Request {
            caller,
            action,
            resource,
            context,
        }
    })
}

/// The same request for the compiled evaluator.
fn compiled_request(request: &naive::Request) -> Request {
    let mut context = Context::new();
    for (key, value) in &request.context {
        let value = match value {
            naive::ContextValue::One(v) => ContextValue::One(v.clone()),
            naive::ContextValue::Many(vs) => ContextValue::Many(vs.clone()),
        };
        context.insert(key, value);
    }
    Request {
        caller: Caller::parse(&request.caller).expect("callers in the pool parse"),
        action: request.action.clone(),
        resource: request.resource.clone(),
        context,
    }
}

// ---------------------------------------------------------------------------
// Policies

/// One value, or a list of 1..=`max` of them.
fn one_or_many(item: BoxedStrategy<Value>, max: usize) -> BoxedStrategy<Value> {
    prop_oneof![
        2 => item.clone(),
        1 => vec(item, 1..=max).prop_map(Value::Array),
    ]
    .boxed()
}

fn strings(pool: &'static [&'static str]) -> BoxedStrategy<Value> {
    select(pool).prop_map(|s| Value::String(s.to_owned())).boxed()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Ip,
    Arn,
    Null,
}

impl Family {
    fn operators(self) -> &'static [&'static str] {
        match self {
            Family::String => &[
                "StringEquals",
                "StringNotEquals",
                "StringEqualsIgnoreCase",
                "StringNotEqualsIgnoreCase",
                "StringLike",
                "StringNotLike",
            ],
            Family::Numeric => &[
                "NumericEquals",
                "NumericNotEquals",
                "NumericLessThan",
                "NumericLessThanEquals",
                "NumericGreaterThan",
                "NumericGreaterThanEquals",
            ],
            Family::Date => &[
                "DateEquals",
                "DateNotEquals",
                "DateLessThan",
                "DateLessThanEquals",
                "DateGreaterThan",
                "DateGreaterThanEquals",
            ],
            Family::Bool => &["Bool"],
            Family::Ip => &["IpAddress", "NotIpAddress"],
            Family::Arn => &["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"],
            Family::Null => &["Null"],
        }
    }

    fn value(self) -> BoxedStrategy<Value> {
        match self {
            Family::String => strings(STRING_PATTERNS),
            Family::Numeric => prop_oneof![
                3 => strings(NUMBER_VALUES),
                1 => select(vec![10, 0, 3600, -1]).prop_map(Value::from),
            ]
            .boxed(),
            Family::Date => strings(DATE_VALUES),
            Family::Bool => prop_oneof![strings(&["true", "false"]), any::<bool>().prop_map(Value::Bool)].boxed(),
            Family::Ip => strings(NETWORKS),
            Family::Arn => strings(ARN_PATTERNS),
            Family::Null => unreachable!("Null takes one boolean"),
        }
    }
}

/// The operator families that make sense for a kind of key: the string
/// operators for all, the typed ones for their kind, `Null` for all.
fn family(kind: KeyKind) -> BoxedStrategy<Family> {
    let typed = match kind {
        KeyKind::Text | KeyKind::Set => None,
        KeyKind::Number => Some(Family::Numeric),
        KeyKind::Date => Some(Family::Date),
        KeyKind::Bool => Some(Family::Bool),
        KeyKind::Ip => Some(Family::Ip),
        KeyKind::Arn => Some(Family::Arn),
    };
    match typed {
        Some(typed) => prop_oneof![
            4 => Just(typed),
            2 => Just(Family::String),
            1 => Just(Family::Null),
        ]
        .boxed(),
        None => prop_oneof![5 => Just(Family::String), 1 => Just(Family::Null)].boxed(),
    }
}

/// `(operator, key, values)`. Multi-valued keys always get a set qualifier
/// (without one, §8.5 leaves the result unspecified).
fn condition_entry() -> BoxedStrategy<(String, String, Value)> {
    (0..KEYS.len())
        .prop_flat_map(|i| {
            let (key, kind) = KEYS[i];
            (Just(kind), spelling(key), family(kind))
        })
        .prop_flat_map(|(kind, key, family)| {
            let base = select(family.operators());
            let values = match family {
                Family::Null => prop_oneof![strings(&["true", "false"]), any::<bool>().prop_map(Value::Bool),].boxed(),
                _ => one_or_many(family.value(), 3),
            };
            let qualifier = match (family, kind) {
                (Family::Null, _) => Just("").boxed(),
                (_, KeyKind::Set) => select(vec!["ForAllValues:", "ForAnyValue:"]).boxed(),
                _ => prop_oneof![
                    6 => Just(""),
                    1 => Just("ForAllValues:"),
                    1 => Just("ForAnyValue:"),
                ]
                .boxed(),
            };
            let if_exists = if family == Family::Null {
                Just(false).boxed()
            } else {
                prop::bool::weighted(0.25).boxed()
            };
            (Just(key), base, values, qualifier, if_exists)
        })
        .prop_map(|(key, base, values, qualifier, if_exists)| {
            let suffix = if if_exists { "IfExists" } else { "" };
            (format!("{qualifier}{base}{suffix}"), key, values)
        })
        .boxed()
}

/// `{"Operator": {"key": values, …}, …}` from 1..=3 entries.
fn condition() -> BoxedStrategy<Value> {
    vec(condition_entry(), 1..=3)
        .prop_map(|entries| {
            let mut blocks: Map<String, Value> = Map::new();
            for (operator, key, values) in entries {
                let block = blocks.entry(operator).or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(block) = block {
                    block.insert(key, values);
                }
            }
            Value::Object(blocks)
        })
        .boxed()
}

fn principal() -> BoxedStrategy<Value> {
    let ids = one_or_many(strings(PRINCIPAL_IDS), 3);
    prop_oneof![
        1 => Just(json!("*")),
        1 => Just(json!({"AWS": "*"})),
        8 => ids.clone().prop_map(|ids| json!({"AWS": ids})),
        1 => ids.prop_map(|ids| json!({"AWS": ids, "Service": "cloudtrail.amazonaws.com"})),
    ]
    .boxed()
}

/// One statement; with `principals`, it names a `Principal` (or, rarely,
/// `NotPrincipal`). `effect` forces the effect.
fn statement(principals: bool, effect: Option<&'static str>) -> BoxedStrategy<Value> {
    let effect = match effect {
        Some(e) => Just(e).boxed(),
        None => select(vec!["Allow", "Deny"]).boxed(),
    };
    (
        effect,
        (prop::bool::weighted(0.1), principal()),
        (prop::bool::weighted(0.15), one_or_many(strings(ACTION_PATTERNS), 3)),
        (prop::bool::weighted(0.15), one_or_many(strings(RESOURCE_PATTERNS), 2)),
        option::weighted(0.6, condition()),
    )
        .prop_map(
            move |(effect, (not_principal, principal), (not_action, action), (not_resource, resource), condition)| {
                let mut s = Map::new();
                s.insert("Effect".into(), json!(effect));
                if principals {
                    let name = if not_principal { "NotPrincipal" } else { "Principal" };
                    s.insert(name.into(), principal);
                }
                let name = if not_action { "NotAction" } else { "Action" };
                s.insert(name.into(), action);
                let name = if not_resource { "NotResource" } else { "Resource" };
                s.insert(name.into(), resource);
                if let Some(condition) = condition {
                    s.insert("Condition".into(), condition);
                }
                Value::Object(s)
            },
        )
        .boxed()
}

fn version() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        4 => Just(Some("2012-10-17")),
        1 => Just(Some("2008-10-17")),
        1 => Just(None),
    ]
}

fn document(version: Option<&str>, statements: Vec<Value>) -> Value {
    let mut policy = Map::new();
    if let Some(version) = version {
        policy.insert("Version".into(), json!(version));
    }
    policy.insert("Statement".into(), Value::Array(statements));
    Value::Object(policy)
}

/// A resource policy (every statement names a principal) or an identity
/// policy (none does), of 1..=4 statements.
fn policy_with(principals: bool) -> BoxedStrategy<Value> {
    (version(), vec(statement(principals, None), 1..=4))
        .prop_map(|(version, statements)| document(version, statements))
        .boxed()
}

fn policy_json() -> BoxedStrategy<Value> {
    any::<bool>().prop_flat_map(policy_with).boxed()
}

/// A policy and one more statement of the same kind (`effect` forced).
fn policy_and_statement(effect: Option<&'static str>) -> BoxedStrategy<(Value, Value)> {
    any::<bool>()
        .prop_flat_map(move |principals| (policy_with(principals), statement(principals, effect)))
        .boxed()
}

fn parse(json: &Value) -> Policy {
    let text = serde_json::to_string_pretty(json).expect("JSON prints");
    Policy::parse(&Source::new("generated.json", text.as_str()))
        .unwrap_or_else(|e| panic!("a generated policy was refused:\n{text}\n{:#?}", e.errors))
}

fn compile(name: &str, policy: &Policy) -> CompiledPolicy {
    CompiledPolicy::compile(name, policy).unwrap_or_else(|e| panic!("does not compile: {e:?}"))
}

/// The compiled evaluator's decision.
fn decide(policy: &Policy, request: &naive::Request) -> Decision {
    eval::evaluate(&compile("generated", policy), &compiled_request(request)).decision
}

/// The policy with `statement` (read in a one-statement policy of the same
/// version) inserted at `at`.
fn with_statement(policy: &Policy, statement: &Value, at: Index) -> Policy {
    let version = policy.version.as_ref().map(|v| v.node.as_str());
    let extra = parse(&document(version, vec![statement.clone()]));
    let mut bigger = policy.clone();
    let at = at.index(bigger.statements.len() + 1);
    bigger
        .statements
        .insert(at, extra.statements.into_iter().next().expect("one statement"));
    bigger
}

/// The evaluator's draws on the shared SplitMix64 generator.
impl Choices {
    /// True with probability `numerator / denominator`.
    fn chance(&mut self, numerator: usize, denominator: usize) -> bool {
        self.below(denominator) < numerator
    }

    fn pick_owned(&mut self, pool: &[&str]) -> String {
        pool[self.below(pool.len())].to_owned()
    }

    /// Fisher–Yates.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }

    /// A request as [`request`] draws one (same pools, same odds).
    fn request(&mut self) -> naive::Request {
        let mut context = BTreeMap::new();
        for &(key, kind) in KEYS {
            if !self.chance(3, 5) {
                continue;
            }
            let spelling = match self.below(3) {
                0 => key.to_owned(),
                1 => key.to_lowercase(),
                _ => key.to_uppercase(),
            };
            let value = match kind {
                KeyKind::Text if self.chance(1, 13) => naive::ContextValue::One(String::new()),
                KeyKind::Text => naive::ContextValue::One(self.pick_owned(TEXTS)),
                KeyKind::Set => {
                    let mut items: Vec<String> = (0..self.below(4)).map(|_| self.pick_owned(SET_ITEMS)).collect();
                    items.sort();
                    items.dedup();
                    naive::ContextValue::Many(items)
                }
                KeyKind::Number => naive::ContextValue::One(self.pick_owned(NUMBERS)),
                KeyKind::Date => naive::ContextValue::One(self.pick_owned(DATES)),
                KeyKind::Bool => naive::ContextValue::One(self.pick_owned(&["true", "false"])),
                KeyKind::Ip => naive::ContextValue::One(self.pick_owned(IPS)),
                KeyKind::Arn => naive::ContextValue::One(self.pick_owned(ARNS)),
            };
            context.insert(spelling, value);
        }
        naive::Request {
            caller: self.pick_owned(CALLERS),
            action: self.pick_owned(ACTIONS),
            resource: self.pick_owned(RESOURCES),
            context,
        }
    }
}

fn naive_decision(decision: Decision) -> naive::Decision {
    match decision {
        Decision::Allow => naive::Decision::Allow,
        Decision::ExplicitDeny => naive::Decision::ExplicitDeny,
        Decision::ImplicitDeny => naive::Decision::ImplicitDeny,
    }
}

// ---------------------------------------------------------------------------
// The compiled evaluator against the naive one

proptest! {
    #![proptest_config(config(regressions!("compiled_evaluator_agrees_with_the_naive_reference")))]

    /// Same decision, and the reasons cite exactly the statements the naive
    /// evaluator found deciding, for 64 requests per policy (drawn from
    /// `seed`, so a shrunk policy keeps its requests). Requests §8 leaves
    /// open are skipped.
    #[test]
    fn compiled_evaluator_agrees_with_the_naive_reference(json in policy_json(), seed in any::<u64>()) {
        let policy = parse(&json);
        let compiled = compile("generated", &policy);
        let mut rng = Choices(seed);
        for _ in 0..64 {
            let request = rng.request();
            let Ok(expected) = naive::evaluate(&policy, &request) else {
                continue;
            };
            let response = eval::evaluate(&compiled, &compiled_request(&request));
            let cited: Vec<usize> = response.reasons.iter().map(|r| r.statement).collect();
            prop_assert!(
                naive_decision(response.decision) == expected.decision && cited == expected.deciding,
                "policy:\n{}\nrequest: {:#?}\nnaive: {:?}\ncompiled: {} citing {:?}",
                serde_json::to_string_pretty(&json).unwrap_or_default(),
                request,
                expected,
                response.decision,
                cited
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Monotonicity of one policy (§8.8)

proptest! {
    #![proptest_config(config(regressions!("statement_order_never_changes_the_decision")))]

    /// Shuffling statements, condition blocks and the keys within a block
    /// changes neither the decision nor which statements decide it.
    #[test]
    fn statement_order_never_changes_the_decision(json in policy_json(), request in request(), seed in any::<u64>()) {
        let policy = parse(&json);
        let mut rng = Choices(seed);
        let mut order: Vec<usize> = (0..policy.statements.len()).collect();
        rng.shuffle(&mut order);
        let mut shuffled = policy.clone();
        shuffled.statements = order.iter().map(|&i| policy.statements[i].clone()).collect();
        for statement in &mut shuffled.statements {
            if let Some(condition) = statement.node.condition.as_mut() {
                rng.shuffle(&mut condition.node.blocks);
                for block in &mut condition.node.blocks {
                    rng.shuffle(&mut block.entries);
                }
            }
        }
        let eval_request = compiled_request(&request);
        let (original, reordered) = (compile("original", &policy), compile("shuffled", &shuffled));
        let before = eval::evaluate(&original, &eval_request);
        let after = eval::evaluate(&reordered, &eval_request);
        let mut cited_before: Vec<usize> = before.reasons.iter().map(|r| r.statement).collect();
        let mut cited_after: Vec<usize> = after.reasons.iter().map(|r| order[r.statement]).collect();
        cited_before.sort_unstable();
        cited_after.sort_unstable();
        prop_assert_eq!(before.decision, after.decision, "order {:?}\npolicy:\n{}\nrequest: {:#?}",
            order, serde_json::to_string_pretty(&json).unwrap_or_default(), request);
        prop_assert_eq!(cited_before, cited_after);
    }
}

proptest! {
    #![proptest_config(config(regressions!("adding_a_deny_never_turns_a_deny_into_an_allow")))]

    /// A request denied (implicitly or explicitly) stays denied when a Deny
    /// statement is added anywhere; an explicit deny stays explicit.
    #[test]
    fn adding_a_deny_never_turns_a_deny_into_an_allow(
        (json, deny) in policy_and_statement(Some("Deny")),
        at in any::<Index>(),
        request in request(),
    ) {
        let policy = parse(&json);
        let bigger = with_statement(&policy, &deny, at);
        let (before, after) = (decide(&policy, &request), decide(&bigger, &request));
        let context = || format!("policy:\n{}\nadded:\n{}\nrequest: {:#?}",
            serde_json::to_string_pretty(&json).unwrap_or_default(), deny, request);
        if before != Decision::Allow {
            prop_assert_ne!(after, Decision::Allow, "{}", context());
        }
        if before == Decision::ExplicitDeny {
            prop_assert_eq!(after, Decision::ExplicitDeny, "{}", context());
        }
    }
}

proptest! {
    #![proptest_config(config(regressions!("adding_any_statement_never_turns_an_explicit_deny_into_an_allow")))]

    /// An explicit deny is final: no added statement, Allow or Deny, lifts it.
    #[test]
    fn adding_any_statement_never_turns_an_explicit_deny_into_an_allow(
        (json, extra) in policy_and_statement(None),
        at in any::<Index>(),
        request in request(),
    ) {
        let policy = parse(&json);
        let bigger = with_statement(&policy, &extra, at);
        if decide(&policy, &request) == Decision::ExplicitDeny {
            prop_assert_eq!(decide(&bigger, &request), Decision::ExplicitDeny,
                "policy:\n{}\nadded:\n{}\nrequest: {:#?}",
                serde_json::to_string_pretty(&json).unwrap_or_default(), extra, request);
        }
    }
}

proptest! {
    #![proptest_config(config(regressions!("removing_an_allow_never_grants_more")))]

    /// Removing an Allow statement never turns a denied request into an
    /// allowed one (nor an explicit deny into anything else).
    #[test]
    fn removing_an_allow_never_grants_more(json in policy_json(), which in any::<Index>(), request in request()) {
        let policy = parse(&json);
        let allows: Vec<usize> = policy
            .statements
            .iter()
            .enumerate()
            .filter(|(_, s)| s.effect.node == Effect::Allow)
            .map(|(i, _)| i)
            .collect();
        if allows.is_empty() {
            return Ok(());
        }
        let removed = allows[which.index(allows.len())];
        let mut smaller = policy.clone();
        smaller.statements.remove(removed);
        let (before, after) = (decide(&policy, &request), decide(&smaller, &request));
        let context = || format!("removed statement {removed} of:\n{}\nrequest: {:#?}",
            serde_json::to_string_pretty(&json).unwrap_or_default(), request);
        if before != Decision::Allow {
            prop_assert_ne!(after, Decision::Allow, "{}", context());
        }
        if before == Decision::ExplicitDeny {
            prop_assert_eq!(after, Decision::ExplicitDeny, "{}", context());
        }
    }
}

// ---------------------------------------------------------------------------
// The KMS authorizer (§5.6)

const KEY_ARNS: &[&str] = &[
    "arn:aws:kms:us-east-1:111122223333:key/k1",
    "arn:aws:kms:eu-west-1:444455556666:key/k1",
];

const KMS_ACTIONS: &[&str] = &[
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:DescribeKey",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:CreateKey",
];

/// Users and roles identity policies are attached to.
const ATTACHED_TO: &[&str] = &[
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:user/Alice",
    "arn:aws:iam::444455556666:user/bob",
    "arn:aws:iam::111122223333:role/app",
    "arn:aws:iam::444455556666:role/app",
    "arn:aws:iam::111122223333:role/ops",
];

/// Everything an [`Authorizer`] reads, as generated JSON.
#[derive(Clone, Debug)]
struct Setup {
    key_policy: Option<Value>,
    identity: Vec<(String, Value)>,
    boundary: Option<(String, Value)>,
    session: Option<Value>,
    scps: Vec<(String, Value)>,
    rcps: Vec<(String, Value)>,
    grants: Vec<Value>,
}

fn grant() -> BoxedStrategy<Value> {
    let grantee = select(
        PRINCIPAL_IDS
            .iter()
            .filter(|id| **id != "*" && !id.chars().all(|c| c.is_ascii_digit()))
            .copied()
            .collect::<Vec<_>>(),
    );
    let operations = btree_set(
        select(vec![
            "Decrypt",
            "Encrypt",
            "DescribeKey",
            "GenerateDataKey",
            "ReEncryptFrom",
        ]),
        1..=3,
    );
    let constraints = option::weighted(
        0.3,
        select(vec!["eng", "ops"]).prop_map(|dept| json!({"EncryptionContextSubset": {"Dept": dept}})),
    );
    // On the requested key (by ARN or id) or not; without `KeyId` a grant
    // is taken to be on it.
    let key_id = option::weighted(0.5, select(vec![KEY_ARNS[0], KEY_ARNS[1], "k1", "k2"]));
    (grantee, operations, constraints, key_id)
        .prop_map(|(grantee, operations, constraints, key_id)| {
            let mut g = Map::new();
            if let Some(key_id) = key_id {
                g.insert("KeyId".into(), json!(key_id));
            }
            g.insert("GranteePrincipal".into(), json!(grantee));
            g.insert("Operations".into(), json!(operations));
            if let Some(c) = constraints {
                g.insert("Constraints".into(), c);
            }
            Value::Object(g)
        })
        .boxed()
}

/// With probability `p`, the policy starts with a statement allowing
/// everything (to `principal`, in a key policy), as default key policies and
/// `FullAWSAccess` SCPs do, so that the authorizer's requests are often
/// allowed and the other statements decide.
fn often_allowing(p: f64, principals: bool) -> BoxedStrategy<Value> {
    let owner = select(vec![A, B]);
    (policy_with(principals), prop::bool::weighted(p), owner)
        .prop_map(move |(mut policy, allow_all, owner)| {
            if allow_all {
                let mut statement = json!({"Effect": "Allow", "Action": "kms:*", "Resource": "*"});
                if principals {
                    statement["Principal"] = json!({"AWS": format!("arn:aws:iam::{owner}:root")});
                }
                if let Some(Value::Array(statements)) = policy.get_mut("Statement") {
                    statements.insert(0, statement);
                }
            }
            policy
        })
        .boxed()
}

fn setup() -> impl Strategy<Value = Setup> {
    let accounts = || select(vec![A, B]).prop_map(str::to_owned);
    (
        option::weighted(0.9, often_allowing(0.5, true)),
        vec((pick(ATTACHED_TO), often_allowing(0.4, false)), 0..=3),
        option::weighted(0.2, (pick(ATTACHED_TO), often_allowing(0.6, false))),
        option::weighted(0.15, often_allowing(0.6, false)),
        vec((accounts(), often_allowing(0.7, false)), 0..=2),
        vec((accounts(), often_allowing(0.8, false)), 0..=1),
        vec(grant(), 0..=2),
    )
        .prop_map(|(key_policy, identity, boundary, session, scps, rcps, grants)| Setup {
            key_policy,
            identity,
            boundary,
            session,
            scps,
            rcps,
            grants,
        })
}

fn kms_request() -> impl Strategy<Value = KmsRequest> {
    (
        pick(CALLERS),
        pick(KMS_ACTIONS),
        pick(KEY_ARNS),
        btree_map(select(vec!["Dept", "app"]), select(vec!["eng", "ops", "x"]), 0..=2),
        option::weighted(0.5, select(&DATES[..4])),
        option::weighted(0.3, select(IPS)),
    )
        .prop_map(|(caller, action, key, encryption_context, time, ip)| {
            let resource = if action == "kms:CreateKey" { "*" } else { &key };
            let mut request = KmsRequest::new(
                Caller::parse(&caller).expect("callers in the pool parse"),
                action,
                resource,
            );
            request.encryption_context = encryption_context
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            request.time = time.map(str::to_owned);
            if let Some(ip) = ip {
                request.context.insert_one("aws:SourceIp", ip);
            }
            request
        })
}

fn read_grant(json: &Value) -> Grant {
    let text = serde_json::to_string(json).expect("JSON prints");
    match Document::parse(&Source::new("grant.json", text.as_str()), Some(DocumentKind::Grants)) {
        Ok(Document::Grants(grants)) => grants.grants.into_iter().next().expect("one grant").node,
        other => panic!("a generated grant was refused:\n{text}\n{other:?}"),
    }
}

impl Setup {
    fn authorizer(&self) -> Authorizer {
        let read = |name: &str, json: &Value| compile(name, &parse(json));
        let attached = |list: &[(String, Value)], what: &str| {
            list.iter()
                .enumerate()
                .map(|(i, (to, json))| (to.clone(), read(&format!("{what}-{i}"), json)))
                .collect()
        };
        Authorizer {
            key_policy: self.key_policy.as_ref().map(|p| read("key-policy", p)),
            identity_policies: attached(&self.identity, "identity"),
            boundaries: self
                .boundary
                .iter()
                .map(|(to, p)| (to.clone(), read("boundary", p)))
                .collect(),
            session_policy: self.session.as_ref().map(|p| read("session", p)),
            scps: attached(&self.scps, "scp"),
            rcps: attached(&self.rcps, "rcp"),
            grants: self.grants.iter().map(read_grant).collect(),
            principal_tags: Vec::new(),
            unique_ids: Vec::new(),
            vpc_endpoint_policies: Vec::new(),
            management_account: None,
            organization: None,
        }
    }
}

/// Where an extra Deny statement goes.
#[derive(Clone, Copy, Debug)]
enum Target {
    KeyPolicy,
    Identity,
    Boundary,
    Session,
    Scp,
    Rcp,
}

/// Appends `deny` to the policy `Target` names (choosing among several by
/// `which`), or adds a policy holding only it: one attached to the caller,
/// or a guardrail of the caller's (SCP) or the key's (RCP) account.
fn add_deny(setup: &mut Setup, target: Target, which: Index, deny: &Value, request: &KmsRequest) {
    let append = |policy: &mut Value| {
        if let Some(Value::Array(statements)) = policy.get_mut("Statement") {
            statements.push(deny.clone());
        }
    };
    let alone = || document(Some("2012-10-17"), vec![deny.clone()]);
    let attached_to_caller = match request.caller.arn.split_once(":assumed-role/") {
        Some((prefix, rest)) => format!(
            "{}:role/{}",
            prefix.replace(":sts:", ":iam:"),
            rest.split('/').next().unwrap_or_default()
        ),
        None => request.caller.arn.clone(),
    };
    let caller_account = request.caller.account.clone().unwrap_or_default();
    let key_account = request.key_account().unwrap_or(A).to_owned();
    let to_list = |list: &mut Vec<(String, Value)>, owner: String| {
        if list.is_empty() || which.index(2) == 0 {
            list.push((owner, alone()));
        } else {
            let i = which.index(list.len());
            append(&mut list[i].1);
        }
    };
    match target {
        Target::KeyPolicy => match setup.key_policy.as_mut() {
            Some(policy) => append(policy),
            None => setup.key_policy = Some(alone()),
        },
        Target::Identity => to_list(&mut setup.identity, attached_to_caller),
        Target::Boundary => match setup.boundary.as_mut() {
            Some((_, policy)) => append(policy),
            None => setup.boundary = Some((attached_to_caller, alone())),
        },
        Target::Session => match setup.session.as_mut() {
            Some(policy) => append(policy),
            None => setup.session = Some(alone()),
        },
        Target::Scp => to_list(&mut setup.scps, caller_account),
        Target::Rcp => to_list(&mut setup.rcps, key_account),
    }
}

/// A target and a Deny statement of the right kind for it.
fn deny_for_target() -> impl Strategy<Value = (Target, Value)> {
    select(vec![
        Target::KeyPolicy,
        Target::Identity,
        Target::Boundary,
        Target::Session,
        Target::Scp,
        Target::Rcp,
    ])
    .prop_flat_map(|target| {
        let principals = matches!(target, Target::KeyPolicy);
        (Just(target), statement(principals, Some("Deny")))
    })
}

proptest! {
    #![proptest_config(config(regressions!("authorizer_is_monotone_in_denies")))]

    /// Adding a Deny statement to any policy the authorizer reads (key
    /// policy, identity policy, boundary, session policy, SCP, RCP) never
    /// turns a refusal into an Allow, nor an explicit deny into less.
    #[test]
    fn authorizer_is_monotone_in_denies(
        setup in setup(),
        request in kms_request(),
        (target, deny) in deny_for_target(),
        which in any::<Index>(),
    ) {
        let before = setup.authorizer().authorize(&request, false);
        let mut denied = setup.clone();
        add_deny(&mut denied, target, which, &deny, &request);
        let after = denied.authorizer().authorize(&request, false);
        let context = || format!("setup: {setup:#?}\nadded to {target:?}: {deny}\nrequest: {request:#?}\nbefore: {} ({})\nafter: {} ({})",
            before.decision, before.summary, after.decision, after.summary);
        if before.decision != Decision::Allow {
            prop_assert_ne!(after.decision, Decision::Allow, "{}", context());
        }
        if before.decision == Decision::ExplicitDeny {
            prop_assert_eq!(after.decision, Decision::ExplicitDeny, "{}", context());
        }
    }
}

proptest! {
    #![proptest_config(config(regressions!("a_grant_never_turns_an_explicit_deny_into_an_allow")))]

    /// Grants cannot deny and cannot override a Deny (§5.6 step 1): an
    /// explicit deny stays one when a grant is added; and an Allow stays an
    /// Allow (a grant only adds a way in).
    #[test]
    fn a_grant_never_turns_an_explicit_deny_into_an_allow(
        setup in setup(),
        request in kms_request(),
        extra in grant(),
        (target, deny) in deny_for_target(),
        which in any::<Index>(),
        with_deny in any::<bool>(),
    ) {
        // Half the time, add a Deny first so that explicit denies are common.
        let mut setup = setup;
        if with_deny {
            add_deny(&mut setup, target, which, &deny, &request);
        }
        let before = setup.authorizer().authorize(&request, false);
        let mut granted = setup.clone();
        granted.grants.push(extra.clone());
        let after = granted.authorizer().authorize(&request, false);
        let context = || format!("setup: {setup:#?}\ngrant: {extra}\nrequest: {request:#?}\nbefore: {} ({})\nafter: {} ({})",
            before.decision, before.summary, after.decision, after.summary);
        if before.decision == Decision::ExplicitDeny {
            prop_assert_eq!(after.decision, Decision::ExplicitDeny, "{}", context());
        }
        if before.decision == Decision::Allow {
            prop_assert_eq!(after.decision, Decision::Allow, "{}", context());
        }
    }
}

/// The any-service evaluator on the same generated setups: the key policy
/// read as the resource's policy, everything else as it is.
fn any_service_decision(setup: &Setup, request: &KmsRequest) -> Decision {
    let authorizer = setup.authorizer();
    let policies = eval::access::Policies {
        resource: authorizer.key_policy.as_ref(),
        identity: &authorizer.identity_policies,
        boundaries: &authorizer.boundaries,
        session: authorizer.session_policy.as_ref(),
        scps: &authorizer.scps,
        rcps: &authorizer.rcps,
        vpc_endpoint: None,
        management_account: None,
    };
    let target = eval::access::Target {
        resource_account: request.key_account(),
        no_resource: request.resource == "*",
    };
    let eval_request = request.to_eval_request();
    let decision = eval::access::authorize(&policies, &eval_request, target, None).decision;
    decision
}

proptest! {
    #![proptest_config(config(regressions!("any_service_authorizer_is_monotone_in_denies")))]

    /// As `authorizer_is_monotone_in_denies`, for the any-service evaluator:
    /// a Deny added to any policy never turns a refusal into an Allow, nor
    /// an explicit deny into less ([IAM] policy-eval-denyallow: an explicit
    /// deny in any policy overrides every allow).
    #[test]
    fn any_service_authorizer_is_monotone_in_denies(
        setup in setup(),
        request in kms_request(),
        (target, deny) in deny_for_target(),
        which in any::<Index>(),
    ) {
        let before = any_service_decision(&setup, &request);
        let mut denied = setup.clone();
        add_deny(&mut denied, target, which, &deny, &request);
        let after = any_service_decision(&denied, &request);
        let context = || format!("setup: {setup:#?}\nadded to {target:?}: {deny}\nrequest: {request:#?}\nbefore: {before}\nafter: {after}");
        if before != Decision::Allow {
            prop_assert_ne!(after, Decision::Allow, "{}", context());
        }
        if before == Decision::ExplicitDeny {
            prop_assert_eq!(after, Decision::ExplicitDeny, "{}", context());
        }
    }
}
