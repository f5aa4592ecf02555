//! The proof behind a PASS. For one class of request (action, resource,
//! caller), which statements apply depends on the context only through
//! their conditions and the policy variables of their `Resource`. Each
//! distinct condition entry (operator, key, values) is a yes/no variable
//! shared by the policies, with the implications its values give
//! (`StringEquals k [a]` implies `StringEquals k [a, b]`: values are OR-ed,
//! NOR-ed under a negated operator); each `Resource` with a policy variable
//! is a free variable. When no assignment of the variables gives the answer
//! the check looks for, no context can: the class is proven. When one
//! does, [`Symbolic::realize`] looks for a context that makes it real,
//! which the evaluator then confirms; failing that, the check cannot decide.

use std::collections::HashMap;

use super::samples::Keys;
use crate::eval::glob::Case;
use crate::eval::{evaluate, ArnPattern, Caller, CompiledPolicy, CompiledStatement, Context, Decision, Request};
use crate::policy::{Clause, Condition, ConditionBlock, Effect, Operator, Policy, Scalar, Statement, Values, Version};
use crate::source::{Span, Spanned};

/// Assignments are tried exhaustively up to this many variables per class.
const MAX_VARIABLES: usize = 16;
/// Assignments kept per class, to try to realize.
const MAX_WITNESSES: usize = 16;

/// Which policy a statement belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Old,
    New,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum AtomKey {
    Entry {
        operator: Operator,
        key: String,
        values: Vec<String>,
        variables: bool,
    },
    Template {
        text: String,
    },
}

/// A variable: a condition entry (with a one-entry policy that tells
/// whether a context satisfies it) or a `Resource` with a policy variable.
struct Atom {
    key: AtomKey,
    entry: Option<(String, CompiledPolicy)>,
}

/// How a statement's `Resource` stands to a request's resource.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Res {
    Always,
    /// Applies when one of these templates matches.
    AnyOf(Vec<usize>),
    /// `NotResource`: applies when none of these templates matches.
    NoneOf(Vec<usize>),
}

/// A statement that applies to a request class when its resource clause
/// and the conjunction of its condition atoms hold.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Fires {
    side: Side,
    effect: Effect,
    resource: Res,
    condition: Vec<usize>,
}

struct Prepared<'p> {
    side: Side,
    compiled: &'p CompiledPolicy,
    /// Per statement: the atom of each templated resource pattern, and the
    /// glob that pattern cannot leave.
    resources: Vec<Vec<Option<(usize, ArnPattern)>>>,
    conditions: Vec<Vec<usize>>,
}

/// An assignment of truth to atoms.
pub type Assignment = Vec<(usize, bool)>;

/// What a class came to.
#[derive(Clone, Debug)]
pub enum Found {
    /// No assignment gives the answer looked for.
    Proven,
    /// Some do (these), or there were too many variables (none listed).
    Open {
        assignments: Vec<Assignment>,
        templates: bool,
        why: Option<String>,
    },
}

/// The policies' statements as formulas over shared atoms.
pub struct Symbolic<'p> {
    sides: Vec<Prepared<'p>>,
    atoms: Vec<Atom>,
    implies: Vec<(usize, usize)>,
    memo: HashMap<Vec<Fires>, Found>,
}

fn text(value: &Scalar) -> String {
    match value {
        Scalar::String(s) | Scalar::Number(s) => s.clone(),
        Scalar::Bool(b) => b.to_string(),
    }
}

/// `${…}` replaced by `*`: the language a template cannot leave.
fn widened(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        out.push('*');
        rest = rest[start..].find('}').map_or("", |end| &rest[start + end + 1..]);
    }
    out.push_str(rest);
    out
}

/// A policy that allows everything exactly when `entry` holds.
fn entry_policy(operator: Operator, entry: &crate::policy::ConditionEntry, variables: bool) -> Option<CompiledPolicy> {
    fn at<T>(value: T) -> Spanned<T> {
        Spanned::new(value, Span::default())
    }
    let star = || Values::One(at("*".to_owned()));
    let statement = Statement {
        sid: None,
        effect: at(Effect::Allow),
        principal: None,
        action: at(Clause {
            negated: false,
            value: star(),
        }),
        resource: Some(at(Clause {
            negated: false,
            value: star(),
        })),
        condition: Some(at(Condition {
            blocks: vec![ConditionBlock {
                operator: at(operator),
                entries: vec![entry.clone()],
            }],
        })),
    };
    let policy = Policy {
        version: variables.then(|| at(Version::V2012_10_17)),
        id: None,
        statements: vec![at(statement)],
    };
    CompiledPolicy::compile("entry", &policy).ok()
}

impl<'p> Symbolic<'p> {
    pub fn new(policies: &[(Side, &'p Policy, &'p CompiledPolicy)]) -> Symbolic<'p> {
        let mut symbolic = Symbolic {
            sides: Vec::new(),
            atoms: Vec::new(),
            implies: Vec::new(),
            memo: HashMap::new(),
        };
        for &(side, policy, compiled) in policies {
            let variables = policy.version.as_ref().is_some_and(|v| v.node == Version::V2012_10_17);
            let mut resources = Vec::new();
            let mut conditions = Vec::new();
            for (statement, compiled_statement) in policy.statements.iter().zip(&compiled.statements) {
                let written: Vec<&str> = statement
                    .resource
                    .iter()
                    .flat_map(|r| r.value.iter().map(|v| v.as_str()))
                    .collect();
                let patterns = compiled_statement
                    .resources
                    .as_ref()
                    .map(|(_, p)| p.as_slice())
                    .unwrap_or(&[]);
                let templated = patterns
                    .iter()
                    .zip(&written)
                    .map(|(pattern, text)| {
                        pattern.template().map(|_| {
                            let atom = symbolic.intern(
                                AtomKey::Template {
                                    text: (*text).to_owned(),
                                },
                                None,
                            );
                            (atom, ArnPattern::compile(&widened(text), false))
                        })
                    })
                    .collect();
                resources.push(templated);
                let mut atoms = Vec::new();
                for block in statement.condition.iter().flat_map(|c| c.blocks.iter()) {
                    for entry in &block.entries {
                        let mut values: Vec<String> = entry.values.iter().map(|v| text(v)).collect();
                        values.sort();
                        values.dedup();
                        let key = AtomKey::Entry {
                            operator: block.operator.node,
                            key: entry.key.to_lowercase(),
                            values,
                            variables,
                        };
                        let check =
                            entry_policy(block.operator.node, entry, variables).map(|p| (entry.key.to_lowercase(), p));
                        atoms.push(symbolic.intern(key, check));
                    }
                }
                atoms.sort_unstable();
                atoms.dedup();
                conditions.push(atoms);
            }
            symbolic.sides.push(Prepared {
                side,
                compiled,
                resources,
                conditions,
            });
        }
        symbolic.implications();
        symbolic
    }

    fn intern(&mut self, key: AtomKey, entry: Option<(String, CompiledPolicy)>) -> usize {
        if let Some(i) = self.atoms.iter().position(|a| a.key == key) {
            return i;
        }
        self.atoms.push(Atom { key, entry });
        self.atoms.len() - 1
    }

    /// `a ⇒ b` for entries of one operator and key whose values make `a`
    /// the stricter.
    fn implications(&mut self) {
        for (i, a) in self.atoms.iter().enumerate() {
            for (j, b) in self.atoms.iter().enumerate() {
                let (
                    AtomKey::Entry {
                        operator,
                        key,
                        values,
                        variables,
                    },
                    AtomKey::Entry {
                        operator: operator_b,
                        key: key_b,
                        values: values_b,
                        variables: variables_b,
                    },
                ) = (&a.key, &b.key)
                else {
                    continue;
                };
                if i == j || operator != operator_b || key != key_b || variables != variables_b {
                    continue;
                }
                let (small, large) = if operator.base.is_negated() {
                    (values_b, values)
                } else {
                    (values, values_b)
                };
                if small.iter().all(|v| large.contains(v)) {
                    self.implies.push((i, j));
                }
            }
        }
    }

    /// The statements that may apply to a request class, as formulas.
    fn formula(&self, action: &str, resource: &str, caller: &Caller) -> Vec<Fires> {
        let empty = Context::new();
        let mut out = Vec::new();
        for prepared in &self.sides {
            for (index, statement) in prepared.compiled.statements.iter().enumerate() {
                if !principal_applies(statement, caller) {
                    continue;
                }
                let (not_action, actions) = &statement.actions;
                if actions.iter().any(|p| p.matches(action, Case::Insensitive)) == *not_action {
                    continue;
                }
                let resource_clause = match &statement.resources {
                    None => Res::Always,
                    Some((negated, patterns)) => {
                        let templated = &prepared.resources[index];
                        let mut fixed = false;
                        let mut open = Vec::new();
                        for (i, pattern) in patterns.iter().enumerate() {
                            match templated.get(i).and_then(Option::as_ref) {
                                Some((atom, bound)) => {
                                    if bound.matches(resource, &empty) {
                                        open.push(*atom);
                                    }
                                }
                                None => fixed |= pattern.matches(resource, &empty),
                            }
                        }
                        open.sort_unstable();
                        open.dedup();
                        match (*negated, fixed, open.is_empty()) {
                            (false, true, _) | (true, false, true) => Res::Always,
                            (false, false, true) | (true, true, _) => continue,
                            (false, false, false) => Res::AnyOf(open),
                            (true, false, false) => Res::NoneOf(open),
                        }
                    }
                };
                out.push(Fires {
                    side: prepared.side,
                    effect: statement.effect,
                    resource: resource_clause,
                    condition: prepared.conditions[index].clone(),
                });
            }
        }
        // In statement order: the same policies give the same formulas.
        out
    }

    /// Whether some assignment makes `goal(new allows, old allows)` true,
    /// for the request class; the same formulas give the same answer.
    pub fn classify(&mut self, action: &str, resource: &str, caller: &Caller, goal: fn(bool, bool) -> bool) -> Found {
        let formula = self.formula(action, resource, caller);
        if let Some(found) = self.memo.get(&formula) {
            return found.clone();
        }
        let found = self.solve(&formula, goal);
        self.memo.insert(formula, found.clone());
        found
    }

    fn solve(&self, formula: &[Fires], goal: fn(bool, bool) -> bool) -> Found {
        let mut used: Vec<usize> = Vec::new();
        for fires in formula {
            used.extend(&fires.condition);
            if let Res::AnyOf(t) | Res::NoneOf(t) = &fires.resource {
                used.extend(t);
            }
        }
        used.sort_unstable();
        used.dedup();
        let templates = used
            .iter()
            .any(|&a| matches!(self.atoms[a].key, AtomKey::Template { .. }));
        if used.len() > MAX_VARIABLES {
            return Found::Open {
                assignments: Vec::new(),
                templates,
                why: Some(format!(
                    "{} conditions and policy variables apply to one request, more than the {MAX_VARIABLES} keyward weighs against each other",
                    used.len()
                )),
            };
        }
        let bit = |atom: usize| used.iter().position(|&u| u == atom).map_or(0u32, |i| 1 << i);
        let mask = |atoms: &[usize]| atoms.iter().fold(0u32, |m, &a| m | bit(a));
        let implies: Vec<(u32, u32)> = self
            .implies
            .iter()
            .filter(|(a, b)| used.contains(a) && used.contains(b))
            .map(|&(a, b)| (bit(a), bit(b)))
            .collect();
        let compiled: Vec<(Side, Effect, u8, u32, u32)> = formula
            .iter()
            .map(|f| {
                let (kind, templates) = match &f.resource {
                    Res::Always => (0, 0),
                    Res::AnyOf(t) => (1, mask(t)),
                    Res::NoneOf(t) => (2, mask(t)),
                };
                (f.side, f.effect, kind, templates, mask(&f.condition))
            })
            .collect();
        let mut assignments = Vec::new();
        for bits in 0u32..(1u32 << used.len()) {
            if implies.iter().any(|&(a, b)| bits & a != 0 && bits & b == 0) {
                continue;
            }
            let allows = |side: Side| {
                let mut allow = false;
                for &(s, effect, kind, templates, condition) in &compiled {
                    let resource = match kind {
                        0 => true,
                        1 => bits & templates != 0,
                        _ => bits & templates == 0,
                    };
                    if s != side || !resource || condition & !bits != 0 {
                        continue;
                    }
                    match effect {
                        Effect::Deny => return false,
                        Effect::Allow => allow = true,
                    }
                }
                allow
            };
            if goal(allows(Side::New), allows(Side::Old)) {
                assignments.push(
                    used.iter()
                        .enumerate()
                        .map(|(i, &a)| (a, bits & (1 << i) != 0))
                        .collect(),
                );
                if assignments.len() == MAX_WITNESSES {
                    break;
                }
            }
        }
        if assignments.is_empty() {
            Found::Proven
        } else {
            Found::Open {
                assignments,
                templates,
                why: None,
            }
        }
    }

    /// A context that gives each condition atom of the assignment its
    /// truth, choosing per key among the values `keys` tries (or leaving
    /// the key out). Templates are left to the evaluator.
    pub fn realize(&self, assignment: &Assignment, keys: &Keys) -> Option<Context> {
        let mut per_key: HashMap<&str, Vec<(&CompiledPolicy, bool)>> = HashMap::new();
        for &(atom, truth) in assignment {
            if let Some((key, policy)) = &self.atoms[atom].entry {
                per_key.entry(key.as_str()).or_default().push((policy, truth));
            } else if matches!(self.atoms[atom].key, AtomKey::Entry { .. }) {
                return None; // an entry keyward could not compile alone
            }
        }
        let probe = |context: Context| Request {
            caller: Caller {
                arn: "arn:aws:iam::111122223333:role/Probe".to_owned(),
                account: Some("111122223333".to_owned()),
                kind: crate::eval::CallerKind::Role {
                    name: "Probe".to_owned(),
                },
                via_service: None,
                source_ip: None,
                user_agent: None,
                unique_id: None,
                session_tags: Vec::new(),
            },
            action: "probe:Probe".to_owned(),
            resource: "*".to_owned(),
            context,
        };
        let mut context = Context::new();
        for (key, wanted) in per_key {
            let fits = |value: Option<&String>| {
                let mut alone = Context::new();
                if let Some(value) = value {
                    alone.insert(keys.name(key), keys.value(key, value));
                }
                let request = probe(alone);
                wanted
                    .iter()
                    .all(|(policy, truth)| (evaluate(policy, &request).decision == Decision::Allow) == *truth)
            };
            let candidates = keys.candidates(key);
            if fits(None) {
                continue;
            }
            let value = candidates.iter().find(|v| fits(Some(v)))?;
            context.insert(keys.name(key), keys.value(key, value));
        }
        Some(context)
    }
}

/// Does the statement's `Principal`/`NotPrincipal` let it apply to the
/// caller? As the evaluator decides for a caller without a boundary.
fn principal_applies(statement: &CompiledStatement, caller: &Caller) -> bool {
    match (&statement.principal, statement.effect) {
        (None, _) => true,
        (Some((false, matcher)), _) => matcher.matches(caller).is_some(),
        (Some((true, matcher)), Effect::Allow) => matcher.allow_excludes(caller).is_none(),
        (Some((true, matcher)), Effect::Deny) => matcher.deny_excludes(caller).is_err(),
    }
}
