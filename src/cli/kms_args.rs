//! The local-KMS commands' arguments, named after `aws kms` so habits carry
//! over: `--key-id`, `--plaintext fileb://PATH`, `--encryption-context k=v`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

/// Where the runtime's state lives and who is calling: flags of every
/// command, listed under their own heading after the command's own.
#[derive(Debug, Args)]
#[command(next_help_heading = "Session options (every command)")]
pub struct Session {
    /// The state directory (default: `$KEYWARD_STATE`, else the user's data directory).
    #[arg(long, global = true, value_name = "DIR", conflicts_with = "ephemeral")]
    pub state: Option<PathBuf>,
    /// Keep everything in memory for this one command.
    #[arg(long, global = true)]
    pub ephemeral: bool,
    /// The caller: a principal ARN, or a short name from the accounts file
    /// (default: the account's root user).
    #[arg(long = "as", global = true, value_name = "PRINCIPAL")]
    pub caller: Option<String>,
    /// Call through an AWS service, as it does on the caller's behalf: `s3`
    /// (meaning `s3.<region>.amazonaws.com`) or a full endpoint. It sets
    /// `kms:ViaService`; AWS managed keys (`alias/aws/s3`) need it.
    #[arg(long, global = true, value_name = "SERVICE")]
    pub via_service: Option<String>,
    /// The accounts file: its principals (short names, identity policies, boundaries, tags, access
    /// keys), SCPs and RCPs.
    #[arg(long, global = true, value_name = "FILE")]
    pub accounts: Option<PathBuf>,
    /// The local account id.
    #[arg(long, global = true, default_value = "111122223333")]
    pub account: String,
    /// The Region (default: `$AWS_REGION`, else `$AWS_DEFAULT_REGION`, else
    /// `us-east-1`). Keys live in one account and Region, as in AWS.
    #[arg(long, global = true, default_value_t = default_region(), hide_default_value = true)]
    pub region: String,
    /// The output format. `keyward kms …` prints JSON unless told
    /// otherwise, keyward's own verbs their text; never decided by whether
    /// stdout is a terminal.
    #[arg(long, global = true, value_enum)]
    pub output: Option<super::aws::Format>,
    /// A JMESPath expression that picks what to print from the response,
    /// as the AWS CLI's `--query` (`Keys[].KeyId`).
    #[arg(long, global = true, value_name = "JMESPATH")]
    pub query: Option<String>,
    /// How long to wait for a state directory another process holds
    /// before giving up (seconds). A wait longer than one second says so.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 30.0, value_parser = lock_timeout)]
    pub lock_timeout: f64,
    /// How external key store proxies are reached (`--xks-*`): one
    /// definition for every command that calls KMS.
    #[cfg(feature = "serve")]
    #[command(flatten)]
    pub xks: super::xks_args::ProxyArgs,
}

impl Session {
    /// The proxies the commands of this session call for keys in external
    /// key stores (`--xks-*`); none in a build without `serve`, which
    /// simulates them (docs/custom-key-stores.md). A file that cannot be
    /// used is an error message.
    pub fn proxies(&self) -> Result<Option<keyward::kms::runtime::SharedProxies>, String> {
        #[cfg(feature = "serve")]
        return self.xks.proxies().map(Some);
        #[cfg(not(feature = "serve"))]
        Ok(None)
    }
}

/// Parses `--lock-timeout`: zero or more seconds.
fn lock_timeout(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && (0.0..=86_400.0).contains(&seconds) => Ok(seconds),
        _ => Err("expected a number of seconds from 0 to 86400".to_owned()),
    }
}

/// The Region the AWS CLI would use: `AWS_REGION`, then `AWS_DEFAULT_REGION`.
fn default_region() -> String {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .unwrap_or_else(|| "us-east-1".to_owned())
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// CreateKey: a symmetric encryption key, or any other kind with
    /// `--key-spec` and `--key-usage`.
    Create {
        #[arg(long)]
        description: Option<String>,
        /// RSA_2048, ECC_NIST_P256, ECC_NIST_EDWARDS25519, HMAC_256, ML_DSA_65, ML_KEM_768, … (default SYMMETRIC_DEFAULT).
        #[arg(long)]
        key_spec: Option<String>,
        /// SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT or ENCAPSULATE_DECAPSULATE.
        #[arg(long)]
        key_usage: Option<String>,
        /// `file://PATH` or the policy text.
        #[arg(long)]
        policy: Option<String>,
        #[arg(long)]
        bypass_policy_lockout_safety_check: bool,
    },
    /// DescribeKey: the key's metadata.
    Describe {
        #[arg(long)]
        key_id: String,
    },
    /// ListKeys: the keys of the account and Region, every page unless
    /// `--limit` or `--marker`.
    List {
        #[command(flatten)]
        page: PageArgs,
    },
    /// EnableKey.
    Enable {
        #[arg(long)]
        key_id: String,
    },
    /// DisableKey: the key cannot be used until it is enabled again.
    Disable {
        #[arg(long)]
        key_id: String,
    },
    /// ScheduleKeyDeletion: the key is deleted after 7–30 days
    /// (`--pending-window-in-days`, default 30).
    ScheduleDeletion {
        #[arg(long)]
        key_id: String,
        #[arg(long)]
        pending_window_in_days: Option<i64>,
    },
    /// CancelKeyDeletion: the key is left `Disabled`.
    CancelDeletion {
        #[arg(long)]
        key_id: String,
    },
    /// EnableKeyRotation: automatic rotation every 90–2560 days
    /// (`--rotation-period-in-days`, default 365).
    EnableRotation {
        #[arg(long)]
        key_id: String,
        #[arg(long)]
        rotation_period_in_days: Option<i64>,
    },
    /// RotateKeyOnDemand: new key material at once; older ciphertexts still decrypt.
    Rotate {
        #[arg(long)]
        key_id: String,
    },
    /// DisableKeyRotation.
    DisableRotation {
        #[arg(long)]
        key_id: String,
    },
    /// GetKeyRotationStatus.
    RotationStatus {
        #[arg(long)]
        key_id: String,
    },
    /// ListKeyRotations: the key's rotations, every page unless `--limit`
    /// or `--marker`.
    ListRotations {
        #[arg(long)]
        key_id: String,
        #[command(flatten)]
        page: PageArgs,
    },
    /// TagResource: `--tags TagKey=k,TagValue=v TagKey=k2,TagValue=v2` as
    /// `aws kms tag-resource` takes it (or JSON), or keyward's `k=v`.
    Tag {
        #[arg(long)]
        key_id: String,
        #[arg(long, required = true, num_args = 1..)]
        tags: Vec<String>,
    },
    /// UntagResource: `--tag-keys k1,k2`.
    Untag {
        #[arg(long)]
        key_id: String,
        #[arg(long, value_delimiter = ',', required = true)]
        tag_keys: Vec<String>,
    },
    /// ListResourceTags.
    ListTags {
        #[arg(long)]
        key_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum GrantCommand {
    /// CreateGrant, as `aws kms create-grant` takes it: `--operations
    /// Encrypt Decrypt` (or `Encrypt,Decrypt`), `--constraints` in shorthand
    /// (`EncryptionContextSubset={dept=eng}`), JSON or `file://PATH`.
    Create {
        #[arg(long)]
        key_id: String,
        #[arg(long)]
        grantee_principal: String,
        #[arg(long, required = true, num_args = 1..)]
        operations: Vec<String>,
        #[arg(long)]
        retiring_principal: Option<String>,
        #[arg(long)]
        constraints: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_delimiter = ',')]
        grant_tokens: Vec<String>,
    },
    /// ListGrants: the key's grants (one with `--grant-id`, a grantee's with
    /// `--grantee-principal`), every page unless `--limit` or `--marker`.
    List {
        #[arg(long)]
        key_id: String,
        #[arg(long)]
        grant_id: Option<String>,
        #[arg(long)]
        grantee_principal: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
    /// ListRetirableGrants: the grants a principal may retire, every page
    /// unless `--limit` or `--marker`.
    ListRetirable {
        #[arg(long)]
        retiring_principal: String,
        #[command(flatten)]
        page: PageArgs,
    },
    /// RetireGrant: by `--grant-token`, or by `--key-id` and `--grant-id`.
    Retire {
        #[arg(long)]
        grant_token: Option<String>,
        #[arg(long, requires = "grant_id")]
        key_id: Option<String>,
        #[arg(long)]
        grant_id: Option<String>,
    },
    /// RevokeGrant.
    Revoke {
        #[arg(long)]
        key_id: String,
        #[arg(long)]
        grant_id: String,
    },
}

#[derive(Debug, Args)]
pub struct ReEncryptArgs {
    #[arg(long)]
    pub ciphertext_blob: String,
    #[arg(long)]
    pub source_key_id: Option<String>,
    #[arg(long, value_name = "k=v,...")]
    pub source_encryption_context: Vec<String>,
    #[arg(long)]
    pub destination_key_id: String,
    #[arg(long, value_name = "k=v,...")]
    pub destination_encryption_context: Vec<String>,
    #[arg(long, value_delimiter = ',')]
    pub grant_tokens: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum AliasCommand {
    /// CreateAlias.
    Create {
        #[arg(long)]
        alias_name: String,
        #[arg(long)]
        target_key_id: String,
    },
    /// DeleteAlias.
    Delete {
        #[arg(long)]
        alias_name: String,
    },
    /// ListAliases: every alias, or the key's with `--key-id`, every page
    /// unless `--limit` or `--marker`.
    List {
        #[arg(long)]
        key_id: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
}

/// One page of a list: without either flag, every page is fetched and
/// printed as one list, as the AWS CLI does.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// The most items on the page (`Limit`).
    #[arg(long)]
    pub limit: Option<i64>,
    /// Where the page starts: the `NextMarker` of the page before.
    #[arg(long)]
    pub marker: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// GetKeyPolicy: the key policy's text.
    Get {
        #[arg(long)]
        key_id: String,
        /// The policy's name: `default`, the only one a key has.
        #[arg(long, default_value = "default")]
        policy_name: String,
    },
    /// PutKeyPolicy: refused when it would lock the key out, unless
    /// `--bypass-policy-lockout-safety-check`.
    Put {
        #[arg(long)]
        key_id: String,
        /// The policy's name: `default`, the only one a key has.
        #[arg(long, default_value = "default")]
        policy_name: String,
        /// `file://PATH` or the policy text.
        #[arg(long)]
        policy: String,
        #[arg(long)]
        bypass_policy_lockout_safety_check: bool,
    },
}

/// Encryption context and grant tokens, as `aws kms` takes them.
#[derive(Debug, Args)]
pub struct Crypto {
    /// `k=v,k2=v2` or a JSON object `{"k":"v"}` (repeatable; merged).
    #[arg(long, value_name = "k=v,...|JSON")]
    pub encryption_context: Vec<String>,
    /// Grant tokens (repeatable or comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub grant_tokens: Vec<String>,
}

#[derive(Debug, Args)]
pub struct EncryptArgs {
    #[arg(long)]
    pub key_id: String,
    /// `fileb://PATH`, `-` for stdin, or the text itself.
    #[arg(long)]
    pub plaintext: String,
    #[command(flatten)]
    pub crypto: Crypto,
}

#[derive(Debug, Args)]
pub struct DecryptArgs {
    /// `fileb://PATH`, `-` for stdin, or base64.
    #[arg(long)]
    pub ciphertext_blob: String,
    #[arg(long)]
    pub key_id: Option<String>,
    #[command(flatten)]
    pub crypto: Crypto,
}

#[derive(Debug, Args)]
pub struct DataKeyArgs {
    #[arg(long)]
    pub key_id: String,
    #[arg(long)]
    pub key_spec: Option<String>,
    #[arg(long)]
    pub number_of_bytes: Option<i64>,
    #[command(flatten)]
    pub crypto: Crypto,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// A key id, ARN or alias.
    #[arg(long)]
    pub key: Option<String>,
    #[arg(long)]
    pub principal: Option<String>,
    #[arg(long)]
    pub operation: Option<String>,
    #[arg(long, value_enum)]
    pub decision: Option<AuditDecision>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuditDecision {
    Allow,
    Deny,
}
