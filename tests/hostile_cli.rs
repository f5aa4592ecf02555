//! The binary on hostile input (issue 21): each defect an adversarial run
//! found on the commands that read files, as a regression test. Each run
//! asserts the exit status, that nothing panicked, and that the output is
//! bounded; a generous timeout only stops a hang, it asserts no speed.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use keyward::crypto::keys::{KeySpec, PrivateKey};

/// Far beyond what any of these takes; only a hang reaches it.
const HANG: Duration = Duration::from_secs(300);

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Exited with `code`, printed no panic, and wrote less than `max` bytes.
    fn assert_sane(&self, code: i32, max: usize) {
        let all = self.all();
        assert!(!all.contains("panicked at"), "a panic:\n{}", head(&all));
        assert_eq!(self.code, Some(code), "{}", head(&all));
        assert!(all.len() < max, "{} bytes of output:\n{}", all.len(), head(&all));
    }
}

fn head(text: &str) -> String {
    text.chars().take(3_000).collect()
}

fn keyward(dir: &Path, args: &[&str]) -> Run {
    keyward_fed(dir, args, None)
}

/// `keyward` with `stdin` written to its standard input (none: `/dev/null`).
fn keyward_fed(dir: &Path, args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keyward runs");
    // Feed stdin on a thread; keyward may stop reading (and close it) early.
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin");
        std::thread::spawn(move || {
            let _ = std::io::Write::write_all(&mut pipe, &bytes);
        })
    });
    // Drain both pipes on threads, so a chatty child cannot block on them.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let stdout = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let stderr = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            panic!("`keyward {}` hung", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if let Some(feeder) = feeder {
        let _ = feeder.join();
    }
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout.join().expect("stdout thread")).into_owned(),
        stderr: String::from_utf8_lossy(&stderr.join().expect("stderr thread")).into_owned(),
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

const MB: usize = 1 << 20;

const REQUEST: &str = r#"{"principal": "arn:aws:iam::111122223333:root", "action": "kms:Decrypt",
  "resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}"#;

/// A 1 MB policy on one line whose problem (`Alow`) is at its very end.
fn one_line_policy() -> String {
    let statement = r#"{"Effect":"Alow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}"#;
    let head = r#"{"Version":"2012-10-17","Statement":[{"Sid":""#;
    let fill = MB - head.len() - statement.len() - 120;
    format!(
        r#"{head}{}","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:root"}},"Action":"kms:*","Resource":"*"}},{statement}]}}"#,
        "a".repeat(fill)
    )
}

/// Asserts the excerpt names the problem at its true (1-based) column.
fn assert_points_past_column_65535(run: &Run) {
    let all = run.all();
    assert!(all.contains("`Alow` is not an effect"), "{}", head(&all));
    let column: usize = all
        .split("long.json:1:")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(column > 1_000_000, "{}", head(&all));
}

#[test]
fn check_lint_and_fmt_report_a_problem_at_the_end_of_a_1_mb_line() {
    let dir = scratch("one-line");
    std::fs::write(dir.join("long.json"), one_line_policy()).expect("write");
    for command in ["check", "lint", "fmt"] {
        let run = keyward(&dir, &[command, "long.json"]);
        run.assert_sane(1, 20_000);
        assert_points_past_column_65535(&run);
    }
}

#[test]
fn simulate_reports_a_problem_at_the_end_of_a_1_mb_line() {
    let dir = scratch("simulate-one-line");
    std::fs::write(dir.join("long.json"), one_line_policy()).expect("write");
    std::fs::write(dir.join("request.json"), REQUEST).expect("write");
    let run = keyward(
        &dir,
        &["simulate", "--request", "request.json", "--key-policy", "long.json"],
    );
    run.assert_sane(2, 20_000);
    assert_points_past_column_65535(&run);
}

#[test]
fn test_reports_a_problem_at_the_end_of_a_1_mb_line_inline_or_in_a_file() {
    let dir = scratch("test-one-line");
    std::fs::write(dir.join("long.json"), one_line_policy()).expect("write");
    let case = format!(r#"[{{"name": "x", "request": {REQUEST}, "expect": "Allow"}}]"#);
    let inline = format!(r#"{{"key_policy": {}, "cases": {case}}}"#, one_line_policy());
    std::fs::write(dir.join("inline.suite.json"), inline).expect("write");
    let named = format!(r#"{{"key_policy": "long.json", "cases": {case}}}"#);
    std::fs::write(dir.join("named.suite.json"), named).expect("write");
    for suite in ["inline.suite.json", "named.suite.json"] {
        let run = keyward(&dir, &["test", suite]);
        run.assert_sane(2, 20_000);
        assert!(run.all().contains("`Alow` is not an effect"), "{}", head(&run.all()));
    }
}

#[test]
fn run_reports_problems_far_along_one_line_of_a_script_or_a_policy() {
    let dir = scratch("run-one-line");
    std::fs::write(dir.join("long.json"), one_line_policy()).expect("write");
    // A statement is at most 256 KiB; its error is 120,000 columns in.
    let script = format!(
        "lint long.json\nlet x = encrypt alias/x \"a\" context {}=\n",
        "a=b ".repeat(30_000)
    );
    std::fs::write(dir.join("long.kws"), script).expect("write");
    let run = keyward(&dir, &["run", "--keep-going", "long.kws"]);
    run.assert_sane(1, 20_000);
    let all = run.all();
    assert!(all.contains("not an effect"), "{}", head(&all));
    assert!(all.contains("[input:1:120037]"), "{}", head(&all));
}

#[test]
fn a_hundred_thousand_empty_statements_are_all_reported_in_json_and_capped_for_people() {
    let dir = scratch("many-objects");
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        vec!["{}"; 100_000].join(",")
    );
    std::fs::write(dir.join("many.json"), text).expect("write");
    let json = keyward(&dir, &["check", "--format", "json", "many.json"]);
    json.assert_sane(1, 100 * MB);
    assert_eq!(json.stdout.lines().count(), 100_000);
    let human = keyward(&dir, &["check", "many.json"]);
    human.assert_sane(1, 200_000);
    assert!(
        human.stdout.contains("… and 99,950 more problems in `many.json`"),
        "{}",
        head(&human.stdout)
    );
}

#[test]
fn forty_thousand_duplicate_keys_are_all_reported_in_json_and_capped_for_people() {
    let dir = scratch("duplicate-keys");
    let text = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*",{}}}]}}"#,
        vec![r#""Sid":"x""#; 40_000].join(",")
    );
    std::fs::write(dir.join("dup.json"), text).expect("write");
    let json = keyward(&dir, &["check", "--format", "json", "dup.json"]);
    json.assert_sane(1, 100 * MB);
    let duplicates = json
        .stdout
        .lines()
        .filter(|l| l.contains("keyward::json::duplicate-key"))
        .count();
    assert_eq!(duplicates, 39_999);
    for command in ["check", "lint"] {
        let human = keyward(&dir, &[command, "dup.json"]);
        human.assert_sane(1, 200_000);
        assert!(
            human.stdout.contains("more problems in `dup.json`"),
            "{}",
            head(&human.stdout)
        );
    }
}

#[test]
fn a_request_over_its_limit_is_refused_naming_the_limit_and_the_flag() {
    let dir = scratch("request-limit");
    let big = format!(
        r#"{{"principal": "arn:aws:iam::111122223333:root", "action": "kms:Decrypt", "encryption_context": {{"k": "{}"}}}}"#,
        "v".repeat(2 * MB)
    );
    std::fs::write(dir.join("big.json"), big).expect("write");
    std::fs::write(
        dir.join("key.json"),
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}"#,
    )
    .expect("write");
    let refused = keyward(&dir, &["simulate", "--request", "big.json", "--key-policy", "key.json"]);
    refused.assert_sane(2, 2_000);
    assert!(
        refused.stderr.contains("larger than the 1 MiB limit for requests")
            && refused.stderr.contains("--input-limit request=SIZE"),
        "{}",
        refused.stderr
    );
    // Raised, the same request is read (and then lacks a resource).
    let raised = keyward(
        &dir,
        &[
            "--input-limit",
            "request=4MiB",
            "simulate",
            "--request",
            "big.json",
            "--key-policy",
            "key.json",
        ],
    );
    assert!(!raised.all().contains("limit for requests"), "{}", head(&raised.all()));
}

#[test]
fn suites_scripts_and_policies_over_their_limits_are_refused() {
    let dir = scratch("input-limits");
    std::fs::write(
        dir.join("a.suite.json"),
        format!(r#"{{"cases": [], "x": "{}"}}"#, "x".repeat(4096)),
    )
    .expect("write");
    std::fs::write(dir.join("a.kws"), format!("# {}\n", "x".repeat(4096))).expect("write");
    std::fs::write(
        dir.join("p.json"),
        format!(r#"{{"Statement": [], "x": "{}"}}"#, "x".repeat(4096)),
    )
    .expect("write");
    let cases: [(&[&str], &str, i32); 4] = [
        (
            &["--input-limit", "suite=1KiB", "test", "a.suite.json"],
            "`--input-limit suite=SIZE`",
            2,
        ),
        (
            &["--input-limit", "script=1KiB", "run", "a.kws"],
            "`--input-limit script=SIZE`",
            2,
        ),
        (
            &["--input-limit", "policy=1KiB", "check", "p.json"],
            "--input-limit policy=SIZE",
            1,
        ),
        (
            &["--input-limit", "policy=1KiB", "lint", "p.json"],
            "--input-limit policy=SIZE",
            1,
        ),
    ];
    for (args, flag, code) in cases {
        let run = keyward(&dir, args);
        run.assert_sane(code, 4_000);
        assert!(run.all().contains(flag), "{args:?}: {}", run.all());
    }
}

#[test]
fn input_limit_and_threads_flags_refuse_nonsense() {
    let dir = scratch("flags");
    for args in [
        &["--input-limit", "bogus=1", "check", "x.json"][..],
        &["--input-limit", "policy=lots", "check", "x.json"],
        &["--input-limit", "policy=0", "check", "x.json"],
        &["encrypt-file", "--threads", "0", "--key", "alias/x", "in", "out"],
        &["encrypt-file", "--threads", "257", "--key", "alias/x", "in", "out"],
        &[
            "encrypt-file",
            "--threads",
            "18446744073709551615",
            "--key",
            "alias/x",
            "in",
            "out",
        ],
    ] {
        let run = keyward(&dir, args);
        run.assert_sane(2, 4_000);
    }
    let run = keyward(
        &dir,
        &["encrypt-file", "--threads", "100000", "--key", "alias/x", "in", "out"],
    );
    assert!(run.stderr.contains("from 1 to 256"), "{}", run.stderr);
}

/// A duplicated condition key of 1 MB: every message quoting it shows its
/// ends and its size, in every format of `check` and `lint`.
#[test]
fn a_megabyte_key_name_is_quoted_short_in_every_format() {
    let dir = scratch("huge-key");
    let key = "k".repeat(MB);
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{{"StringEquals":{{"{key}":"a","{key}":"b"}}}}}}]}}"#
    );
    std::fs::write(dir.join("key.json"), policy).expect("write");
    let runs = [
        vec!["check", "key.json"],
        vec!["check", "--format", "json", "key.json"],
        vec!["lint", "key.json"],
        vec!["lint", "--format", "json", "key.json"],
        vec!["lint", "--format", "github", "key.json"],
        vec!["lint", "--format", "sarif", "key.json"],
    ];
    for args in runs {
        let run = keyward(&dir, &args);
        run.assert_sane(1, 200_000);
        assert!(
            run.all().contains(&format!("({MB} bytes)")),
            "{args:?}: {}",
            head(&run.all())
        );
    }
}

/// A label longer than an excerpt on a wide line, in a problem reported
/// through a nested diagnostic (`simulate`'s policy errors): clipped, never
/// "Failed to read contents for label".
#[test]
fn a_long_label_on_a_wide_line_is_clipped_in_nested_reports() {
    let dir = scratch("wide-label");
    let policy = format!(
        r#"{{"Version":"2012-10-17",{}"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:root"}},"Action":"{}","Resource":"*"}}]}}"#,
        " ".repeat(70_000),
        "x".repeat(300)
    );
    std::fs::write(dir.join("wide.json"), policy).expect("write");
    std::fs::write(dir.join("request.json"), REQUEST).expect("write");
    let run = keyward(
        &dir,
        &["simulate", "--request", "request.json", "--key-policy", "wide.json"],
    );
    run.assert_sane(2, 20_000);
    let all = run.all();
    assert!(!all.contains("Failed to read contents"), "{}", head(&all));
    assert!(all.contains("wide.json:1:70"), "{}", head(&all));
}

/// `--max-findings` bounds the machine formats (1,000 per document by
/// default); the exit status still counts every finding, and the SARIF log
/// says what it left out.
#[test]
fn machine_formats_list_at_most_max_findings_per_document() {
    let dir = scratch("max-findings");
    let statements = vec!["{}"; 3_000].join(",");
    std::fs::write(
        dir.join("many.json"),
        format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#),
    )
    .expect("write");
    let lines = |run: &Run| run.stdout.lines().filter(|l| l.starts_with('{')).count();
    let default = keyward(&dir, &["lint", "--format", "json", "many.json"]);
    default.assert_sane(1, 2 * MB);
    assert_eq!(lines(&default), 1_000);
    assert!(
        default.stderr.contains("2000 more findings not listed"),
        "{}",
        default.stderr
    );
    let all = keyward(&dir, &["lint", "--format", "json", "--max-findings", "0", "many.json"]);
    assert_eq!(lines(&all), 3_000);
    let github = keyward(
        &dir,
        &["lint", "--format", "github", "--max-findings", "10", "many.json"],
    );
    github.assert_sane(1, MB);
    assert_eq!(github.stdout.lines().filter(|l| l.starts_with("::error")).count(), 10);
    assert!(
        github.stdout.contains("2990 more findings not listed"),
        "{}",
        head(&github.stdout)
    );
    let sarif = keyward(
        &dir,
        &["lint", "--format", "sarif", "--max-findings", "10", "many.json"],
    );
    sarif.assert_sane(1, MB);
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("SARIF is JSON");
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(10));
    let note = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"];
    assert!(note.as_str().is_some_and(|t| t.starts_with("2990 findings")), "{note}");
}

/// `lint --catalogue` reads the catalogue under its own input limit.
#[test]
fn a_catalogue_over_its_limit_is_refused_naming_the_flag() {
    let dir = scratch("catalogue-limit");
    std::fs::write(dir.join("big.json"), " ".repeat(2 * MB)).expect("write");
    std::fs::write(dir.join("p.json"), r#"{"Version":"2012-10-17","Statement":[]}"#).expect("write");
    let run = keyward(
        &dir,
        &[
            "--input-limit",
            "catalogue=1MiB",
            "lint",
            "--catalogue",
            "big.json",
            "p.json",
        ],
    );
    run.assert_sane(2, 10_000);
    assert!(run.stderr.contains("--input-limit catalogue=SIZE"), "{}", run.stderr);
}

/// Asserts the run was refused (exit 2) for a `param` input over its limit.
fn assert_param_refused(run: &Run, args: &[&str], limit: &str) {
    run.assert_sane(2, 4_000);
    let all = run.all();
    assert!(
        all.contains(&format!("larger than the {limit} limit for parameter files"))
            && all.contains("--input-limit param=SIZE"),
        "{args:?}: {all}"
    );
}

#[test]
fn kms_parameter_files_over_their_limit_are_refused_naming_the_limit_and_the_flag() {
    let dir = scratch("param-limit");
    std::fs::write(dir.join("big"), vec![b'a'; 4096]).expect("write");
    std::fs::write(dir.join("big.json"), format!(r#"{{"KeyId": "{}"}}"#, "k".repeat(4096))).expect("write");
    let cases: [&[&str]; 7] = [
        &["encrypt", "--key-id", "alias/k", "--plaintext", "fileb://big"],
        &["encrypt", "--key-id", "alias/k", "--plaintext", "file://big"],
        &["kms", "encrypt", "--key-id", "alias/k", "--plaintext", "fileb://big"],
        &["kms", "encrypt", "--cli-input-json", "file://big.json"],
        &["kms", "put-key-policy", "--key-id", "k", "--policy", "file://big.json"],
        &["kms", "describe-key", "--key-id", "file://big"],
        &["import-wrap", "--public-key", "big", "--material", "big"],
    ];
    for args in cases {
        let mut all = vec!["--ephemeral", "--input-limit", "param=1KiB"];
        all.extend_from_slice(args);
        assert_param_refused(&keyward(&dir, &all), args, "1 KiB");
    }
    // The material of import-wrap, after a public key that is read.
    let private = PrivateKey::generate(KeySpec::Rsa2048).expect("an RSA key");
    std::fs::write(dir.join("pub.b64"), private.public_key().to_der()).expect("write");
    let args = [
        "--input-limit",
        "param=1KiB",
        "import-wrap",
        "--public-key",
        "pub.b64",
        "--material",
        "big",
    ];
    assert_param_refused(&keyward(&dir, &args), &args, "1 KiB");
}

#[test]
fn a_plaintext_on_stdin_over_the_default_limit_is_refused_and_one_within_it_is_read() {
    let dir = scratch("param-stdin");
    let args = ["--ephemeral", "encrypt", "--key-id", "alias/none", "--plaintext", "-"];
    let refused = keyward_fed(&dir, &args, Some(vec![b'p'; 2 * MB]));
    assert_param_refused(&refused, &args, "1 MiB");
    // Within the limit, stdin is read and the call goes on to find no key.
    let read = keyward_fed(&dir, &args, Some(b"secret".to_vec()));
    assert!(!read.all().contains("parameter files"), "{}", read.all());
    assert!(read.all().contains("NotFoundException"), "{}", read.all());
}

/// An AWS Encryption SDK v2 header (suite 0x0478, no encryption context)
/// that claims `count` encrypted data keys and holds `held` of them, each
/// with `info` bytes of provider info; `complete` adds the content type,
/// frame length, commitment and tag that end a header. Layout: the SDK's
/// message format reference, "Header structure"
/// (<https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/message-format.html#header-structure>).
fn esdk_header(count: u16, held: u16, info: u16, complete: bool) -> Vec<u8> {
    let mut out = vec![2u8];
    out.extend_from_slice(&0x0478u16.to_be_bytes());
    out.extend_from_slice(&[0x11; 32]);
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(&count.to_be_bytes());
    for _ in 0..held {
        out.extend_from_slice(&7u16.to_be_bytes());
        out.extend_from_slice(b"aws-kms");
        out.extend_from_slice(&info.to_be_bytes());
        out.extend(std::iter::repeat_n(b'a', usize::from(info)));
        out.extend_from_slice(&4u16.to_be_bytes());
        out.extend_from_slice(b"blob");
    }
    if complete {
        out.push(2);
        out.extend_from_slice(&4096u32.to_be_bytes());
        out.extend_from_slice(&[0; 32 + 16]);
    }
    out
}

/// The refusal names the input (`<stdin>` for `-`), the limit and its flag.
fn assert_header_limit_named(run: &Run, input: &str, limit: &str) {
    run.assert_sane(1, 4_000);
    assert!(
        run.stderr.contains(&format!("cannot decrypt `{input}`: "))
            && run
                .stderr
                .contains(&format!("header is larger than the {limit} limit for envelope headers"))
            && run.stderr.contains("--input-limit envelope-header=SIZE"),
        "{}",
        run.stderr
    );
}

/// `decrypt-file` reads a message header under the `envelope-header` input
/// limit (1 MiB): a header of 20 keys of 64 KiB each (1.3 MB) is refused,
/// from a file or from stdin, before anything is decrypted or written.
#[test]
fn an_envelope_header_over_its_limit_is_refused_naming_the_limit_and_the_flag() {
    let dir = scratch("envelope-header-limit");
    let header = esdk_header(20, 20, u16::MAX, true);
    assert!(header.len() > MB);
    std::fs::write(dir.join("big.esdk"), &header).expect("write");
    let from_file = keyward(&dir, &["--ephemeral", "decrypt-file", "big.esdk", "out"]);
    assert_header_limit_named(&from_file, "big.esdk", "1 MiB");
    let args = ["--ephemeral", "decrypt-file", "-", "out"];
    let from_stdin = keyward_fed(&dir, &args, Some(header.clone()));
    assert_header_limit_named(&from_stdin, "<stdin>", "1 MiB");
    assert!(!dir.join("out").exists());
    // Raised, the header is read and its 20 keys are refused: the message
    // names a few of them, each quoted short.
    let raised = keyward(
        &dir,
        &[
            "--ephemeral",
            "--input-limit",
            "envelope-header=4MiB",
            "decrypt-file",
            "big.esdk",
            "out",
        ],
    );
    raised.assert_sane(1, 4_000);
    assert!(
        !raised.stderr.contains("limit for envelope headers"),
        "{}",
        raised.stderr
    );
    assert!(
        raised
            .stderr
            .contains("no key of the file lets you decrypt its data key")
            && raised.stderr.contains("(65535 bytes)")
            && raised.stderr.contains("and 12 more"),
        "{}",
        raised.stderr
    );
}

/// A header whose lengths claim far more than the file holds (65,535 keys
/// of 64 KiB; a keyward envelope context of 4 GiB) ends as a cut-short or
/// malformed message, at once and without reserving what it claims.
#[test]
fn an_envelope_header_claiming_a_huge_size_is_refused_as_cut_short_or_malformed() {
    let dir = scratch("envelope-header-claims");
    let mut claims = esdk_header(u16::MAX, 1, u16::MAX, false);
    claims.truncate(claims.len() - 60_000);
    std::fs::write(dir.join("claims.esdk"), &claims).expect("write");
    let run = keyward(&dir, &["--ephemeral", "decrypt-file", "claims.esdk", "out"]);
    run.assert_sane(1, 4_000);
    assert!(run.stderr.contains("cut short"), "{}", run.stderr);

    let mut keyward_format = b"KWEF\x01\x01".to_vec();
    keyward_format.extend_from_slice(&[0x22; 32]);
    keyward_format.extend_from_slice(&65_536u32.to_be_bytes());
    keyward_format.extend_from_slice(&u32::MAX.to_be_bytes());
    keyward_format.extend_from_slice(&[b'x'; 100]);
    std::fs::write(dir.join("claims.kwe"), &keyward_format).expect("write");
    let run = keyward(&dir, &["--ephemeral", "decrypt-file", "claims.kwe", "out"]);
    run.assert_sane(1, 4_000);
    assert!(
        run.stderr.contains("the encryption context is over 64 KiB"),
        "{}",
        run.stderr
    );
    assert!(!dir.join("out").exists());
}

/// A malformed header, in either format, is refused naming the file it was
/// read from, or `<stdin>`, as other inputs are; nothing is written.
#[test]
fn a_malformed_envelope_header_is_refused_naming_its_file_or_standard_input() {
    let dir = scratch("envelope-header-named");
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("hello.txt", b"hello".to_vec(), "is not an AWS Encryption SDK message"),
        ("cut.esdk", esdk_header(1, 0, 0, false), "cut short"),
        ("v9.kwe", b"KWEF\x09".to_vec(), "format version 9"),
        ("empty", Vec::new(), "is not an AWS Encryption SDK message"),
    ];
    for (name, bytes, reason) in cases {
        std::fs::write(dir.join(name), &bytes).expect("write");
        let from_file = keyward(&dir, &["--ephemeral", "decrypt-file", name, "out"]);
        from_file.assert_sane(1, 4_000);
        assert!(
            from_file.stderr.contains(&format!("cannot decrypt `{name}`: ")) && from_file.stderr.contains(reason),
            "{name}: {}",
            from_file.stderr
        );
        let from_stdin = keyward_fed(&dir, &["--ephemeral", "decrypt-file", "-", "out"], Some(bytes));
        from_stdin.assert_sane(1, 4_000);
        assert!(
            from_stdin.stderr.contains("cannot decrypt `<stdin>`: ") && from_stdin.stderr.contains(reason),
            "{name} on stdin: {}",
            from_stdin.stderr
        );
        assert!(!dir.join("out").exists(), "{name}");
    }
}

/// A limit lowered below a real file's header refuses that file, in either
/// format, and the default limit opens it.
#[test]
fn a_real_header_over_a_lowered_limit_is_refused_and_opens_under_the_default() {
    let dir = scratch("envelope-header-lowered");
    let state = dir.join("state").display().to_string();
    let created = keyward(&dir, &["--state", &state, "--output", "text", "key", "create"]);
    created.assert_sane(0, 4_000);
    let key = created.stdout.split('\t').nth(1).expect("a key ARN").trim().to_owned();
    std::fs::write(dir.join("plain"), b"hostile but honest").expect("write");
    for format in ["sdk", "keyward"] {
        let sealed = format!("sealed.{format}");
        let run = keyward(
            &dir,
            &[
                "--state",
                &state,
                "encrypt-file",
                "--format",
                format,
                "--key",
                &key,
                "--context",
                "purpose=limits",
                "plain",
                &sealed,
            ],
        );
        run.assert_sane(0, 4_000);
        let lowered = keyward(
            &dir,
            &[
                "--state",
                &state,
                "--input-limit",
                "envelope-header=256",
                "decrypt-file",
                &sealed,
                "opened",
            ],
        );
        assert_header_limit_named(&lowered, &sealed, "256 bytes");
        let opened = keyward(&dir, &["--state", &state, "decrypt-file", &sealed, "opened"]);
        opened.assert_sane(0, 4_000);
        assert_eq!(
            std::fs::read(dir.join("opened")).expect("opened"),
            b"hostile but honest"
        );
        std::fs::remove_file(dir.join("opened")).expect("remove");
    }
}

/// An accounts file is read under its own limit, and refused as what it is.
#[test]
fn an_accounts_file_over_its_limit_is_refused_as_an_accounts_file_naming_the_flag() {
    let dir = scratch("accounts-limit");
    std::fs::write(
        dir.join("accounts.json"),
        format!("{{\"x\": \"{}\"}}", "x".repeat(4096)),
    )
    .expect("write");
    let run = keyward(
        &dir,
        &[
            "--ephemeral",
            "--input-limit",
            "accounts=1KiB",
            "--accounts",
            "accounts.json",
            "key",
            "list",
        ],
    );
    run.assert_sane(2, 4_000);
    // miette wraps the message (and may break the flag at its hyphen).
    let squeezed = |text: &str| {
        text.chars()
            .filter(|c| !c.is_whitespace() && *c != '│')
            .collect::<String>()
    };
    let stderr = squeezed(&run.stderr);
    assert!(
        stderr.contains(&squeezed("cannot read accounts file `accounts.json`"))
            && stderr.contains(&squeezed("--input-limit accounts=SIZE"))
            && !stderr.contains("suite"),
        "{}",
        run.stderr
    );
}

/// A script whose statement opens an object on each of 200,000 lines is
/// joined in one pass (it took minutes for 40,000 lines when each line
/// rescanned the whole statement), then refused for its length.
#[test]
fn a_script_that_opens_an_object_on_every_line_is_joined_in_one_pass() {
    let dir = scratch("script-open-lines");
    let script = format!("key create policy {{\n{}key list\n", "{\n".repeat(200_000));
    std::fs::write(dir.join("deep.kws"), script).expect("write");
    let run = keyward(&dir, &["--ephemeral", "run", "deep.kws"]);
    run.assert_sane(1, 4_000);
    assert!(run.all().contains("at most 262144 are read"), "{}", head(&run.all()));
}

/// `keyward repl` fed by a pipe reads each line under the statement limit:
/// an 8 MiB line is refused as one statement, and the next one runs.
#[test]
fn a_huge_line_piped_to_the_repl_is_refused_and_the_session_goes_on() {
    let dir = scratch("repl-piped");
    let mut input = b"key create\n".to_vec();
    input.extend(std::iter::repeat_n(b'a', 8 * MB));
    input.extend_from_slice(
        br#"
key create policy {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]
}
key list
"#,
    );
    let run = keyward_fed(&dir, &["--ephemeral", "repl", "--no-history"], Some(input));
    run.assert_sane(0, 8_000);
    assert!(
        run.stderr
            .contains("the statement is 8388608 bytes long; at most 262144 are read"),
        "{}",
        head(&run.all())
    );
    // Two keys made (the second over three lines), both listed.
    assert_eq!(run.stdout.matches("Enabled").count(), 4, "{}", head(&run.all()));
}
