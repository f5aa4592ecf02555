//! What every command's output promises, through the real binary: `--help`
//! snapshots for every command, a closed pipe ends quietly, long lines are
//! excerpted (output grows with findings, not line length), a locked state
//! says so and `--lock-timeout` bounds the wait, completions and the man
//! page, and the JSON answers match the schemas in `docs/schemas/`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn keyward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("keyward runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-output-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The subcommands a `--help` lists under `Commands:`.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .filter(|line| !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Every command's `--help`, one snapshot each. `keyward kms`'s operations
/// are generated from the API model: one of them stands for all.
#[test]
fn help_of_every_command_is_snapshotted() {
    let mut queue: Vec<Vec<String>> = vec![vec![]];
    let mut seen = 0;
    while let Some(path) = queue.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = keyward(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let help = text(&out.stdout);
        let name = if path.is_empty() {
            "help".to_owned()
        } else {
            format!("help-{}", path.join("-"))
        };
        // `keyward kms` lists the operations of the registry, which grows:
        // `every_served_operation_is_a_subcommand` checks that list.
        let shown = if path == ["kms"] {
            let mut operations = subcommands(&help);
            operations.push("help".into());
            help.lines()
                .filter(|line| {
                    !operations
                        .iter()
                        .any(|op| line.trim_start().starts_with(&format!("{op} ")))
                })
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            help.clone()
        };
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, shown);
        });
        seen += 1;
        if path == ["kms"] {
            queue.push(vec!["kms".into(), "encrypt".into()]);
            continue;
        }
        for sub in subcommands(&help) {
            let mut next = path.clone();
            next.push(sub);
            queue.push(next);
        }
    }
    assert!(seen > 20, "only {seen} commands found");
}

/// Runs `args` with stdout a pipe whose reader has already gone.
fn into_a_closed_pipe(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keyward runs");
    drop(child.stdout.take());
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    let status = child.wait().expect("keyward finishes");
    Output {
        status,
        stdout: Vec::new(),
        stderr: stderr.into_bytes(),
    }
}

#[test]
fn a_closed_pipe_ends_quietly_with_status_0() {
    let cases: [&[&str]; 4] = [
        &["test", "--format", "json", "policies/eval"],
        &["test", "policies/eval"],
        &["lint", "--format", "json", "policies/lint"],
        &["kms", "--ephemeral", "generate-random", "--number-of-bytes", "16"],
    ];
    for args in cases {
        let out = into_a_closed_pipe(args);
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0 | 1) | None),
            "{args:?}: {:?} {stderr}",
            out.status
        );
    }
}

/// A 50 KB policy on one line with two errors, as a minifier writes it.
fn minified_policy_with_two_errors() -> String {
    let statements: Vec<String> = (0..400)
        .map(|i| {
            let effect = if i == 200 { "Efect" } else { "Effect" };
            format!(
                r#"{{"Sid":"S{i}","{effect}":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:root"}},"Action":"kms:Decrypt","Resource":"*"}}"#
            )
        })
        .collect();
    format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","))
}

#[test]
fn diagnostics_of_a_long_line_are_excerpts_for_every_command() {
    let dir = scratch("long-line");
    let policy = minified_policy_with_two_errors();
    assert!(policy.len() > 45_000 && !policy.contains('\n'));
    let path = dir.join("minified.json");
    std::fs::write(&path, &policy).expect("write");
    let request = dir.join("request.json");
    std::fs::write(
        &request,
        r#"{"principal": "arn:aws:iam::111122223333:root", "action": "kms:Decrypt", "resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}"#,
    )
    .expect("write");
    let suite = dir.join("long.suite.json");
    std::fs::write(
        &suite,
        r#"{"key_policy": "minified.json", "cases": [{"name": "root", "request": {"principal": "arn:aws:iam::111122223333:root", "action": "kms:Decrypt"}, "expect": "Allow"}]}"#,
    )
    .expect("write");
    let file = path.to_str().expect("a path");
    let runs: [Vec<&str>; 5] = [
        vec!["check", file],
        vec!["lint", file],
        vec!["fmt", file],
        vec![
            "simulate",
            "--request",
            request.to_str().expect("a path"),
            "--key-policy",
            file,
        ],
        vec!["test", suite.to_str().expect("a path")],
    ];
    for args in runs {
        let out = keyward(&args);
        let all = text(&out.stdout) + &text(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{args:?} found nothing: {all}");
        assert!(all.contains("Efect"), "{args:?}: {all}");
        assert!(
            all.len() < 8_000,
            "{args:?} printed {} bytes for one finding",
            all.len()
        );
    }
}

#[test]
fn a_locked_state_says_who_holds_it_and_lock_timeout_ends_the_wait() {
    let dir = scratch("locked");
    let state = dir.to_str().expect("a path");
    let created = keyward(&["--state", state, "kms", "create-key"]);
    assert_eq!(created.status.code(), Some(0), "{}", text(&created.stderr));
    // This process has the state open, as a `keyward serve` would, and
    // holds its write lock.
    let store = keyward::store::SqliteStore::open(&dir).expect("the state");
    let holder = rusqlite::Connection::open(dir.join("keyward.db")).expect("the database");
    holder.execute_batch("BEGIN EXCLUSIVE").expect("a write lock");
    let out = keyward(&["--state", state, "--lock-timeout", "1.5", "kms", "list-keys"]);
    holder.execute_batch("COMMIT").expect("commit");
    drop(store);
    let stderr = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    let program = std::env::current_exe().expect("the test program");
    let program = program.file_name().expect("a name").to_string_lossy();
    // The holder is named by its program and, when it has one, its first
    // argument (a test filter here).
    let holder = format!("is locked by process {} ({program}", std::process::id());
    assert!(stderr.contains(&holder), "{holder:?} in {stderr}");
    assert!(stderr.contains("--lock-timeout"), "{stderr}");
}

#[test]
fn completions_and_the_man_page_come_from_the_command_definition() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef keyward"),
        ("fish", "complete -c keyward"),
    ] {
        let out = keyward(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell}: {}", &script[..script.len().min(300)]);
        assert!(
            script.contains("generate-data-key"),
            "{shell} completes `kms` operations"
        );
    }
    let man = text(&keyward(&["man"]).stdout);
    assert!(
        man.starts_with(".ie") || man.contains(".TH keyward"),
        "{}",
        &man[..man.len().min(300)]
    );
}

fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schemas").join(name);
    let text = std::fs::read_to_string(&path).expect("the documented schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("a JSON schema");
    jsonschema::validator_for(&schema).expect("a valid schema")
}

fn assert_valid(validator: &jsonschema::Validator, value: &serde_json::Value, what: &str) {
    let errors: Vec<String> = validator.iter_errors(value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{what}: {errors:?}\n{value}");
}

#[test]
fn json_answers_match_the_documented_schemas() {
    let lint = schema("lint-finding.schema.json");
    let out = keyward(&["lint", "--format", "json", "policies/lint"]);
    let mut lines = 0;
    for line in text(&out.stdout).lines() {
        assert_valid(&lint, &serde_json::from_str(line).expect("a JSON line"), "lint");
        lines += 1;
    }
    assert!(lines > 10);
    let check = text(&keyward(&["check", "--format", "json", "policies/invalid"]).stdout);
    for line in check.lines() {
        assert_valid(&lint, &serde_json::from_str(line).expect("a JSON line"), "check");
    }
    let test = schema("test-case.schema.json");
    let out = keyward(&["test", "--format", "json", "policies/eval"]);
    for line in text(&out.stdout).lines() {
        assert_valid(&test, &serde_json::from_str(line).expect("a JSON line"), "test");
    }
    let simulate = schema("simulate.schema.json");
    let dir = scratch("schemas");
    let request = dir.join("request.json");
    std::fs::write(
        &request,
        r#"{"principal": "arn:aws:iam::111122223333:role/app", "action": "kms:Decrypt", "resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}"#,
    )
    .expect("write");
    for explain in [false, true] {
        let mut args = vec![
            "simulate",
            "--format",
            "json",
            "--request",
            request.to_str().expect("a path"),
            "--key-policy",
            "policies/lint/key-lockout.good.json",
        ];
        if explain {
            args.push("--explain");
        }
        let out = keyward(&args);
        let answer: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_valid(&simulate, &answer, "simulate");
    }
}

#[test]
fn the_pre_commit_hook_runs_on_policy_files_only() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"))
        .expect("the hook definition");
    let hooks = yaml_rust2::YamlLoader::load_from_str(&text).expect("YAML");
    let files = hooks[0][0]["files"].as_str().expect("a `files:` filter");
    let filter = regex::Regex::new(files).expect("a regex pre-commit can use");
    for policy in [
        "policies/key.json",
        "infra/policies/app/role.json",
        "app.policy.json",
        "db.grants.json",
    ] {
        assert!(filter.is_match(policy), "{policy}");
    }
    for other in [
        "package.json",
        "tsconfig.json",
        "src/fixtures/data.json",
        ".vscode/settings.json",
    ] {
        assert!(!filter.is_match(other), "{other}");
    }
}
