//! The canonical printer: model → JSON text with a stable element order
//! (`Version`, `Id`, `Statement`; `Sid`, `Effect`, `Principal`, `Action`,
//! `Resource`, `Condition`), two-space indentation and statements always in
//! an array. Values keep their written form (a single string stays a string,
//! a number keeps its text), so printing never changes meaning, and printing
//! the printed text again gives the same text.

use super::grant::{ContextPair, Grant, GrantConstraints, Grantee, Grants, GrantsShape};
use super::model::{Clause, Condition, Policy, Principal, Scalar, Statement, Values};
use super::Document;
use crate::source::Spanned;

/// Prints a document in canonical form, ending with a newline.
pub fn to_canonical_json(document: &Document) -> String {
    let mut out = match document {
        Document::Policy(policy) => policy_json(policy),
        Document::Grants(grants) => grants_json(grants),
    };
    out.push('\n');
    out
}

pub fn policy_json(policy: &Policy) -> String {
    let mut w = Writer::default();
    w.open('{');
    if let Some(version) = &policy.version {
        w.key("Version");
        w.string(version.as_str());
    }
    if let Some(id) = &policy.id {
        w.key("Id");
        w.string(id);
    }
    w.key("Statement");
    w.open('[');
    for statement in &policy.statements {
        w.item();
        statement_json(&mut w, statement);
    }
    w.close(']');
    w.close('}');
    w.out
}

fn statement_json(w: &mut Writer, statement: &Statement) {
    w.open('{');
    if let Some(sid) = &statement.sid {
        w.key("Sid");
        w.string(sid);
    }
    w.key("Effect");
    w.string(statement.effect.as_str());
    if let Some(principal) = &statement.principal {
        w.key(if principal.negated { "NotPrincipal" } else { "Principal" });
        match &principal.value {
            Principal::Any => w.string("*"),
            Principal::Map(entries) => {
                w.open('{');
                for entry in entries {
                    w.key(entry.kind.as_str());
                    strings(w, &entry.ids);
                }
                w.close('}');
            }
        }
    }
    clause(w, &statement.action, "Action", "NotAction");
    if let Some(resource) = &statement.resource {
        clause(w, resource, "Resource", "NotResource");
    }
    if let Some(condition) = &statement.condition {
        w.key("Condition");
        condition_json(w, condition);
    }
    w.close('}');
}

fn clause(w: &mut Writer, clause: &Clause<Values<Spanned<String>>>, name: &str, negated_name: &str) {
    w.key(if clause.negated { negated_name } else { name });
    strings(w, &clause.value);
}

fn strings(w: &mut Writer, values: &Values<Spanned<String>>) {
    match values {
        Values::One(one) => w.string(one),
        Values::Many(many) => {
            w.open('[');
            for value in many {
                w.item();
                w.string(value);
            }
            w.close(']');
        }
    }
}

fn condition_json(w: &mut Writer, condition: &Condition) {
    w.open('{');
    for block in &condition.blocks {
        w.key(&block.operator.to_string());
        w.open('{');
        for entry in &block.entries {
            w.key(&entry.key);
            match &entry.values {
                Values::One(one) => w.scalar(one),
                Values::Many(many) => {
                    w.open('[');
                    for value in many {
                        w.item();
                        w.scalar(value);
                    }
                    w.close(']');
                }
            }
        }
        w.close('}');
    }
    w.close('}');
}

pub fn grants_json(grants: &Grants) -> String {
    let mut w = Writer::default();
    match &grants.shape {
        GrantsShape::One => {
            if let Some(grant) = grants.grants.first() {
                grant_json(&mut w, grant);
            }
        }
        GrantsShape::List => grant_list(&mut w, &grants.grants),
        GrantsShape::ListGrantsResponse { next_marker, truncated } => {
            w.open('{');
            w.key("Grants");
            grant_list(&mut w, &grants.grants);
            if let Some(marker) = next_marker {
                w.key("NextMarker");
                w.string(marker);
            }
            if let Some(truncated) = truncated {
                w.key("Truncated");
                w.raw(if truncated.node { "true" } else { "false" });
            }
            w.close('}');
        }
    }
    w.out
}

fn grant_list(w: &mut Writer, grants: &[Spanned<Grant>]) {
    w.open('[');
    for grant in grants {
        w.item();
        grant_json(w, grant);
    }
    w.close(']');
}

fn grant_json(w: &mut Writer, grant: &Grant) {
    w.open('{');
    let text = |w: &mut Writer, name: &str, value: &Option<Spanned<String>>| {
        if let Some(value) = value {
            w.key(name);
            w.string(value);
        }
    };
    text(w, "KeyId", &grant.key_id);
    text(w, "GrantId", &grant.grant_id);
    text(w, "Name", &grant.name);
    if let Some(date) = &grant.creation_date {
        w.key("CreationDate");
        w.scalar(date);
    }
    match &grant.grantee.node {
        Grantee::Principal(p) => text(
            w,
            "GranteePrincipal",
            &Some(Spanned::new(p.clone(), grant.grantee.span)),
        ),
        Grantee::ServicePrincipal(p) => text(
            w,
            "GranteeServicePrincipal",
            &Some(Spanned::new(p.clone(), grant.grantee.span)),
        ),
    }
    text(w, "RetiringPrincipal", &grant.retiring_principal);
    text(w, "RetiringServicePrincipal", &grant.retiring_service_principal);
    text(w, "IssuingAccount", &grant.issuing_account);
    w.key("Operations");
    w.open('[');
    for op in &grant.operations {
        w.item();
        w.string(op.as_str());
    }
    w.close(']');
    if let Some(constraints) = &grant.constraints {
        w.key("Constraints");
        constraints_json(w, constraints);
    }
    if let Some(tokens) = &grant.grant_tokens {
        w.key("GrantTokens");
        w.open('[');
        for token in tokens {
            w.item();
            w.string(token);
        }
        w.close(']');
    }
    if let Some(dry_run) = &grant.dry_run {
        w.key("DryRun");
        w.raw(if dry_run.node { "true" } else { "false" });
    }
    w.close('}');
}

fn constraints_json(w: &mut Writer, constraints: &GrantConstraints) {
    w.open('{');
    let context = |w: &mut Writer, name: &str, pairs: &Option<Vec<ContextPair>>| {
        if let Some(pairs) = pairs {
            w.key(name);
            w.open('{');
            for pair in pairs {
                w.key(&pair.key);
                w.string(&pair.value);
            }
            w.close('}');
        }
    };
    context(w, "EncryptionContextEquals", &constraints.encryption_context_equals);
    context(w, "EncryptionContextSubset", &constraints.encryption_context_subset);
    if let Some(arn) = &constraints.source_arn {
        w.key("SourceArn");
        w.string(arn);
    }
    w.close('}');
}

/// A small pretty-printing JSON writer: it knows when a comma and a line
/// break are due, and prints empty containers as `{}` / `[]`.
#[derive(Default)]
struct Writer {
    out: String,
    depth: usize,
    /// Per open container: has it had an element yet?
    started: Vec<bool>,
}

impl Writer {
    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.depth += 1;
        self.started.push(false);
    }

    fn close(&mut self, bracket: char) {
        self.depth -= 1;
        if self.started.pop() == Some(true) {
            self.newline();
        }
        self.out.push(bracket);
    }

    /// Starts the next element of the current container.
    fn item(&mut self) {
        if let Some(started) = self.started.last_mut() {
            if *started {
                self.out.push(',');
            }
            *started = true;
        }
        self.newline();
    }

    fn key(&mut self, key: &str) {
        self.item();
        self.string(key);
        self.out.push_str(": ");
    }

    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn scalar(&mut self, scalar: &Scalar) {
        match scalar {
            Scalar::String(s) => self.string(s),
            Scalar::Number(n) => self.raw(n),
            Scalar::Bool(b) => self.raw(if *b { "true" } else { "false" }),
        }
    }

    fn string(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                '\u{8}' => self.out.push_str("\\b"),
                '\u{c}' => self.out.push_str("\\f"),
                c if u32::from(c) < 0x20 => self.out.push_str(&format!("\\u{:04x}", u32::from(c))),
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }
}
