//! Compiled conditions and their evaluation (§8.3–§8.5): operators AND-ed,
//! keys AND-ed, values OR-ed (NOR-ed for negated operators), the missing-key
//! rules, `…IfExists`, and the `ForAllValues:` / `ForAnyValue:` qualifiers.

use super::arn::ArnPattern;
use super::error::CompileError;
use super::glob::Case;
use super::request::{fold_key, Context, ContextValue};
use super::template::Template;
use super::value::{self, Cidr, Instant};
use crate::policy::{BaseOperator, Condition, Operator, Scalar, SetQualifier, Values};
use crate::source::{Span, Spanned};

/// A statement's `Condition`, ready to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledCondition {
    pub blocks: Vec<Block>,
}

/// One operator and its keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub operator: Operator,
    pub operator_span: Span,
    pub entries: Vec<Entry>,
}

/// One condition key and its policy values, parsed for the operator.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key as written, for explanations.
    pub key: String,
    pub key_span: Span,
    folded: String,
    values: PolicyValues,
}

#[derive(Clone, Debug, PartialEq)]
enum PolicyValues {
    Strings(Vec<Template>),
    Numbers(Vec<f64>),
    Dates(Vec<Instant>),
    Bools(Vec<Template>),
    Binary(Vec<Vec<u8>>),
    Networks(Vec<Cidr>),
    Arns(Vec<ArnPattern>),
    /// `true` tests for absence, `false` for presence; several values OR.
    Null(Vec<bool>),
}

/// The condition that failed, by reference.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Failed<'c> {
    pub block: &'c Block,
    pub entry: &'c Entry,
    pub missing: bool,
}

impl Failed<'_> {
    /// The owned form a trace keeps.
    pub fn to_failure(self) -> Failure {
        Failure {
            operator: self.block.operator.to_string(),
            key: self.entry.key.clone(),
            key_span: self.entry.key_span,
            missing: self.missing,
        }
    }
}

/// Why a condition failed, for traces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub operator: String,
    pub key: String,
    pub key_span: Span,
    /// The key was absent from the request.
    pub missing: bool,
}

impl CompiledCondition {
    pub fn compile(condition: &Condition, variables: bool, errors: &mut Vec<CompileError>) -> CompiledCondition {
        let blocks = condition
            .blocks
            .iter()
            .map(|block| Block {
                operator: block.operator.node,
                operator_span: block.operator.span,
                entries: block
                    .entries
                    .iter()
                    .map(|entry| Entry {
                        key: entry.key.node.clone(),
                        key_span: entry.key.span,
                        folded: fold_key(&entry.key),
                        values: compile_values(block.operator.node, &entry.values, variables, errors),
                    })
                    .collect(),
            })
            .collect();
        CompiledCondition { blocks }
    }

    /// True when every block holds. `missing` hears each key the request lacked.
    pub fn holds<'c>(&'c self, context: &Context, missing: &mut dyn FnMut(&'c str)) -> Result<(), Failed<'c>> {
        for block in &self.blocks {
            for entry in &block.entries {
                let present = context.get_folded(&entry.folded);
                if present.is_none() {
                    missing(&entry.key);
                }
                entry.report_missing_variables(context, missing);
                if !entry.holds(block.operator, present, context) {
                    return Err(Failed {
                        block,
                        entry,
                        missing: present.is_none(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Every condition key the statement reads, as written.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.blocks
            .iter()
            .flat_map(|b| b.entries.iter().map(|e| e.key.as_str()))
    }
}

fn compile_values(
    operator: Operator,
    values: &Values<Spanned<Scalar>>,
    variables: bool,
    errors: &mut Vec<CompileError>,
) -> PolicyValues {
    use BaseOperator::*;
    let mut parse = |expected: &'static str, parse_one: &dyn Fn(&str) -> bool| {
        for v in values.iter() {
            if !parse_one(v.as_text()) {
                errors.push(CompileError::InvalidConditionValue {
                    operator: operator.to_string(),
                    value: v.as_text().to_owned(),
                    expected,
                    span: v.span.into(),
                });
            }
        }
    };
    let texts = || values.iter().map(|v| v.as_text());
    match operator.base {
        StringEquals
        | StringNotEquals
        | StringEqualsIgnoreCase
        | StringNotEqualsIgnoreCase
        | StringLike
        | StringNotLike => PolicyValues::Strings(texts().map(|t| Template::parse(t, variables)).collect()),
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => {
            parse("a number such as `10` or `2.5`", &|t| value::number(t).is_some());
            PolicyValues::Numbers(texts().filter_map(value::number).collect())
        }
        DateEquals | DateNotEquals | DateLessThan | DateLessThanEquals | DateGreaterThan | DateGreaterThanEquals => {
            parse(
                "an ISO 8601 date such as `2026-01-31T12:00:00Z`, or epoch seconds",
                &|t| value::date(t).is_some(),
            );
            PolicyValues::Dates(texts().filter_map(value::date).collect())
        }
        Bool => {
            parse("`true` or `false`", &|t| {
                value::boolean(t).is_some() || (variables && t.contains("${"))
            });
            PolicyValues::Bools(texts().map(|t| Template::parse(t, variables)).collect())
        }
        BinaryEquals => {
            parse("a base64 value", &|t| value::base64(t).is_some());
            PolicyValues::Binary(texts().filter_map(value::base64).collect())
        }
        IpAddress | NotIpAddress => {
            parse(
                "an IP address or CIDR block such as `203.0.113.0/24` or `2001:DB8::/32`",
                &|t| Cidr::parse(t).is_some(),
            );
            PolicyValues::Networks(texts().filter_map(Cidr::parse).collect())
        }
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => {
            PolicyValues::Arns(texts().map(|t| ArnPattern::compile(t, variables)).collect())
        }
        Null => {
            parse("`true` or `false`", &|t| value::boolean(t).is_some());
            PolicyValues::Null(texts().filter_map(value::boolean).collect())
        }
    }
}

impl Entry {
    fn report_missing_variables<'c>(&'c self, context: &Context, missing: &mut dyn FnMut(&'c str)) {
        let mut check = |template: &'c Template| {
            for (key, has_default) in template.variables() {
                if !has_default && !matches!(context.get(key), Some(ContextValue::One(v)) if !v.is_empty()) {
                    missing(key);
                }
            }
        };
        match &self.values {
            PolicyValues::Strings(ts) | PolicyValues::Bools(ts) => ts.iter().for_each(&mut check),
            PolicyValues::Arns(ps) => ps.iter().filter_map(ArnPattern::template).for_each(&mut check),
            _ => {}
        }
    }

    fn holds(&self, operator: Operator, present: Option<&ContextValue>, context: &Context) -> bool {
        if let PolicyValues::Null(wanted) = &self.values {
            let absent = match present {
                None => true,
                Some(ContextValue::One(v)) => v.is_empty(),
                Some(ContextValue::Many(vs)) => vs.is_empty(),
            };
            return wanted.contains(&absent);
        }
        // The request's values. An empty string or empty set is "null"
        // (§8.3), which every operator treats as an absent key.
        let request: Option<&[String]> = match present {
            Some(ContextValue::One(v)) if !v.is_empty() => Some(std::slice::from_ref(v)),
            Some(ContextValue::Many(vs)) if !is_null_set(vs) => Some(vs),
            _ => None,
        };
        let negated = operator.base.is_negated();
        let one = |r: &str| {
            let any = self.any_matches(operator.base, r, context);
            if negated {
                !any
            } else {
                any
            }
        };
        match (operator.qualifier, request) {
            (Some(SetQualifier::ForAllValues), None) => true,
            (Some(SetQualifier::ForAnyValue), None) => operator.if_exists,
            (None, None) => operator.if_exists || negated,
            (Some(SetQualifier::ForAllValues), Some(rs)) => rs.iter().all(|r| one(r)),
            (Some(SetQualifier::ForAnyValue), Some(rs)) => rs.iter().any(|r| one(r)),
            // A multi-valued key without a qualifier: a positive operator
            // matches when any value does, a negated one when none does.
            (None, Some(rs)) if negated => rs.iter().all(|r| one(r)),
            (None, Some(rs)) => rs.iter().any(|r| one(r)),
        }
    }

    /// Does the request value match any policy value, under the positive
    /// form of the operator (`StringNotEquals` → `StringEquals`)?
    fn any_matches(&self, base: BaseOperator, r: &str, context: &Context) -> bool {
        use BaseOperator::*;
        match &self.values {
            PolicyValues::Strings(ps) => ps.iter().any(|p| match base {
                StringEquals | StringNotEquals => p.equals(r, context, Case::Sensitive),
                StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => p.equals(r, context, Case::Insensitive),
                _ => p.like(r, context, Case::Sensitive),
            }),
            PolicyValues::Numbers(ps) => value::number(r).is_some_and(|r| {
                ps.iter().any(|&p| match base {
                    NumericEquals | NumericNotEquals => r == p,
                    NumericLessThan => r < p,
                    NumericLessThanEquals => r <= p,
                    NumericGreaterThan => r > p,
                    _ => r >= p,
                })
            }),
            PolicyValues::Dates(ps) => value::date(r).is_some_and(|r| {
                ps.iter().any(|&p| match base {
                    DateEquals | DateNotEquals => r == p,
                    DateLessThan => r < p,
                    DateLessThanEquals => r <= p,
                    DateGreaterThan => r > p,
                    _ => r >= p,
                })
            }),
            PolicyValues::Bools(ps) => value::boolean(r).is_some_and(|r| {
                ps.iter().any(|p| match p.as_plain() {
                    Some(text) => value::boolean(text) == Some(r),
                    None => p.resolve(context).and_then(|t| value::boolean(&t)) == Some(r),
                })
            }),
            PolicyValues::Binary(ps) => value::base64(r).is_some_and(|r| ps.contains(&r)),
            PolicyValues::Networks(ps) => value::ip(r).is_some_and(|ip| ps.iter().any(|p| p.contains(ip))),
            PolicyValues::Arns(ps) => ps.iter().any(|p| p.matches(r, context)),
            PolicyValues::Null(_) => false,
        }
    }
}

fn is_null_set(values: &[String]) -> bool {
    values.is_empty() || (values.len() == 1 && values[0].is_empty())
}
