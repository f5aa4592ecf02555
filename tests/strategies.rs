//! Every proptest strategy of the integration tests, in one place.
//!
//! Valid documents are generated as `serde_json::Value` trees (policies and
//! grant files the parser must accept), arbitrary JSON as depth-limited
//! trees, and text by serde_json or by [`render`], which varies whitespace
//! and string escapes (`\uXXXX`, surrogate pairs, `\/`) so that spelling is
//! exercised as well as structure. Byte-level strategies feed the parser
//! garbage and JSON-flavoured garbage; [`TreeEdit`]s and [`Edit`]s break
//! valid documents in their tree and in their bytes.

use keyward::policy::{GrantOperation, Operator};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::{Map, Number, Value};

// ---------------------------------------------------------------------------
// Strings

/// Characters that stress a JSON string: quotes, backslashes and control
/// characters (which must be escaped), non-ASCII, astral characters (written
/// as surrogate pairs when escaped), and a fair share of plain letters.
pub fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => any::<char>(),
        1 => prop::char::range('\u{0}', '\u{1f}'),
        2 => select(vec![
            '"', '\\', '/', ' ', ':', '*', '\u{7f}', '\u{a0}', 'é', 'ß', '€', '\u{2028}',
            '\u{feff}', '\u{fffd}', '😀', '𝄞', '\u{10000}', '\u{10ffff}',
        ]),
    ]
}

/// A string of at most `max` [`tricky_char`]s.
pub fn text(max: usize) -> impl Strategy<Value = String> {
    vec(tricky_char(), 0..=max).prop_map(String::from_iter)
}

fn strings(items: Vec<String>) -> Value {
    Value::Array(items.into_iter().map(Value::String).collect())
}

/// One string, or a list of 1..=`max` of them, as a policy may give either.
fn one_or_many(item: impl Strategy<Value = String> + Clone, max: usize) -> impl Strategy<Value = Value> {
    prop_oneof![
        item.clone().prop_map(Value::String),
        vec(item, 1..=max).prop_map(strings),
    ]
}

// ---------------------------------------------------------------------------
// Principals, actions, resources

fn account() -> impl Strategy<Value = String> + Clone {
    "[0-9]{12}"
}

fn partition() -> impl Strategy<Value = &'static str> + Clone {
    select(vec!["aws", "aws", "aws-cn", "aws-us-gov"])
}

/// An IAM name: letters, digits and `+=,.@_-` (never `*`, `?` or `/`).
fn iam_name() -> impl Strategy<Value = String> + Clone {
    "[A-Za-z0-9+=,.@_-]{1,16}"
}

/// The AWS principal forms AWS accepts: `*`, a 12-digit account, the
/// account's root, a role (with or without a path), a user, a role session.
pub fn aws_principal() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        1 => Just("*".to_owned()),
        2 => account(),
        2 => (partition(), account()).prop_map(|(p, a)| format!("arn:{p}:iam::{a}:root")),
        2 => (partition(), account(), "(/[A-Za-z0-9_]{1,8}){0,2}", iam_name())
            .prop_map(|(p, a, path, n)| format!("arn:{p}:iam::{a}:role{path}/{n}")),
        2 => (partition(), account(), iam_name())
            .prop_map(|(p, a, n)| format!("arn:{p}:iam::{a}:user/{n}")),
        2 => (partition(), account(), iam_name(), iam_name())
            .prop_map(|(p, a, r, s)| format!("arn:{p}:sts::{a}:assumed-role/{r}/{s}")),
    ]
}

fn service_principal() -> impl Strategy<Value = String> + Clone {
    select(vec![
        "ec2",
        "s3",
        "logs",
        "lambda",
        "dynamodb",
        "cloudtrail",
        "sns",
        "autoscaling",
    ])
    .prop_map(|s| format!("{s}.amazonaws.com"))
}

fn federated_principal() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        select(vec![
            "cognito-identity.amazonaws.com",
            "accounts.google.com",
            "www.amazon.com",
        ])
        .prop_map(str::to_owned),
        (account(), iam_name()).prop_map(|(a, n)| format!("arn:aws:iam::{a}:saml-provider/{n}")),
    ]
}

fn canonical_user() -> impl Strategy<Value = String> + Clone {
    "[0-9a-f]{64}"
}

/// `"*"`, or a map naming one to four kinds of principal.
pub fn principal() -> impl Strategy<Value = Value> {
    let map = (
        option::of(one_or_many(aws_principal(), 3)),
        option::weighted(0.3, one_or_many(service_principal(), 2)),
        option::weighted(0.2, one_or_many(federated_principal(), 2)),
        option::weighted(0.2, one_or_many(canonical_user(), 2)),
    )
        .prop_filter_map("a principal map names someone", |(aws, service, fed, user)| {
            let mut map = Map::new();
            let kinds = [
                ("AWS", aws),
                ("Service", service),
                ("Federated", fed),
                ("CanonicalUser", user),
            ];
            for (kind, ids) in kinds {
                if let Some(ids) = ids {
                    map.insert(kind.to_owned(), ids);
                }
            }
            (!map.is_empty()).then_some(Value::Object(map))
        });
    prop_oneof![1 => Just(Value::String("*".to_owned())), 4 => map]
}

/// `*` or `service:Name`, the name possibly ending in (or being) `*`.
pub fn action() -> impl Strategy<Value = String> + Clone {
    let service = select(vec![
        "kms",
        "kms",
        "kms",
        "KMS",
        "s3",
        "iam",
        "sts",
        "ec2",
        "secretsmanager",
        "aws-portal",
    ]);
    let name = prop_oneof![
        1 => Just("*".to_owned()),
        6 => "[A-Z][A-Za-z]{0,24}\\*?",
    ];
    prop_oneof![
        1 => Just("*".to_owned()),
        8 => (service, name).prop_map(|(s, n)| format!("{s}:{n}")),
    ]
}

/// `*` or an ARN: a KMS key or alias, or `arn:` followed by anything.
pub fn resource() -> impl Strategy<Value = String> + Clone {
    let region = select(vec!["us-east-1", "eu-west-3", "ap-southeast-2", "*"]);
    let key = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    prop_oneof![
        2 => Just("*".to_owned()),
        3 => (partition(), region.clone(), account(), key)
            .prop_map(|(p, r, a, k)| format!("arn:{p}:kms:{r}:{a}:key/{k}")),
        1 => (partition(), region, account(), "[A-Za-z0-9/_-]{1,16}")
            .prop_map(|(p, r, a, n)| format!("arn:{p}:kms:{r}:{a}:alias/{n}")),
        1 => text(20).prop_map(|rest| format!("arn:{rest}")),
    ]
}

// ---------------------------------------------------------------------------
// Conditions

/// Every operator AWS accepts, spelt as a policy writes it.
fn operator_name() -> impl Strategy<Value = String> {
    select(Operator::all().map(|op| op.to_string()).collect::<Vec<_>>())
}

/// A `service:name` condition key; encryption-context keys may hold any
/// character.
fn condition_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(vec![
            "aws:PrincipalArn",
            "aws:SourceAccount",
            "aws:PrincipalOrgID",
            "aws:SecureTransport",
            "aws:CurrentTime",
            "aws:SourceIp",
            "kms:CallerAccount",
            "kms:ViaService",
            "kms:GrantIsForAWSResource",
            "kms:EncryptionAlgorithm",
            "kms:GrantOperations",
            "kms:EncryptionContextKeys",
        ])
        .prop_map(str::to_owned),
        2 => "[A-Za-z0-9_-]{1,12}".prop_map(|k| format!("kms:EncryptionContext:{k}")),
        1 => text(10).prop_map(|k| format!("kms:EncryptionContext:{k}")),
        1 => ("[a-z0-9-]{1,8}", "[A-Za-z0-9/_-]{1,12}").prop_map(|(s, n)| format!("{s}:{n}")),
    ]
}

/// A condition value: a string (any characters), a number written as an
/// integer or a short decimal, or a boolean.
pub fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        5 => text(16).prop_map(Value::String),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        // Short decimals (`-21.47`, `0.5`), whose text every parser reads
        // back to the same f64.
        1 => (any::<i32>(), 0..4i32).prop_map(|(m, e)| Value::from(f64::from(m) / 10f64.powi(e))),
        1 => any::<bool>().prop_map(Value::Bool),
    ]
}

/// `{"Operator": {"key": value-or-list, …}, …}`; blocks and entries may be
/// empty, which the parser accepts.
pub fn condition() -> impl Strategy<Value = Value> {
    let values = prop_oneof![
        2 => scalar(),
        1 => vec(scalar(), 1..=4).prop_map(Value::Array),
    ];
    let block =
        btree_map(condition_key(), values, 0..=3).prop_map(|entries| Value::Object(entries.into_iter().collect()));
    vec((operator_name(), block), 0..=3).prop_map(|blocks| Value::Object(blocks.into_iter().collect()))
}

// ---------------------------------------------------------------------------
// Policies

/// The parts of one statement before the policy decides which it keeps.
#[derive(Clone, Debug)]
struct Parts {
    sid: Option<String>,
    effect: &'static str,
    /// (negated, value) for `Principal` / `NotPrincipal`.
    principal: (bool, Value),
    action: (bool, Value),
    resource: Option<(bool, Value)>,
    condition: Option<Value>,
}

fn statement_parts() -> impl Strategy<Value = Parts> {
    (
        option::of(text(12)),
        select(vec!["Allow", "Deny"]),
        (prop::bool::weighted(0.2), principal()),
        (prop::bool::weighted(0.2), one_or_many(action(), 4)),
        option::weighted(0.8, (prop::bool::weighted(0.2), one_or_many(resource(), 3))),
        option::weighted(0.5, condition()),
    )
        .prop_map(|(sid, effect, principal, action, resource, condition)| Parts {
            sid,
            effect,
            principal,
            action,
            resource,
            condition,
        })
}

/// True when an `Action`/`NotAction` value names KMS (`*` or `kms:…`): the
/// rule by which a policy whose statements name principals is read as a key
/// policy (`infer_kind` in `src/policy/read.rs`).
fn names_kms(actions: &Value) -> bool {
    let is_kms = |v: &Value| {
        v.as_str()
            .is_some_and(|a| a == "*" || a.to_ascii_lowercase().starts_with("kms:"))
    };
    match actions {
        Value::Array(items) => items.iter().any(is_kms),
        other => is_kms(other),
    }
}

/// A valid policy. Either every statement names a principal (a key policy,
/// or a resource policy when no action names KMS, whose statements may then
/// leave out `Resource`) or none does (an identity policy, whose `Sid`s are
/// unique). A single statement is sometimes given as a bare object.
pub fn policy() -> impl Strategy<Value = Value> {
    (
        option::of(select(vec!["2012-10-17", "2008-10-17"])),
        option::weighted(0.3, text(16)),
        any::<bool>(),
        vec(statement_parts(), 1..=5),
        any::<bool>(),
    )
        .prop_map(|(version, id, with_principals, parts, bare)| {
            let key_policy = with_principals && parts.iter().any(|p| names_kms(&p.action.1));
            let resource_optional = with_principals && !key_policy;
            let mut sids = Vec::new();
            let statements: Vec<Value> = parts
                .into_iter()
                .map(|parts| {
                    let mut s = Map::new();
                    if let Some(sid) = parts.sid {
                        // An identity policy's Sids must be unique.
                        if with_principals || !sids.contains(&sid) {
                            sids.push(sid.clone());
                            s.insert("Sid".to_owned(), Value::String(sid));
                        }
                    }
                    s.insert("Effect".to_owned(), Value::String(parts.effect.to_owned()));
                    if with_principals {
                        let (negated, principal) = parts.principal;
                        let name = if negated { "NotPrincipal" } else { "Principal" };
                        s.insert(name.to_owned(), principal);
                    }
                    let (negated, action) = parts.action;
                    let name = if negated { "NotAction" } else { "Action" };
                    s.insert(name.to_owned(), action);
                    let resource = match parts.resource {
                        None if !resource_optional => Some((false, Value::String("*".to_owned()))),
                        other => other,
                    };
                    if let Some((negated, resource)) = resource {
                        let name = if negated { "NotResource" } else { "Resource" };
                        s.insert(name.to_owned(), resource);
                    }
                    if let Some(condition) = parts.condition {
                        s.insert("Condition".to_owned(), condition);
                    }
                    Value::Object(s)
                })
                .collect();
            let mut policy = Map::new();
            if let Some(version) = version {
                policy.insert("Version".to_owned(), Value::String(version.to_owned()));
            }
            if let Some(id) = id {
                policy.insert("Id".to_owned(), Value::String(id));
            }
            let statement = match <[Value; 1]>::try_from(statements) {
                Ok([one]) if bare => one,
                Ok([one]) => Value::Array(vec![one]),
                Err(many) => Value::Array(many),
            };
            policy.insert("Statement".to_owned(), statement);
            Value::Object(policy)
        })
}

// ---------------------------------------------------------------------------
// Grants

/// An encryption-context constraint: at most 8 pairs, values of at most 384
/// characters (the AWS quotas the parser enforces), sometimes exactly 384.
fn encryption_context() -> impl Strategy<Value = Value> {
    let value = prop_oneof![
        8 => text(24),
        1 => text(384),
        1 => vec(tricky_char(), 384).prop_map(String::from_iter),
    ];
    btree_map(text(12), value, 0..=8)
        .prop_map(|pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
}

fn constraints() -> impl Strategy<Value = Value> {
    (
        option::of(encryption_context()),
        option::of(encryption_context()),
        option::weighted(0.3, resource()),
    )
        .prop_map(|(equals, subset, source_arn)| {
            let mut c = Map::new();
            if let Some(equals) = equals {
                c.insert("EncryptionContextEquals".to_owned(), equals);
            }
            if let Some(subset) = subset {
                c.insert("EncryptionContextSubset".to_owned(), subset);
            }
            if let Some(arn) = source_arn {
                c.insert("SourceArn".to_owned(), Value::String(arn));
            }
            Value::Object(c)
        })
}

fn key_id() -> impl Strategy<Value = String> {
    let key = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    prop_oneof![
        key,
        (account(), key).prop_map(|(a, k)| format!("arn:aws:kms:us-east-1:{a}:key/{k}")),
    ]
}

/// One grant, as a `CreateGrant` request or a `GrantListEntry` gives it.
pub fn grant() -> impl Strategy<Value = Value> {
    let grantee = prop_oneof![
        4 => aws_principal().prop_map(|p| ("GranteePrincipal", p)),
        1 => service_principal().prop_map(|p| ("GranteeServicePrincipal", p)),
    ];
    let creation_date = prop_oneof![
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z".prop_map(Value::String),
        (0u32..2_000_000_000).prop_map(Value::from),
    ];
    let optional_strings = (
        option::of(key_id()),
        option::of("[0-9a-f]{64}"),
        option::of(text(16)),
        option::weighted(0.3, aws_principal()),
        option::weighted(0.2, service_principal()),
        option::weighted(0.2, account()),
    );
    (
        optional_strings,
        option::weighted(0.3, creation_date),
        grantee,
        vec(select(GrantOperation::ALL.to_vec()), 1..=6),
        option::of(constraints()),
        option::weighted(0.2, vec("[A-Za-z0-9]{1,20}", 0..=2)),
        option::weighted(0.2, any::<bool>()),
    )
        .prop_map(
            |(
                (key_id, grant_id, name, retiring, retiring_service, issuing),
                creation_date,
                (grantee_element, grantee),
                operations,
                constraints,
                tokens,
                dry_run,
            )| {
                let mut g = Map::new();
                let texts = [
                    ("KeyId", key_id),
                    ("GrantId", grant_id),
                    ("Name", name),
                    ("RetiringPrincipal", retiring),
                    ("RetiringServicePrincipal", retiring_service),
                    ("IssuingAccount", issuing),
                ];
                for (element, value) in texts {
                    if let Some(value) = value {
                        g.insert(element.to_owned(), Value::String(value));
                    }
                }
                if let Some(date) = creation_date {
                    g.insert("CreationDate".to_owned(), date);
                }
                g.insert(grantee_element.to_owned(), Value::String(grantee));
                let operations = operations.into_iter().map(|op| op.as_str().to_owned()).collect();
                g.insert("Operations".to_owned(), strings(operations));
                if let Some(constraints) = constraints {
                    g.insert("Constraints".to_owned(), constraints);
                }
                if let Some(tokens) = tokens {
                    g.insert("GrantTokens".to_owned(), strings(tokens));
                }
                if let Some(dry_run) = dry_run {
                    g.insert("DryRun".to_owned(), Value::Bool(dry_run));
                }
                Value::Object(g)
            },
        )
}

/// A file of grants in one of its three shapes: one grant, a JSON array of
/// grants, or a `ListGrants` response.
pub fn grants() -> impl Strategy<Value = Value> {
    let response = (
        vec(grant(), 0..=4),
        option::weighted(0.3, "[A-Za-z0-9+/=]{1,24}"),
        option::weighted(0.9, any::<bool>()),
    )
        .prop_map(|(grants, marker, truncated)| {
            let mut r = Map::new();
            r.insert("Grants".to_owned(), Value::Array(grants));
            if let Some(marker) = marker {
                r.insert("NextMarker".to_owned(), Value::String(marker));
            }
            if let Some(truncated) = truncated {
                r.insert("Truncated".to_owned(), Value::Bool(truncated));
            }
            Value::Object(r)
        });
    prop_oneof![grant(), vec(grant(), 0..=4).prop_map(Value::Array), response,]
}

/// What a valid document must be read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    Policy,
    Grants,
}

/// A valid policy or grant file, and what it is.
pub fn document() -> impl Strategy<Value = (Value, Expected)> {
    prop_oneof![
        3 => policy().prop_map(|p| (p, Expected::Policy)),
        2 => grants().prop_map(|g| (g, Expected::Grants)),
    ]
}

// ---------------------------------------------------------------------------
// Arbitrary JSON and its spellings

/// Any JSON tree, at most five levels deep: all number kinds serde_json can
/// hold (every finite f64 included), strings of [`tricky_char`]s, objects
/// with such keys.
pub fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        3 => text(16).prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((text(8), inner), 0..6).prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// A value and a text spelling it, whitespace and escapes chosen by a seed.
pub fn spelled(values: impl Strategy<Value = Value>) -> impl Strategy<Value = (Value, String)> {
    (values, any::<u64>()).prop_map(|(value, seed)| {
        let text = render(&value, seed);
        (value, text)
    })
}

/// A small deterministic generator (SplitMix64), for [`render`]'s choices
/// and for shuffles and requests in the evaluator's properties, where
/// proptest's own value trees would cost more than the evaluations.
pub struct Choices(pub u64);

impl Choices {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability 1 / `n`.
    fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// Writes `value` as JSON text, choosing by `seed` the whitespace between
/// tokens and how each character of a string is written: raw, as a short
/// escape, or as `\uXXXX` (upper or lower case hex; astral characters as a
/// surrogate pair). Members are written in the map's order; numbers as
/// serde_json writes them.
pub fn render(value: &Value, seed: u64) -> String {
    let mut out = String::new();
    let mut choices = Choices(seed);
    space(&mut out, &mut choices);
    write_value(&mut out, value, &mut choices);
    space(&mut out, &mut choices);
    out
}

fn space(out: &mut String, choices: &mut Choices) {
    if choices.one_in(2) {
        out.push_str(choices.pick(&[" ", "\n", "\t", "\r\n", "  ", "\n    ", " \t\r\n "]));
    }
}

fn write_value(out: &mut String, value: &Value, choices: &mut Choices) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s, choices),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                space(out, choices);
                write_value(out, item, choices);
                space(out, choices);
            }
            if items.is_empty() {
                space(out, choices);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                space(out, choices);
                write_string(out, key, choices);
                space(out, choices);
                out.push(':');
                space(out, choices);
                write_value(out, item, choices);
                space(out, choices);
            }
            if members.is_empty() {
                space(out, choices);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str, choices: &mut Choices) {
    let unicode_escape = |out: &mut String, unit: u16, choices: &mut Choices| {
        if choices.one_in(2) {
            out.push_str(&format!("\\u{unit:04x}"));
        } else {
            out.push_str(&format!("\\u{unit:04X}"));
        }
    };
    out.push('"');
    for c in s.chars() {
        let short = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '/' => Some("\\/"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            _ => None,
        };
        let must_escape = matches!(c, '"' | '\\') || u32::from(c) < 0x20;
        if !must_escape && !choices.one_in(4) {
            out.push(c);
            continue;
        }
        match short {
            Some(short) if choices.one_in(2) => out.push_str(short),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    unicode_escape(out, *unit, choices);
                }
            }
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------
// Bytes and edits

/// Any bytes.
pub fn bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..512)
}

/// Bytes mostly drawn from JSON's punctuation, literals and escapes, so that
/// the grammar gets past its first token, with the odd arbitrary byte.
pub fn json_ish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        40 => select(b"{}[]\",:\\ \n\t\r0123456789-+.eEtrufalsn/bu".to_vec()),
        1 => any::<u8>(),
    ];
    let token = prop_oneof![
        4 => select(JSON_TOKENS).prop_map(|t| t.as_bytes().to_vec()),
        2 => select(SNIPPETS).prop_map(|t| t.as_bytes().to_vec()),
        1 => byte.clone().prop_map(|b| vec![b]),
    ];
    prop_oneof![vec(byte, 0..128), vec(token, 0..48).prop_map(|tokens| tokens.concat()),]
}

/// Whole JSON tokens, for byte soups that get deeper into the grammar.
const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"a\"",
    "\"\"",
    "\"\\n\"",
    "\"\\u00e9\"",
    "0",
    "-1.5e+3",
    "true",
    "false",
    "null",
    " ",
    "\n",
];

/// Snippets an edit inserts: punctuation, broken escapes, literals, keys
/// the policy and grant readers look for, bytes that are not UTF-8.
const SNIPPETS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "\\",
    "\\u",
    "\\uD800",
    "\\uDC00",
    "\\uD83D\\uDE00",
    "\\x",
    "null",
    "true",
    "0",
    "-",
    "1e",
    "01",
    " ",
    "\n",
    "\t",
    "é",
    "😀",
    "\u{0}",
    "\u{1}",
    "\u{7f}",
    "\u{feff}",
    "{}",
    "[]",
    "\"\"",
    "\"*\"",
    "\"Statement\"",
    "\"Statement\":",
    "\"Effect\":",
    "\"Principal\":",
    "\"NotPrincipal\":",
    "\"AWS\":",
    "\"Action\":",
    "\"kms:*\"",
    "\"Resource\":",
    "\"Condition\":",
    "\"StringEquals\":",
    "\"Grants\":",
    "\"Operations\":",
    "\"Decrypt\"",
    "\"GranteePrincipal\":",
    "\"Constraints\":",
    "\"EncryptionContextEquals\":",
    "//",
    "'",
];

/// One edit of a document's bytes; positions are fractions of its length.
#[derive(Clone, Debug)]
pub enum Edit {
    Delete(Index, usize),
    Insert(Index, &'static str),
    InsertByte(Index, u8),
    Duplicate(Index, usize),
}

pub fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        3 => (any::<Index>(), 1..24usize).prop_map(|(at, len)| Edit::Delete(at, len)),
        4 => (any::<Index>(), select(SNIPPETS)).prop_map(|(at, s)| Edit::Insert(at, s)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(at, b)| Edit::InsertByte(at, b)),
        2 => (any::<Index>(), 1..48usize).prop_map(|(at, len)| Edit::Duplicate(at, len)),
    ];
    vec(edit, 0..=3)
}

/// Applies `edits` in order.
pub fn apply(bytes: &mut Vec<u8>, edits: &[Edit]) {
    for edit in edits {
        // Positions 0..=len, so an edit may touch either end.
        let at = |index: &Index, bytes: &Vec<u8>| index.index(bytes.len() + 1);
        match edit {
            Edit::Delete(index, len) => {
                let start = at(index, bytes);
                let end = (start + len).min(bytes.len());
                bytes.drain(start..end);
            }
            Edit::Insert(index, snippet) => {
                let start = at(index, bytes);
                bytes.splice(start..start, snippet.bytes());
            }
            Edit::InsertByte(index, byte) => {
                let start = at(index, bytes);
                bytes.insert(start, *byte);
            }
            Edit::Duplicate(index, len) => {
                let start = at(index, bytes);
                let end = (start + len).min(bytes.len());
                let copy = bytes[start..end].to_vec();
                bytes.splice(end..end, copy);
            }
        }
    }
}

/// One edit of a document's tree, which keeps the JSON valid and breaks (or
/// not) the document: nodes are numbered in pre-order, positions and nodes
/// chosen as fractions.
#[derive(Clone, Debug)]
pub enum TreeEdit {
    /// Replaces a node with another value.
    Replace(Index, Value),
    /// Removes a child (array item or object member) of a container node.
    Remove(Index, Index),
    /// Renames a member of an object node.
    Rename(Index, Index, String),
    /// Wraps a node in a one-item list.
    Wrap(Index),
}

pub fn tree_edits() -> impl Strategy<Value = Vec<TreeEdit>> {
    let replacement = prop_oneof![
        2 => select(vec![
            Value::Null,
            Value::Bool(true),
            Value::from(0),
            Value::from(111_122_223_333u64),
            Value::String(String::new()),
            Value::String("*".to_owned()),
            Value::String("kms:Decrypt".to_owned()),
            Value::String("Allow".to_owned()),
            Value::String("Decrypt".to_owned()),
            Value::Array(Vec::new()),
            Value::Object(Map::new()),
        ]),
        1 => scalar(),
        1 => json_value(),
    ];
    let key = prop_oneof![
        3 => select(vec![
            "Version", "Id", "Statement", "Sid", "Effect", "Principal", "NotPrincipal", "Action",
            "NotAction", "Resource", "NotResource", "Condition", "AWS", "Service", "Efect",
            "Actions", "principal", "Statment", "StringEquals", "StringEqual", "ForAnyValue:Null",
            "kms:ViaService", "nocolon", "Grants", "GranteePrincipal", "GranteeServicePrincipal",
            "Operations", "Constraints", "EncryptionContextEquals", "SourceArn", "DryRun",
        ])
        .prop_map(str::to_owned),
        1 => text(8),
    ];
    let edit = prop_oneof![
        3 => (any::<Index>(), replacement).prop_map(|(at, v)| TreeEdit::Replace(at, v)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(at, i)| TreeEdit::Remove(at, i)),
        2 => (any::<Index>(), any::<Index>(), key).prop_map(|(at, i, k)| TreeEdit::Rename(at, i, k)),
        1 => any::<Index>().prop_map(TreeEdit::Wrap),
    ];
    vec(edit, 0..=2)
}

fn nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(nodes).sum(),
        Value::Object(members) => members.values().map(nodes).sum(),
        _ => 0,
    }
}

/// The node numbered `n` in pre-order (`n` < `nodes(value)`).
fn node_mut(value: &mut Value, mut n: usize) -> &mut Value {
    if n == 0 {
        return value;
    }
    n -= 1;
    let children: Vec<&mut Value> = match value {
        Value::Array(items) => items.iter_mut().collect(),
        Value::Object(members) => members.values_mut().collect(),
        _ => Vec::new(),
    };
    for child in children {
        let size = nodes(child);
        if n < size {
            return node_mut(child, n);
        }
        n -= size;
    }
    unreachable!("node number out of range")
}

/// Applies tree `edits` in order.
pub fn apply_to_tree(value: &mut Value, edits: &[TreeEdit]) {
    for edit in edits {
        let total = nodes(value);
        match edit {
            TreeEdit::Replace(at, replacement) => {
                *node_mut(value, at.index(total)) = replacement.clone();
            }
            TreeEdit::Remove(at, child) => match node_mut(value, at.index(total)) {
                Value::Array(items) if !items.is_empty() => {
                    items.remove(child.index(items.len()));
                }
                Value::Object(members) if !members.is_empty() => {
                    if let Some(key) = members.keys().nth(child.index(members.len())).cloned() {
                        members.remove(&key);
                    }
                }
                _ => {}
            },
            TreeEdit::Rename(at, child, name) => {
                if let Value::Object(members) = node_mut(value, at.index(total)) {
                    if !members.is_empty() {
                        let key = members.keys().nth(child.index(members.len())).cloned();
                        if let Some(member) = key.and_then(|k| members.remove(&k)) {
                            members.insert(name.clone(), member);
                        }
                    }
                }
            }
            TreeEdit::Wrap(at) => {
                let node = node_mut(value, at.index(total));
                *node = Value::Array(vec![node.take()]);
            }
        }
    }
}
