//! The REPL's language and sessions, without a terminal: statements through
//! `Session::execute` into a buffer, scripts through `run_script`, and every
//! example session in `policies/sessions/` as a snapshot of its transcript.

use keyward::repl::{run_script, Options, ReplError, ScriptOptions, Session, Statement};
use miette::Diagnostic;

fn session() -> Session {
    Session::new(Options::default()).expect("an ephemeral session")
}

/// Runs lines in one session; returns what they printed, failing on any error.
fn run(session: &mut Session, lines: &[&str]) -> String {
    let mut out = Vec::new();
    for line in lines {
        if let Err(e) = session.run_line(line, &mut out) {
            panic!("`{line}` failed: {e}\n{}", String::from_utf8_lossy(&out));
        }
    }
    String::from_utf8(out).expect("UTF-8 output")
}

fn error(session: &mut Session, line: &str) -> ReplError {
    match session.run_line(line, &mut Vec::new()) {
        Err(e) => e,
        Ok(outcome) => panic!("`{line}` should fail, but came out {outcome:?}"),
    }
}

fn help(e: &ReplError) -> String {
    e.help().map(|h| h.to_string()).unwrap_or_default()
}

fn code(e: &ReplError) -> String {
    e.code().map(|c| c.to_string()).unwrap_or_default()
}

/// The text a diagnostic's first label underlines in `line`.
fn underlined<'a>(e: &ReplError, line: &'a str) -> &'a str {
    let label = e.labels().and_then(|mut l| l.next()).expect("a label");
    &line[label.offset()..label.offset() + label.len()]
}

fn script(session: &mut Session, text: &str, keep_going: bool) -> (keyward::repl::ScriptSummary, String) {
    let mut out = Vec::new();
    let options = ScriptOptions {
        echo: true,
        keep_going,
        colour: false,
    };
    let summary = run_script(session, text.as_bytes(), options, &mut out).expect("a readable script");
    (summary, String::from_utf8(out).expect("UTF-8 output"))
}

#[test]
fn a_kept_ciphertext_decrypts_by_name_under_its_context() {
    let mut s = session();
    let out = run(
        &mut s,
        &[
            "let k = key create",
            "alias create alias/app $k",
            r#"let ct = encrypt alias/app "hello" context dept=eng"#,
            "decrypt $ct context dept=eng",
        ],
    );
    assert!(out.contains("plaintext: hello"), "{out}");
    let wrong = error(&mut s, "decrypt $ct context dept=ops");
    assert!(wrong.to_string().contains("InvalidCiphertextException"), "{wrong}");
}

#[test]
fn a_mistyped_command_is_underlined_with_a_suggestion() {
    let line = r#"encrpyt alias/app "hello""#;
    let e = error(&mut session(), line);
    assert_eq!(code(&e), "keyward::repl::syntax");
    assert_eq!(underlined(&e, line), "encrpyt");
    assert_eq!(help(&e), "did you mean `encrypt`?");
}

#[test]
fn a_mistyped_subcommand_gets_a_suggestion() {
    let line = "key creat";
    let e = error(&mut session(), line);
    assert_eq!(underlined(&e, line), "creat");
    assert_eq!(help(&e), "did you mean `create`?");
}

#[test]
fn an_unknown_name_suggests_a_kept_one() {
    let mut s = session();
    run(&mut s, &["let key = key create", "let cipher = encrypt $key secret"]);
    let line = "decrypt $ciphre";
    let e = error(&mut s, line);
    assert_eq!(code(&e), "keyward::repl::invalid-value");
    assert_eq!(underlined(&e, line), "$ciphre");
    assert_eq!(help(&e), "did you mean `$cipher`?");
    let e = error(&mut s, "decrypt $x");
    assert_eq!(help(&e), "the results kept are `cipher` and `key`");
}

#[test]
fn an_unknown_principal_suggests_a_name_from_the_accounts_file() {
    let mut s = session();
    run(&mut s, &["accounts policies/sessions/accounts.json"]);
    let line = "as analist";
    let e = error(&mut s, line);
    assert_eq!(underlined(&e, line), "analist");
    assert_eq!(help(&e), "did you mean `analyst`?");
}

#[test]
fn a_result_of_the_wrong_kind_is_refused_where_it_is_used() {
    let mut s = session();
    run(&mut s, &["let k = key create", "let ct = encrypt $k secret"]);
    let line = "encrypt $ct secret";
    let e = error(&mut s, line);
    assert_eq!(underlined(&e, line), "$ct");
    assert!(e.to_string().contains("a ciphertext, not a key"), "{e}");
}

#[test]
fn unterminated_strings_and_json_are_diagnosed_not_panicked_on() {
    let mut s = session();
    let e = error(&mut s, r#"encrypt alias/app "hello"#);
    assert_eq!(e.to_string(), "unterminated string");
    let e = error(&mut s, "key create policy {\"Version\": ");
    assert_eq!(e.to_string(), "unclosed JSON object");
}

#[test]
fn a_huge_line_is_refused() {
    let line = format!("encrypt alias/app {}", "x".repeat(keyward::repl::MAX_LINE_BYTES));
    let e = error(&mut session(), &line);
    assert_eq!(code(&e), "keyward::repl::failed");
}

#[test]
fn a_data_key_plaintext_is_printed_only_when_asked() {
    let mut s = session();
    let out = run(
        &mut s,
        &["let k = key create", "let dk = generate-data-key $k", "show $dk"],
    );
    assert!(!out.contains("plaintext: "), "{out}");
    let shown = run(&mut s, &["show $dk plaintext"]);
    assert!(shown.contains("plaintext: "), "{shown}");
}

#[test]
fn a_policy_pasted_over_several_lines_is_one_statement() {
    let text = r#"
let k = key create policy {
  "Version": "2012-10-17",
  "Statement": [{"Sid": "Root", "Effect": "Allow",
                 "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                 "Action": "kms:*", "Resource": "*"}]
}
policy get $k
"#;
    let (summary, out) = script(&mut session(), text, false);
    assert_eq!(summary.failures, 0, "{out}");
    assert_eq!(summary.statements, 2);
    assert!(out.contains(r#""Sid": "Root""#), "{out}");
}

#[test]
fn a_script_stops_at_the_first_failure_unless_told_to_keep_going() {
    let text = "let k = key create\nkey describe alias/missing\nkey describe $k\n";
    let (summary, out) = script(&mut session(), text, false);
    assert_eq!((summary.statements, summary.failures), (2, 1), "{out}");
    assert!(out.contains("stopped at line 2"), "{out}");
    let (summary, _) = script(&mut session(), text, true);
    assert_eq!((summary.statements, summary.failures), (3, 1));
}

#[test]
fn a_statement_that_does_not_parse_counts_among_the_statements_run() {
    // `keyward run` said "1 of 0 statements failed" for a script of one mistyped line.
    let (summary, out) = script(&mut session(), "let k = key create\nencrpyt $k hi\nkey list\n", false);
    assert_eq!((summary.statements, summary.failures), (2, 1), "{out}");
    let (summary, out) = script(&mut session(), "oops\n", true);
    assert_eq!((summary.statements, summary.failures), (1, 1), "{out}");
}

#[test]
fn alias_and_grant_lists_show_every_page_not_only_the_first_hundred() {
    let mut s = session();
    // A key holds at most 50 aliases: three keys hold the 120.
    run(
        &mut s,
        &["let k = key create", "let k1 = key create", "let k2 = key create"],
    );
    let statements: Vec<String> = (0..120)
        .flat_map(|i| {
            [
                format!("alias create alias/a{i:03} $k{}", ["", "1", "2"][i % 3]),
                format!("grant create $k to arn:aws:iam::111122223333:role/r{i:03} ops Decrypt"),
            ]
        })
        .collect();
    run(&mut s, &statements.iter().map(String::as_str).collect::<Vec<_>>());
    let aliases = run(&mut s, &["alias list"]);
    assert_eq!(
        aliases
            .lines()
            .filter(|l| l.starts_with("alias/a") && !l.starts_with("alias/aws/"))
            .count(),
        120,
        "{aliases}"
    );
    assert!(aliases.contains("alias/a119 -> key"), "{aliases}");
    // AWS managed aliases are listed before their key exists (ListAliases), and say so.
    assert!(
        aliases.contains("alias/aws/s3 (no key until its first use)\n"),
        "{aliases}"
    );
    let grants = run(&mut s, &["grant list $k"]);
    assert_eq!(
        grants.lines().filter(|l| l.starts_with("grant ")).count(),
        120,
        "{grants}"
    );
    assert!(grants.contains("role/r119 to Decrypt"), "{grants}");
}

#[test]
fn expect_lines_turn_failures_into_checks() {
    let text = "key describe alias/missing\nexpect error\nlet k = key create\nexpect allow\n";
    let (summary, out) = script(&mut session(), text, false);
    assert_eq!((summary.expectations, summary.failures), (2, 0), "{out}");
    let (summary, out) = script(&mut session(), "let k = key create\nexpect deny\n", false);
    assert_eq!(summary.failures, 1, "{out}");
    assert!(
        out.contains("expected `deny`, but the statement before came out `allow`"),
        "{out}"
    );
}

#[test]
fn simulate_denies_without_failing_and_expect_sees_the_decision() {
    let text = "accounts policies/sessions/accounts.json\nlet k = key create\nsimulate kms:Decrypt on $k as app\nexpect deny\nsimulate Decrypt on $k as admin\nexpect allow\n";
    let (summary, out) = script(&mut session(), text, false);
    assert_eq!(summary.failures, 0, "{out}");
    assert!(out.contains("decision: ImplicitDeny"), "{out}");
}

#[test]
fn a_script_that_is_not_utf8_is_refused_naming_the_line() {
    let mut out = Vec::new();
    let e = run_script(
        &mut session(),
        b"key list\nkey \xff list\n",
        ScriptOptions::default(),
        &mut out,
    )
    .expect_err("refused");
    assert_eq!(e.to_string(), "line 2 is not UTF-8");
}

#[test]
fn moving_the_clock_past_a_deletion_window_deletes_the_key() {
    let mut s = session();
    run(
        &mut s,
        &[
            "let k = key create",
            "key schedule-deletion $k days 7",
            "clock advance 7d",
        ],
    );
    let e = error(&mut s, "key describe $k");
    assert!(e.to_string().contains("NotFoundException"), "{e}");
}

#[test]
fn explain_underlines_the_deciding_statement_of_the_last_call() {
    let mut s = session();
    let out = run(&mut s, &["let k = key create", "encrypt $k hello", "explain"]);
    assert!(out.contains("`Enable IAM User Permissions` allows"), "{out}");
}

#[test]
fn call_runs_any_operation_of_the_json_api() {
    let mut s = session();
    run(&mut s, &["let k = key create", "alias create alias/x $k"]);
    let out = run(&mut s, &[r#"call DescribeKey {"KeyId": "alias/x"}"#]);
    assert!(out.contains(r#""KeyState": "Enabled""#), "{out}");
    let e = error(&mut s, "call DescribeKy {}");
    assert_eq!(help(&e), "did you mean `DescribeKey`?");
}

#[test]
fn a_state_directory_keeps_keys_between_sessions_and_is_shared_while_they_run() {
    let dir = std::env::temp_dir().join(format!("keyward-repl-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let options = || Options {
        state: Some(dir.clone()),
        ..Options::default()
    };
    let mut first = Session::new(options()).expect("a session");
    run(&mut first, &["let k = key create", "alias create alias/kept $k"]);
    let mut beside = Session::new(options()).expect("a second session on the same directory");
    let out = run(&mut beside, &["alias list"]);
    assert!(out.contains("alias/kept"), "{out}");
    run(&mut beside, &["let k2 = key create", "alias create alias/also $k2"]);
    drop(beside);
    let out = run(&mut first, &["alias list"]);
    assert!(out.contains("alias/also"), "{out}");
    drop(first);
    let mut second = Session::new(options()).expect("a session");
    let out = run(&mut second, &["alias list"]);
    assert!(out.contains("alias/kept") && out.contains("alias/also"), "{out}");
    drop(second);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn blank_and_comment_lines_parse_to_nothing() {
    assert!(Statement::parse("").unwrap().is_none());
    assert!(Statement::parse("   # a comment").unwrap().is_none());
}

/// Random values redacted: key ids, material and grant ids and tokens,
/// ciphertexts and data keys in base64.
fn redact(transcript: &str) -> String {
    let rules = [
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[KEY-ID]",
        ),
        (r"\b[0-9a-f]{64}\b", "[ID]"),
        (r"[A-Za-z0-9+/]{40,}={0,2}", "[BASE64]"),
    ];
    let mut text = transcript.to_owned();
    for (pattern, replacement) in rules {
        text = regex::Regex::new(pattern)
            .expect("a pattern")
            .replace_all(&text, replacement)
            .into_owned();
    }
    text
}

#[test]
fn example_sessions() {
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::glob!("../policies/sessions", "*.kws", |path| {
            let bytes = std::fs::read(path).expect("a session script");
            let mut out = Vec::new();
            let options = ScriptOptions { echo: true, keep_going: false, colour: false };
            let summary = run_script(&mut session(), &bytes, options, &mut out).expect("readable");
            let transcript = String::from_utf8(out).expect("UTF-8");
            assert_eq!(summary.failures, 0, "{}:\n{transcript}", path.display());
            insta::assert_snapshot!(redact(&transcript));
        });
    });
}

proptest::proptest! {
    #![proptest_config(crate::proptest_config::config(regressions!("repl_lines")))]

    /// Any line, however odd, is a statement or a diagnostic; running it is
    /// a result or an error, never a panic.
    #[test]
    fn no_line_panics_the_reader_or_the_session(line in "(let x = )?(key|encrypt|decrypt|grant|simulate|clock|as|\"|\\{|\\$)?[ -~\u{80}-\u{10ffff}\t\n]{0,40}") {
        let mut s = session();
        let _ = s.run_line(&line, &mut Vec::new());
    }
}

#[test]
fn completion_words_name_keys_aliases_principals_and_results_without_auditing() {
    let mut s = session();
    run(
        &mut s,
        &[
            "accounts policies/sessions/accounts.json",
            "let k = key create",
            "alias create alias/app $k",
        ],
    );
    let before = run(&mut s, &["audit 100"]).lines().count();
    let words = s.completions();
    for word in ["alias/app", "analyst", "$k"] {
        assert!(words.iter().any(|w| w == word), "{word} in {words:?}");
    }
    let after = run(&mut s, &["audit 100"]).lines().count();
    assert_eq!(after, before);
}

fn keyward_run(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("keyward runs")
}

#[test]
fn keyward_run_exits_0_1_or_2_as_the_script_goes() {
    let ok = keyward_run(&["run", "policies/sessions/quickstart.kws"]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
    let dir = std::env::temp_dir().join(format!("keyward-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let failing = dir.join("failing.kws");
    std::fs::write(&failing, "key describe alias/missing\nkey list\n").expect("written");
    let failed = keyward_run(&["run", failing.to_str().expect("UTF-8 path")]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("1 of 1 statements failed"));
    let missing = keyward_run(&["run", "policies/sessions/no-such-session.kws"]);
    assert_eq!(missing.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lint_reports_the_linters_findings_and_fails_on_an_error() {
    let mut s = session();
    let mut out = Vec::new();
    let e = s
        .run_line("lint policies/invalid/effect-lowercase-allow.json", &mut out)
        .expect_err("a document with problems");
    assert!(e.to_string().contains("has errors"), "{e}");
    let printed = String::from_utf8_lossy(&out);
    assert!(printed.contains("keyward::policy::"), "{printed}");
    let clean = run(&mut s, &["lint policies/sessions/orders-key-policy.json"]);
    assert!(clean.contains("no findings"), "{clean}");
}

/// As `keyward lint` by default, a security finding fails the statement.
#[test]
fn lint_fails_on_a_security_finding_as_the_cli_does() {
    let mut s = session();
    let mut out = Vec::new();
    let e = s
        .run_line("lint policies/lint/public-key-access.bad.json", &mut out)
        .expect_err("a key policy that makes the key public");
    assert!(e.to_string().contains("security findings"), "{e}");
    let printed = String::from_utf8_lossy(&out);
    assert!(printed.contains("public-key-access"), "{printed}");
    assert!(
        !printed.contains("keyward::lint::"),
        "one spelling of rule ids: {printed}"
    );
    let warned = run(&mut s, &["lint policies/lint/missing-version.bad.json"]);
    assert!(warned.contains("no errors or security findings"), "{warned}");
}

/// The condition keys an operation sets from its request (AWS KMS,
/// *Condition keys for AWS KMS*: `kms:EncapsulationAlgorithm`,
/// `kms:ReplicaRegion`) are request keys in `simulate … context`, not
/// encryption context, so a key policy conditioned on them decides.
#[test]
fn simulate_sets_every_operations_request_condition_keys_on_the_request_not_the_encryption_context() {
    let text = r#"accounts policies/sessions/accounts.json
let kem = key create spec ML_KEM_768 usage ENCAPSULATE_DECAPSULATE policy {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": ["kms:Decapsulate", "kms:ReplicateKey"], "Resource": "*", "Condition": {"StringEquals": {"kms:EncapsulationAlgorithm": "ML_KEM"}}}]}
simulate kms:Decapsulate on $kem as app context kms:EncapsulationAlgorithm=ML_KEM
expect allow
simulate kms:Decapsulate on $kem as app context kms:encapsulationalgorithm=ML_KEM
expect allow
simulate kms:Decapsulate on $kem as app context kms:EncapsulationAlgorithm=OTHER
expect deny
let symmetric = key create policy {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}, {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "kms:ReplicateKey", "Resource": "*", "Condition": {"StringEquals": {"kms:ReplicaRegion": "eu-west-1"}}}]}
simulate kms:ReplicateKey on $symmetric as app context kms:ReplicaRegion=eu-west-1
expect allow
simulate kms:ReplicateKey on $symmetric as app context kms:ReplicaRegion=ap-south-1
expect deny
"#;
    let (summary, out) = script(&mut session(), text, false);
    assert_eq!(summary.failures, 0, "{out}");
    assert!(out.contains("decision: Allow"), "{out}");
}

/// `call ReEncrypt` whose destination is another account's key by ARN runs
/// across both partitions, as `keyward serve` runs it (the ReEncrypt API
/// reference: "To specify a KMS key in a different AWS account, you must use
/// the key ARN or alias ARN").
#[test]
fn call_re_encrypt_reaches_another_accounts_key_by_its_arn() {
    let mut s = session();
    let policy = r#"{"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:ReEncryptTo", "Resource": "*"}]}"#;
    let arn = key_of_account_444455556666(&mut s, policy);
    let sealed = run(&mut s, &["as 111122223333", "let k = key create", "encrypt $k hello"]);
    let blob = sealed
        .lines()
        .find_map(|l| l.strip_prefix("ciphertext: "))
        .expect("a ciphertext")
        .to_owned();
    let moved = run(
        &mut s,
        &[&format!(
            r#"call ReEncrypt {{"CiphertextBlob": "{blob}", "DestinationKeyId": "{arn}"}}"#
        )],
    );
    assert!(moved.contains(&format!(r#""KeyId": "{arn}""#)), "{moved}");
}

/// `open` runs where the envelope's key is: an envelope sealed under another
/// account's key (named by its ARN, as AWS requires for a key of another
/// account) opens for a caller that key's policy allows, from the caller's
/// own account.
#[test]
fn open_reaches_the_other_account_whose_key_sealed_the_envelope() {
    let mut s = session();
    let policy = r#"{"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*"}]}"#;
    let arn = key_of_account_444455556666(&mut s, policy);
    let sealed = run(
        &mut s,
        &["as 111122223333", &format!("let box = seal hello with {arn}")],
    );
    assert!(sealed.contains(&arn), "{sealed}");
    let opened = run(&mut s, &["open $box"]);
    assert!(opened.contains("plaintext: hello"), "{opened}");
    assert!(opened.contains(&format!("opened with {arn}")), "{opened}");
}

/// `seal` with a key of the caller's own account and one of another account
/// generates the data key in the first and encrypts it in the second; the
/// other account opens the envelope with its own key, which the first
/// key's policy does not let it use.
#[test]
fn seal_under_keys_of_two_accounts_opens_in_either() {
    let mut s = session();
    let policy = r#"{"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:Encrypt", "Resource": "*"}]}"#;
    let theirs = key_of_account_444455556666(&mut s, policy);
    let sealed = run(
        &mut s,
        &[
            "as 111122223333",
            "let own = key create",
            &format!("let box = seal hello with $own,{theirs}"),
        ],
    );
    assert!(sealed.contains("sealed 5 bytes under a fresh data key"), "{sealed}");
    assert!(sealed.contains(&theirs), "{sealed}");
    let opened = run(&mut s, &["as 444455556666", "open $box"]);
    assert!(opened.contains("plaintext: hello"), "{opened}");
    assert!(opened.contains(&format!("opened with {theirs}")), "{opened}");
}

/// Creates `$theirs` in account 444455556666 under `policy`: its ARN.
fn key_of_account_444455556666(s: &mut Session, policy: &str) -> String {
    let created = run(
        s,
        &[
            "as 444455556666",
            &format!("let theirs = key create policy {}", policy.replace('\n', " ")),
            "key describe $theirs",
        ],
    );
    created
        .lines()
        .find_map(|l| l.trim().strip_prefix("arn: "))
        .expect("the key's ARN")
        .to_owned()
}
