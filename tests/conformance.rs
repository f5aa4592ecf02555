//! The conformance seeds of reference §13, as data: each file of
//! `policies/conformance/` walks one seed through the KMS JSON API
//! (`kms::wire::dispatch`) and states what AWS answers at each step.
//!
//! A step is one of:
//! - a call: `{"call": "Encrypt", "as": ARN, "via": ENDPOINT, "request": {…}}`
//!   with expectations: `"error"` (AWS's name) and `"message"` (exact) or
//!   `"message_contains"`; else `"response"` (members that must match:
//!   objects member by member, lists item by item, the rest exactly) and
//!   `"absent"` (members that must not be there). `"save": {"var":
//!   "Member.Path"}` keeps a response value; `${var}` in any later string is
//!   replaced by it;
//!   `"response_json"` reads string members as JSON documents and compares
//!   them the same way; `"decoded_lengths"` gives the byte length of base64
//!   members;
//! - `{"repeat": N, "step": {…}}`: the step N times, with `${i}` from 1 to N;
//! - `{"identity_policy": ARN, "policy": {…}}`: attaches an identity policy;
//! - `{"advance_days": N}`: moves the clock, then lets the runtime do what
//!   is due (deletions, rotations);
//! - `{"audit": {…}}`: the last audit record has these members, and
//!   `"audit_excludes"`: strings no record of the run may contain.
//!
//! Two value generators keep large inputs out of the files: `{"$bytes": N}`
//! is the base64 of N bytes, and `{"$pad": [TEXT, N]}` is TEXT followed by
//! spaces up to N bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use keyward::eval::{Caller, CompiledPolicy};
use keyward::kms::runtime::{Runtime, SimulatedClock};
use keyward::kms::wire;
use keyward::policy::{Document, DocumentKind};
use keyward::Source;
use serde_json::Value;

const ACCOUNT: &str = "111122223333";
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/conformance");

/// The seeds of §13 and why any is not walked here.
const NOT_WALKED: &[(u64, &str)] = &[];

fn seed_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(DIR)
        .expect("policies/conformance exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// `${var}` replaced in every string of `value`.
fn substitute(value: &Value, vars: &BTreeMap<String, Value>) -> Value {
    match value {
        Value::String(text) => {
            // A string that is one variable takes the variable's own value.
            if let Some(name) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}')) {
                if let Some(saved) = vars.get(name) {
                    return saved.clone();
                }
            }
            let mut out = text.clone();
            for (name, saved) in vars {
                let replacement = saved.as_str().map_or_else(|| saved.to_string(), str::to_owned);
                out = out.replace(&format!("${{{name}}}"), &replacement);
            }
            assert!(!out.contains("${"), "an unknown variable in `{text}`");
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, vars)).collect()),
        Value::Object(fields) if fields.len() == 1 && fields.contains_key("$bytes") => {
            let n = fields["$bytes"].as_u64().expect("`$bytes` takes a count") as usize;
            Value::String(wire::b64(&vec![b'x'; n]))
        }
        Value::Object(fields) if fields.len() == 1 && fields.contains_key("$pad") => {
            let (text, n) = (&fields["$pad"][0], &fields["$pad"][1]);
            let mut text = substitute(text, vars).as_str().expect("`$pad` takes a text").to_owned();
            let n = n.as_u64().expect("`$pad` takes a length") as usize;
            while text.len() < n {
                text.push(' ');
            }
            Value::String(text)
        }
        Value::Object(fields) => Value::Object(fields.iter().map(|(k, v)| (k.clone(), substitute(v, vars))).collect()),
        other => other.clone(),
    }
}

/// `A.B.0.C` in a response.
fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, part| match part.parse::<usize>() {
        Ok(i) => v.get(i),
        Err(_) => v.get(part),
    })
}

/// Every member of `expected` is in `actual` with a matching value: objects
/// member by member, lists item by item (as many items), the rest equal.
fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e.iter().all(|(k, ev)| a.get(k).is_some_and(|av| contains(av, ev))),
        (Value::Array(a), Value::Array(e)) => a.len() == e.len() && a.iter().zip(e).all(|(av, ev)| contains(av, ev)),
        _ => actual == expected,
    }
}

struct Run {
    rt: Runtime<SimulatedClock>,
    vars: BTreeMap<String, Value>,
    checks: usize,
}

impl Run {
    fn caller(&self, step: &Value) -> Caller {
        let who = step["as"].as_str().unwrap_or(ACCOUNT);
        let caller = Caller::parse(who).unwrap_or_else(|e| panic!("`as`: {e}"));
        match step["via"].as_str() {
            Some(endpoint) => caller.via(endpoint),
            None => caller,
        }
    }

    fn attach(&mut self, principal: &str, policy: &Value) {
        let source = Source::new(principal, policy.to_string());
        let Ok(Document::Policy(parsed)) = Document::parse(&source, Some(DocumentKind::IdentityPolicy)) else {
            panic!("the identity policy of {principal} does not read");
        };
        let compiled = CompiledPolicy::compile(principal, &parsed).expect("the identity policy compiles");
        self.rt
            .identities
            .identity_policies
            .push((principal.to_owned(), compiled));
    }

    fn step(&mut self, step: &Value) -> Result<(), String> {
        if let Some(times) = step["repeat"].as_u64() {
            for i in 1..=times {
                self.vars.insert("i".into(), Value::String(i.to_string()));
                self.step(&step["step"]).map_err(|e| format!("repeat {i}: {e}"))?;
            }
            self.vars.remove("i");
            return Ok(());
        }
        let step = substitute(step, &self.vars);
        if let Some(principal) = step["identity_policy"].as_str() {
            self.attach(principal, &step["policy"]);
            return Ok(());
        }
        if let Some(days) = step["advance_days"].as_i64() {
            self.rt.clock.advance(days * 86_400);
            self.rt.sweep();
            return Ok(());
        }
        if let Some(expected) = step.get("audit") {
            return self.audit(expected, &step["audit_excludes"]);
        }
        let operation = step["call"]
            .as_str()
            .ok_or("a step is a call, a policy, a clock move or an audit check")?;
        let caller = self.caller(&step);
        let result = wire::dispatch(&mut self.rt, &caller, operation, &step["request"]);
        match (result, step.get("error")) {
            (Ok(response), None) => {
                if let Some(expected) = step.get("response") {
                    self.checks += 1;
                    if !contains(&response, expected) {
                        return Err(format!("{operation} answered {response}, expected {expected}"));
                    }
                }
                for (member, expected) in step["response_json"].as_object().into_iter().flatten() {
                    self.checks += 1;
                    let text = response[member]
                        .as_str()
                        .ok_or(format!("{operation} answered no `{member}`"))?;
                    let document: Value = serde_json::from_str(text).map_err(|e| format!("`{member}`: {e}"))?;
                    if !contains(&document, expected) {
                        return Err(format!("{operation}: `{member}` is {document}, expected {expected}"));
                    }
                }
                for (member, length) in step["decoded_lengths"].as_object().into_iter().flatten() {
                    self.checks += 1;
                    let text = response[member]
                        .as_str()
                        .ok_or(format!("{operation} answered no `{member}`"))?;
                    let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text)
                        .map_err(|e| format!("`{member}`: {e}"))?;
                    if Some(bytes.len() as u64) != length.as_u64() {
                        return Err(format!(
                            "{operation}: `{member}` has {} bytes, expected {length}",
                            bytes.len()
                        ));
                    }
                }
                for path in step["absent"].as_array().into_iter().flatten() {
                    self.checks += 1;
                    let path = path.as_str().ok_or("`absent` lists member paths")?;
                    if at(&response, path).is_some() {
                        return Err(format!("{operation} answered `{path}`, which AWS leaves out"));
                    }
                }
                if let Some(saves) = step["save"].as_object() {
                    for (name, path) in saves {
                        let path = path.as_str().ok_or("`save` maps names to member paths")?;
                        let value = at(&response, path).ok_or(format!("{operation} answered no `{path}`"))?;
                        self.vars.insert(name.clone(), value.clone());
                    }
                }
                Ok(())
            }
            (Ok(response), Some(error)) => Err(format!("{operation} succeeded with {response}, expected {error}")),
            (Err(e), None) => Err(format!("{operation} failed: {e}")),
            (Err(e), Some(error)) => {
                self.checks += 1;
                if e.name.as_str() != error {
                    return Err(format!("{operation} failed with {e}, expected {error}"));
                }
                if let Some(message) = step["message"].as_str() {
                    if e.message != message {
                        return Err(format!("{operation}: message `{}`, expected `{message}`", e.message));
                    }
                }
                if let Some(part) = step["message_contains"].as_str() {
                    if !e.message.contains(part) {
                        return Err(format!("{operation}: message `{}` lacks `{part}`", e.message));
                    }
                }
                Ok(())
            }
        }
    }

    fn audit(&mut self, expected: &Value, excludes: &Value) -> Result<(), String> {
        let records = self.rt.audit.list(&Default::default());
        let last = records.last().ok_or("no audit record")?;
        let last = serde_json::to_value(last).map_err(|e| e.to_string())?;
        self.checks += 1;
        if !contains(&last, expected) {
            return Err(format!("the last audit record is {last}, expected {expected}"));
        }
        for secret in excludes.as_array().into_iter().flatten() {
            let secret = secret.as_str().ok_or("`audit_excludes` lists strings")?;
            self.checks += 1;
            for record in &records {
                let text = serde_json::to_string(record).map_err(|e| e.to_string())?;
                if text.contains(secret) {
                    return Err(format!("an audit record holds `{secret}`: {text}"));
                }
            }
        }
        Ok(())
    }
}

fn walk(path: &Path) -> Result<u64, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let seed: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let number = seed["seed"].as_u64().ok_or("no `seed` number")?;
    let mut run = Run {
        rt: Runtime::new(ACCOUNT, "us-east-1", SimulatedClock::at(1_795_867_200)),
        vars: BTreeMap::new(),
        checks: 0,
    };
    for (i, step) in seed["steps"].as_array().ok_or("no `steps`")?.iter().enumerate() {
        run.step(step).map_err(|e| format!("step {}: {e}", i + 1))?;
    }
    if run.checks == 0 {
        return Err("the seed checks nothing".into());
    }
    Ok(number)
}

#[test]
fn every_conformance_seed_behaves_as_aws_does() {
    let mut walked = Vec::new();
    let mut failures = Vec::new();
    for path in seed_files() {
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        match walk(&path) {
            Ok(seed) => walked.push(seed),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let missing: Vec<u64> = (1..=22)
        .filter(|n| !walked.contains(n) && !NOT_WALKED.iter().any(|(m, _)| m == n))
        .collect();
    assert!(missing.is_empty(), "§13 seeds without a walk: {missing:?}");
}

#[test]
fn the_walker_fails_a_wrong_expectation() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-self-test.json");
    let seed = r#"{"seed": 99, "steps": [
        {"call": "CreateKey", "request": {}, "save": {"key": "KeyMetadata.KeyId"}},
        {"call": "DisableKey", "request": {"KeyId": "${key}"}},
        {"call": "Encrypt", "request": {"KeyId": "${key}", "Plaintext": "eA=="}, "error": "NotFoundException"}
    ]}"#;
    std::fs::write(&dir, seed).expect("write the seed");
    let error = walk(&dir).expect_err("DisabledException is not NotFoundException");
    assert!(
        error.starts_with("step 3: Encrypt failed with DisabledException"),
        "{error}"
    );
    let nothing = r#"{"seed": 98, "steps": [{"call": "CreateKey", "request": {}}]}"#;
    std::fs::write(&dir, nothing).expect("write the seed");
    assert_eq!(walk(&dir), Err("the seed checks nothing".to_owned()));
}
