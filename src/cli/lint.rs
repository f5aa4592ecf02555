//! `keyward lint`: read the configuration, lint every document in parallel,
//! print the findings in the chosen format, and exit by the threshold.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use keyward::catalog::{self, Catalogue};
use keyward::lint::access::{self, Verdict};
use keyward::lint::output::{self, Report};
use keyward::lint::{self, rules, Config, Finding, Linter, Severity};
use keyward::policy::{Document, DocumentKind};
use keyward::source::Source;

use super::args::{Deny, LintArgs, LintFormat};
use super::inputs::{self, Input, Loaded};
use super::{render, Exit};

pub fn run(args: &LintArgs) -> Exit {
    if args.list_rules {
        return list_rules();
    }
    if let Some(name) = &args.explain {
        return explain(name);
    }
    let (config, base) = match load_config(args.config.as_deref()) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("error: {message}");
            return Exit::Failure;
        }
    };
    let catalogue = args
        .catalogue
        .clone()
        .or_else(|| config.catalogue.as_ref().map(|c| base.join(c)));
    if let Some(path) = catalogue {
        match Catalogue::read(&path) {
            Ok(catalogue) => {
                if catalog::install(catalogue).is_err() {
                    eprintln!(
                        "error: the IAM catalogue was in use before `{}` could replace it",
                        path.display()
                    );
                    return Exit::Failure;
                }
            }
            Err(error) => {
                eprintln!("error: {error}");
                return Exit::Failure;
            }
        }
    }
    if args.catalogue_info {
        return catalogue_info();
    }
    if let [old, new] = args.check_no_new_access.as_slice() {
        return access_check(args.format, || {
            let (old, new) = (read_policy(old)?, read_policy(new)?);
            access::no_new_access(&old, &new)
        });
    }
    if let Some(policy) = &args.check_access_not_granted {
        return access_check(args.format, || {
            access::access_not_granted(&read_policy(policy)?, &args.action, &args.resource)
        });
    }
    let inputs = match expand(&args.paths) {
        Ok(inputs) => inputs,
        Err(message) => {
            eprintln!("error: {message}");
            return Exit::Failure;
        }
    };
    let resource_type = args.resource_type.clone().or_else(|| config.resource_type.clone());
    let mut linter = Linter::new(config);
    if let Some(name) = resource_type {
        match lint::ResourceType::parse(&name) {
            Some(ty) => linter.resource_type = Some(ty),
            None => {
                eprintln!(
                    "error: `{name}` is not a resource type Access Analyzer validates policies for; use {}",
                    lint::ResourceType::names()
                );
                return Exit::Failure;
            }
        }
    }
    if let Some(spec) = &args.key_spec {
        match keyward::kms::KeyInfo::parse(spec, args.key_usage.as_deref()) {
            Some(key) => linter.key = Some(key),
            None => {
                eprintln!(
                    "error: `{spec}`{} is not a key spec and usage KMS accepts",
                    args.key_usage
                        .as_deref()
                        .map(|u| format!(" with `{u}`"))
                        .unwrap_or_default()
                );
                return Exit::Failure;
            }
        }
    }
    let bar = super::progress::documents(inputs.len(), "linting");
    let results = lint_all(&linter, &inputs, args.kind.kind.document_kind(), &bar);
    bar.finish_and_clear();
    let mut outcome = Exit::Success;
    let mut linted: Vec<(Source, Vec<Finding>)> = Vec::new();
    for result in results {
        match result {
            Ok(done) => linted.push(done),
            Err(message) => {
                eprintln!("error: {message}");
                outcome = Exit::Failure;
            }
        }
    }
    let threshold = match args.fail_on {
        Deny::Errors => Severity::Error,
        Deny::Security => Severity::Security,
        Deny::Warnings => Severity::Warning,
        Deny::Suggestions => Severity::Suggestion,
    };
    if linted.iter().any(|(_, f)| lint::fails(f, threshold)) {
        outcome = outcome.max(Exit::Problems);
    }
    if let Err(e) = write(args.format, &linted, threshold, args.max_findings) {
        super::pipe::closed(&e);
        return Exit::Failure;
    }
    if args.format == LintFormat::Human {
        eprintln!("{}", summary(&linted));
    }
    outcome
}

/// The arguments as inputs: folders are walked for JSON policies and
/// grants, CloudFormation templates (`.json`, `.yaml`, `.yml`, `.template`)
/// and Terraform plans.
fn expand(paths: &[PathBuf]) -> Result<Vec<Input>, String> {
    let mut all = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            let wanted = |p: &Path| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "json" | "yaml" | "yml" | "template"))
            };
            inputs::walk(path, &wanted, &mut found)
                .map_err(|e| format!("cannot read folder `{}`: {e}", path.display()))?;
            found.sort();
            all.extend(found.into_iter().map(Input::File));
        } else {
            all.extend(inputs::expand(std::slice::from_ref(path))?);
        }
    }
    Ok(all)
}

/// Lints every input on all cores, counting them on `bar`; results keep
/// the inputs' order.
fn lint_all(
    linter: &Linter,
    inputs: &[Input],
    kind: Option<keyward::policy::DocumentKind>,
    bar: &indicatif::ProgressBar,
) -> Vec<Result<(Source, Vec<Finding>), String>> {
    let next = AtomicUsize::new(0);
    let done = Mutex::new(Vec::with_capacity(inputs.len()));
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(inputs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = inputs.get(i) else {
                        break;
                    };
                    let result = inputs::load(input, &linter.limits).map(|loaded| match loaded {
                        Loaded::Text(source) => {
                            let linted = linter.lint_file(&source, kind);
                            if let Some(note) = linted.note {
                                bar.suspend(|| eprintln!("note: `{}` {note}", source.name()));
                            }
                            (source, linted.findings)
                        }
                        Loaded::Rejected(errors) => (errors.src.clone(), linter.rejected(&errors)),
                    });
                    mine.push((i, result));
                    bar.inc(1);
                }
                if let Ok(mut done) = done.lock() {
                    done.extend(mine);
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_default();
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

fn write(
    format: LintFormat,
    linted: &[(Source, Vec<Finding>)],
    fail_on: Severity,
    max_findings: usize,
) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if format == LintFormat::Human {
        for (source, findings) in linted {
            let each: Vec<lint::Diagnosed<'_>> = findings.iter().map(|f| f.diagnosed(source)).collect();
            let each: Vec<&dyn miette::Diagnostic> = each.iter().map(|d| d as &dyn miette::Diagnostic).collect();
            render::diagnostics(&mut out, source, &each, false)?;
        }
        return out.flush();
    }
    // Machine formats list at most `max_findings` per document.
    let bounded: Vec<(&Source, Vec<Finding>, usize)> = linted
        .iter()
        .map(|(source, findings)| {
            let (kept, left_out) = output::bounded(findings, max_findings);
            (source, kept, left_out)
        })
        .collect();
    for (source, _, left_out) in bounded.iter().filter(|(_, _, n)| *n > 0) {
        eprintln!(
            "note: `{}`: {left_out} more findings not listed (raise `--max-findings`, or 0 for all)",
            source.name()
        );
    }
    let reports = || bounded.iter().map(|(source, findings, _)| Report { source, findings });
    match format {
        LintFormat::Human => {}
        LintFormat::Json => {
            for report in reports() {
                out.write_all(output::json::render(&report).as_bytes())?;
            }
        }
        LintFormat::Github => {
            for (report, (_, _, left_out)) in reports().zip(&bounded) {
                out.write_all(output::github::render(&report, fail_on).as_bytes())?;
                if *left_out > 0 {
                    writeln!(
                        out,
                        "::warning file={},title=keyward::{left_out} more findings not listed (raise `--max-findings`)",
                        output::github::property(report.source.name())
                    )?;
                }
            }
        }
        LintFormat::Sarif => {
            let all: Vec<Report<'_>> = reports().collect();
            let omitted = bounded.iter().map(|(_, _, n)| n).sum();
            out.write_all(output::sarif::render_omitting(&all, fail_on, omitted).as_bytes())?;
        }
    }
    out.flush()
}

fn summary(linted: &[(Source, Vec<Finding>)]) -> String {
    let count = |s: Severity, word: &str| {
        let n = linted.iter().flat_map(|(_, f)| f).filter(|f| f.severity == s).count();
        format!("{n} {}", super::check::plural(n, word))
    };
    let documents = linted.len();
    format!(
        "linted {documents} {}: {}, {} security, {}, {}",
        super::check::plural(documents, "document"),
        count(Severity::Error, "error"),
        linted
            .iter()
            .flat_map(|(_, f)| f)
            .filter(|f| f.severity == Severity::Security)
            .count(),
        count(Severity::Warning, "warning"),
        count(Severity::Suggestion, "suggestion"),
    )
}

/// `--config FILE`, or the nearest `keyward.toml` from the current folder
/// up, with the folder its relative paths start from.
fn load_config(path: Option<&Path>) -> Result<(Config, PathBuf), String> {
    let path = match path {
        Some(path) => Some(path.to_path_buf()),
        None => discover(),
    };
    let Some(path) = path else {
        return Ok((Config::default(), PathBuf::new()));
    };
    let text = keyward::source::read::text(&path, keyward::source::read::Kind::Config).map_err(|e| e.to_string())?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let config = Config::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((config, base))
}

fn read_policy(path: &Path) -> Result<keyward::policy::Policy, String> {
    let text = keyward::source::read::text(path, keyward::source::read::Kind::Policy).map_err(|e| e.to_string())?;
    let source = Source::new(path.display().to_string(), text);
    match Document::parse(&source, Some(DocumentKind::Policy)) {
        Ok(Document::Policy(policy)) => Ok(policy),
        Ok(Document::Grants(_)) => Err(format!("`{}` holds grants, not a policy", path.display())),
        Err(errors) => Err(format!(
            "`{}` is not a valid policy: {}",
            path.display(),
            errors.errors.first().map(|e| e.to_string()).unwrap_or_default()
        )),
    }
}

/// `--check-no-new-access`, `--check-access-not-granted`: the verdict, and
/// exit 0 only for a pass.
fn access_check(format: LintFormat, check: impl FnOnce() -> Result<Verdict, String>) -> Exit {
    let verdict = match check() {
        Ok(verdict) => verdict,
        Err(message) => {
            eprintln!("error: {message}");
            return Exit::Failure;
        }
    };
    let detail = match &verdict {
        Verdict::Pass => {
            "proven: no request of any class of action, resource and caller, under any condition values".to_owned()
        }
        Verdict::Fail(request) => access::Shown(request).to_string(),
        Verdict::CannotDecide(why) => why.clone(),
    };
    if format == LintFormat::Json {
        outln!("{}", serde_json::json!({"result": verdict.as_str(), "detail": detail}));
    } else {
        outln!("{}: {detail}", verdict.as_str());
    }
    match verdict {
        Verdict::Pass => Exit::Success,
        _ => Exit::Problems,
    }
}

/// `keyward --version`: the crate's version and the embedded catalogue's date.
pub fn long_version() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        format!(
            "{}\nIAM catalogue: {}",
            env!("CARGO_PKG_VERSION"),
            catalog::embedded_version()
        )
    })
}

/// `--catalogue-info`: where the IAM catalogue comes from and what it holds.
fn catalogue_info() -> Exit {
    let catalogue = catalog::get();
    outln!("source:   {}", catalogue.source);
    outln!(
        "date:     {}",
        if catalogue.date.is_empty() {
            "unknown"
        } else {
            &catalogue.date
        }
    );
    outln!("services: {}", catalogue.service_names().count());
    outln!("actions:  {}", catalogue.action_count());
    Exit::Success
}

fn discover() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .map(|dir| dir.join("keyward.toml"))
        .find(|p| p.is_file())
}

fn list_rules() -> Exit {
    let mut out = std::io::stdout().lock();
    for rule in rules::ALL {
        let info = &rule.info;
        let code = info.access_analyzer.map(|c| format!(" [{c}]")).unwrap_or_default();
        if let Err(e) = writeln!(
            out,
            "{:<40} {:<10} {}{code}",
            info.name,
            info.severity.as_str(),
            info.summary
        ) {
            super::pipe::closed(&e);
            return Exit::Failure;
        }
    }
    Exit::Success
}

fn explain(name: &str) -> Exit {
    match lint::explain::page(name) {
        Ok(page) => {
            out!("{page}");
            Exit::Success
        }
        Err(message) => {
            eprintln!("error: {message}");
            Exit::Failure
        }
    }
}
