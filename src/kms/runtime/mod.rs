//! The local KMS: keys, their states, aliases and the cryptographic
//! operations, each call authorized by [`Authorizer`] against the key's
//! policy, the caller's identity policies and guardrails, and the key's
//! grants. Errors carry AWS's names and messages.
//!
//! This is the in-memory core of the runtime: one account and Region,
//! symmetric keys. Persistence, rotation, the audit log and the CLI build on
//! it.

mod api;
mod audit;
mod aws_managed;
mod clock;
mod crypto_ops;
mod custom_key_stores;
mod external_key_store;
mod grant_ops;
mod import;
mod import_material;
mod imported;
mod key;
mod key_kinds;
mod manage;
mod multi_region;
mod owned;
mod page;
mod proxy_calls;
mod rotation;
mod state;
mod tagging;
mod usage;

use std::collections::BTreeMap;
use std::time::SystemTime;

pub use audit::{AuditFilter, AuditLog, AuditRecord};
pub use clock::{epoch_seconds, from_epoch, rfc3339, Clock, SimulatedClock, SystemClock};
pub(crate) use crypto_ops::check_shared_members;
pub use crypto_ops::{DataKey, DataKeySize, Decrypted, Encrypted, ReEncryptCall, MAX_ENCRYPTION_CONTEXT_BYTES};
pub use custom_key_stores::{
    ConnectionState, CustomKeyStore, InStore, NewStore, StoreType, StoreUpdate, XksProxy, MAX_CUSTOM_KEY_STORES,
};
pub use external_key_store::{
    callable, loopback, plain_loopback, reserved_for_examples, ExternalKeyMetadata, ProxyFailure, ProxyRequest,
    ProxySecret, ProxyTarget, SharedProxies, XksProxies,
};
pub use import::{Import, ImportParameters, StoredImport, IMPORT_TOKEN_SECONDS};
pub use imported::{External, Imported, MaterialState};
pub use key::{check_state, Key, KeyManager, KeyState, Material, Origin, Rotation, Use};
pub use key_kinds::{crypto_error, dry_run, new_material, spec_of, wrong_usage, KeyPair, KeyPairCache};
pub use multi_region::{Crossing, Replication};
pub use page::{Page, Paging};
pub(crate) use proxy_calls::{ProxyAnswer, ProxyCall, ProxyCalls};
pub use rotation::{ImportedEntry, MaterialEntry, RotationStatus};
pub use state::{State, StoredKey, StoredMaterial};
pub use usage::{History, KeyLastUsage, LastUse, TRACKED};

use super::authorize::Authorizer;
use super::error::{ErrorName, KmsError};
use super::grant_book::GrantBook;
use super::key_spec::KeyInfo;
use super::request::KmsRequest;
use super::tracked::Tracked;
use super::KeyRef;
use crate::arn::{partition_of, Arn};
use crate::crypto::{BlobCipher, MaterialId};
use crate::eval::{Caller, CompiledPolicy, Context, Decision};
use crate::policy::{Document, DocumentKind, Grant};
use crate::source::Source;

/// The ARN of a KMS resource (`key/…`, `alias/…`, or empty for the prefix)
/// in a Region and account, in the Region's partition.
pub fn kms_arn(region: &str, account: &str, resource: &str) -> String {
    format!("arn:{}:kms:{region}:{account}:{resource}", partition_of(region))
}

/// At most this many aliases may name one key (§2.3).
pub const MAX_ALIASES_PER_KEY: usize = 50;

/// A key policy may be at most 32,768 bytes (§2.1).
pub const MAX_KEY_POLICY_BYTES: usize = 32_768;

/// `KeyMetadata`, as `CreateKey` and `DescribeKey` return it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMetadata {
    pub key_id: String,
    pub arn: String,
    pub account: String,
    pub description: String,
    pub state: KeyState,
    pub enabled: bool,
    pub creation_date: SystemTime,
    pub deletion_date: Option<SystemTime>,
    pub key_spec: &'static str,
    pub key_usage: &'static str,
    /// `CUSTOMER` or `AWS`.
    pub key_manager: &'static str,
    pub current_key_material_id: Option<String>,
    /// A multi-Region key's copies.
    pub replication: Option<Replication>,
    /// `AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM` or `EXTERNAL_KEY_STORE`.
    pub origin: &'static str,
    /// A key of a custom key store: its store, and for an external key
    /// store the external key (`XksKeyConfiguration.Id`).
    pub custom_key_store: Option<InStore>,
    /// For an `EXTERNAL` key with material: `KEY_MATERIAL_EXPIRES` or
    /// `KEY_MATERIAL_DOES_NOT_EXPIRE`, and when it expires.
    pub expiration_model: Option<&'static str>,
    pub valid_to: Option<SystemTime>,
}

/// What `CreateKey` is asked for.
#[derive(Clone, Copy, Debug, Default)]
pub struct NewKey<'a> {
    /// The key's spec and usage.
    pub info: KeyInfo,
    pub description: Option<&'a str>,
    pub policy: Option<&'a str>,
    pub bypass_policy_lockout_safety_check: bool,
    /// Set on the key, and seen by the authorization as `aws:RequestTag/…`.
    pub tags: &'a [(String, String)],
    /// A multi-Region primary key (`mrk-…` id).
    pub multi_region: bool,
    /// Origin `EXTERNAL`: no material until it is imported.
    pub external: bool,
    /// Origin `AWS_CLOUDHSM` or `EXTERNAL_KEY_STORE`: the custom key store
    /// (`CustomKeyStoreId`) and, for an external key store, `XksKeyId`.
    pub custom_key_store: Option<InStoreRequest<'a>>,
}

/// A new key's custom key store as `CreateKey` names it: `CustomKeyStoreId`,
/// the store type its `Origin` asks for, and `XksKeyId`.
pub type InStoreRequest<'a> = (&'a str, StoreType, Option<&'a str>);

/// An alias and the key it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alias {
    pub name: String,
    pub arn: String,
    /// Empty for a predefined `alias/aws/<service>` whose AWS managed key
    /// does not exist yet (`ListAliases` lists it without a target).
    pub target_key_id: String,
    pub created: i64,
}

/// The runtime of one account and Region.
pub struct Runtime<C: Clock> {
    pub account: String,
    pub region: String,
    pub clock: C,
    /// The callers' identity policies, boundaries, session policy, SCPs and
    /// RCPs; each key supplies its own policy and grants.
    pub identities: Authorizer,
    /// How keys of external key stores reach their proxies; `None`: no
    /// proxy is called, and stores with a plain-HTTP proxy fail.
    pub xks: Option<SharedProxies>,
    /// The proxy calls of the call running now, when the service makes
    /// them outside its lock (`proxy_calls`); `None`: proxies are called
    /// at once.
    pub(crate) proxy_calls: Option<std::sync::Arc<std::sync::Mutex<ProxyCalls>>>,
    keys: Tracked<String, Key>,
    aliases: Tracked<String, Alias>,
    /// The custom key stores, by id.
    stores: Tracked<String, CustomKeyStore>,
    /// AWS owned keys, by service; not in the account.
    owned: Tracked<String, Key>,
    pub grants: GrantBook,
    /// Every call, allowed or refused.
    pub audit: AuditLog,
    /// Wrapping keys handed out by `GetParametersForImport`, by the hash
    /// of their import token.
    imports: Tracked<String, import::StoredImport>,
    /// What the current call changes in other partitions (multi-Region keys).
    pub(crate) outbox: Vec<multi_region::Crossing>,
    /// Each key's last cryptographic use (`GetKeyLastUsage`).
    pub(crate) usage: usage::Usage,
    /// When set, every authorization is made with its trace and the last one
    /// is kept ([`Runtime::take_decision`]): the REPL's `explain` shows the
    /// decision the call itself made, not a second one made beside it.
    pub explain: bool,
    decisions: std::sync::Mutex<Vec<Decided>>,
    /// Parsed private keys of the asymmetric keys, by material id.
    key_pairs: KeyPairCache,
    /// What [`sweep`](Runtime::sweep) keeps: which map of keys it walked
    /// and the earliest due time among them (never later than the true one).
    swept: Option<(u64, Option<i64>)>,
}

/// An authorization as a call made it, with the key policy it read.
#[derive(Clone, Debug)]
pub struct Decided {
    pub authorization: super::Authorization,
    pub key_policy: Option<String>,
    /// The action decided on (`kms:ReEncryptFrom`, …).
    pub action: String,
    /// The request context the decision was made on.
    pub context: crate::eval::Context,
}

impl<C: Clock> Runtime<C> {
    pub fn new(account: &str, region: &str, clock: C) -> Runtime<C> {
        let started = clock.now();
        Runtime {
            account: account.to_owned(),
            region: region.to_owned(),
            clock,
            identities: Authorizer::default(),
            xks: None,
            proxy_calls: None,
            keys: Tracked::default(),
            aliases: Tracked::default(),
            stores: Tracked::default(),
            owned: Tracked::default(),
            grants: GrantBook::default(),
            audit: AuditLog::default(),
            usage: usage::Usage::new(started),
            outbox: Vec::new(),
            imports: Tracked::default(),
            explain: false,
            decisions: std::sync::Mutex::new(Vec::new()),
            key_pairs: KeyPairCache::default(),
            swept: None,
        }
    }

    /// The last authorization made while [`explain`](Self::explain) was set.
    pub fn take_decision(&self) -> Option<Decided> {
        self.take_decisions().pop()
    }

    /// Every decision kept since the last take, in order (`ReEncrypt`,
    /// `UpdateAlias` and `ReplicateKey` authorize more than once).
    pub fn take_decisions(&self) -> Vec<Decided> {
        self.decisions
            .lock()
            .map(|mut all| std::mem::take(&mut *all))
            .unwrap_or_default()
    }

    fn key_arn(&self, id: &str) -> String {
        kms_arn(&self.region, &self.account, &format!("key/{id}"))
    }

    fn alias_arn(&self, name: &str) -> String {
        kms_arn(&self.region, &self.account, name)
    }

    /// Does what the clock says is due: deletes the keys whose deletion
    /// window has passed (with their aliases), and rotates the enabled keys
    /// whose rotation date has come.
    ///
    /// It walks every key only when something is due: it keeps the
    /// earliest due time, brings it forward by the keys changed since (one
    /// look at each), and walks once the clock reaches it. So a call costs
    /// the same with 10,000 keys as with 100.
    pub fn sweep(&mut self) {
        let now = self.clock.now();
        let touched = self.keys.take_touched();
        if let (Some((identity, due)), Some(touched)) = (self.swept, touched) {
            if identity == self.keys.identity() {
                let changed = touched.iter().filter_map(|id| self.keys.get(id));
                let due = changed.filter_map(|k| self.due(k)).chain(due).min();
                self.swept = Some((identity, due));
                if due.is_none_or(|due| now < due) {
                    return;
                }
            }
        }
        self.rotate_due(now);
        self.expire_imports(now);
        let due: Vec<String> = self
            .keys
            .values()
            .filter(|k| k.deletion_date.is_some_and(|d| d <= now))
            .map(|k| k.id.clone())
            .collect();
        for id in due {
            if let Some(key) = self.keys.remove(&id) {
                self.forget_replica(&key);
                self.grants.remove_key(&key.arn);
                self.audit
                    .service_event(&self.region, &self.account, now, "DeleteKey", &key.arn);
            }
            self.aliases.retain(|_, a| a.target_key_id != id);
        }
        // What the walk changed is in the due time it finds now.
        self.keys.watch();
        self.keys.take_touched();
        let due = self.keys.values().filter_map(|k| self.due(k)).min();
        self.swept = Some((self.keys.identity(), due));
    }

    /// The earliest time `key`'s rotation, deletion or imported material's
    /// expiry falls due; `None`: none will.
    fn due(&self, key: &Key) -> Option<i64> {
        let times = [
            rotation::rotation_due(key, &self.region),
            import::expiry_due(key),
            key.deletion_date,
        ];
        times.into_iter().flatten().min()
    }

    /// A key or alias identifier without its ARN prefix (`key/…`, `alias/…`
    /// or a bare key id); `None` for an ARN of another account or Region,
    /// whose keys are not here.
    fn local_name<'a>(&self, key_id: &'a str) -> Option<&'a str> {
        match KeyRef::parse(key_id).arn() {
            Some(arn) => (arn.service == "kms"
                && arn.partition == partition_of(&self.region)
                && arn.region == self.region
                && arn.account == self.account)
                .then_some(arn.resource),
            None => Some(key_id),
        }
    }

    /// The account's key ids and alias names, for a front end to complete;
    /// not a KMS call, so neither authorized nor audited.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().chain(self.aliases.keys()).map(String::as_str)
    }

    /// Finds a key by key id, key ARN, alias name or alias ARN.
    pub fn resolve(&self, key_id: &str) -> Result<&Key, KmsError> {
        let not_found = |what: String| KmsError::new(ErrorName::NotFoundException, what);
        let Some(local) = self.local_name(key_id) else {
            return Err(not_found(format!("Key '{key_id}' does not exist")));
        };
        if local.starts_with("alias/") {
            let missing = || not_found(format!("Alias '{}' is not found.", self.alias_arn(local)));
            let target = self.aliases.get(local).ok_or_else(missing)?;
            return self.keys.get(&target.target_key_id).ok_or_else(missing);
        }
        let id = local.strip_prefix("key/").unwrap_or(local);
        self.keys
            .get(id)
            .ok_or_else(|| not_found(format!("Key '{}' does not exist", self.key_arn(id))))
    }

    /// Finds the key a caller names. A caller of another account must name
    /// a key of this one by key ARN or alias ARN: a bare key id or alias
    /// name is looked up in the caller's own account (§5.7 vector 9), where
    /// this runtime has nothing.
    pub fn resolve_for(&self, caller: &Caller, key_id: &str) -> Result<&Key, KmsError> {
        let foreign = caller.account.as_deref().filter(|a| *a != self.account);
        match foreign {
            Some(account) if !key_id.starts_with("arn:") => {
                let arn = kms_arn(&self.region, account, "");
                Err(KmsError::new(
                    ErrorName::NotFoundException,
                    if key_id.starts_with("alias/") {
                        format!("Alias '{arn}{key_id}' is not found.")
                    } else {
                        format!("Key '{arn}key/{key_id}' does not exist")
                    },
                ))
            }
            _ => self.resolve(key_id),
        }
    }

    /// Authorizes one call; a denial is `AccessDeniedException` saying which
    /// path failed.
    pub(crate) fn authorize(&self, request: &mut KmsRequest, key: Option<&Key>) -> Result<(), KmsError> {
        let now = self.clock.now();
        request.time = Some(rfc3339(now));
        // `aws:userid` from the unique id the accounts file gives, if any.
        self.identities.identify(&mut request.caller);
        let grants: Vec<Grant> = match key {
            Some(k) => self
                .grants
                .usable(&k.arn, &request.grant_tokens, now)?
                .into_iter()
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        if let Some(k) = key {
            request.key = k.info;
            request.aws_managed_key = k.manager == KeyManager::Aws;
            request.resource_tags.clone_from(&k.tags);
            // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-multiregion
            let multi_region = k.replication.as_ref();
            request
                .context
                .insert_one("kms:MultiRegion", if multi_region.is_some() { "true" } else { "false" });
            if let Some(replication) = multi_region {
                request
                    .context
                    .insert_one("kms:MultiRegionKeyType", replication.key_type(&self.region));
            }
        }
        let authorization = self
            .identities
            .authorize_for(key.map(|k| &k.policy), &grants, request, self.explain);
        if self.explain {
            if let Ok(mut decisions) = self.decisions.lock() {
                decisions.push(Decided {
                    authorization: authorization.clone(),
                    key_policy: key.map(|k| k.policy_text.clone()),
                    action: request.action.clone(),
                    context: request.to_eval_request().context,
                });
            }
        }
        if authorization.decision == Decision::Allow {
            return Ok(());
        }
        Err(KmsError::new(
            ErrorName::AccessDeniedException,
            format!(
                "User: {} is not authorized to perform: {} on resource: {} because {}",
                request.caller.arn, request.action, request.resource, authorization.summary
            ),
        ))
    }

    pub(super) fn metadata(key: &Key) -> KeyMetadata {
        KeyMetadata {
            key_id: key.id.clone(),
            arn: key.arn.clone(),
            account: key.account.clone(),
            description: key.description.clone(),
            state: key.effective_state(),
            enabled: key.effective_state() == KeyState::Enabled,
            creation_date: clock::from_epoch(key.created),
            deletion_date: key.deletion_date.map(clock::from_epoch),
            key_spec: key.info.spec,
            key_usage: key.info.usage.as_str(),
            key_manager: key.manager.as_str(),
            // Only symmetric encryption keys report their material (§4.2).
            current_key_material_id: (key.info == KeyInfo::SYMMETRIC)
                .then(|| match &key.external {
                    // Named even while deleted or expired.
                    Some(external) => external.current().map(|m| m.id.clone()),
                    None => key.current().map(|m| m.id.to_string()),
                })
                .flatten(),
            replication: key.replication.clone(),
            origin: key.origin(),
            custom_key_store: key.custom_key_store.clone(),
            expiration_model: key.external.as_ref().and_then(External::expiration_model),
            valid_to: key
                .external
                .as_ref()
                .and_then(External::valid_to)
                .map(clock::from_epoch),
        }
    }

    /// The default key policy of §5.2: the account principal may do anything.
    pub fn default_key_policy(&self) -> String {
        format!(
            r#"{{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {{
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {{
      "AWS" : "arn:aws:iam::{}:root"
    }},
    "Action" : "kms:*",
    "Resource" : "*"
  }} ]
}}"#,
            self.account
        )
    }

    /// `CreateKey` for a key of any kind (`new.info`, already validated
    /// against the Region by the operation). The request carries
    /// `kms:KeySpec` and `kms:KeyUsage` (and their deprecated synonyms) even
    /// when the caller named neither, as AWS fills them with the defaults.
    pub(super) fn create_key_call(&mut self, caller: &Caller, new: &NewKey<'_>) -> Result<KeyMetadata, KmsError> {
        let NewKey {
            info,
            description,
            policy,
            bypass_policy_lockout_safety_check,
            tags,
            multi_region,
            external,
            custom_key_store,
        } = *new;
        tagging::check_tags(tags)?;
        let mut request = KmsRequest::new(caller.clone(), "kms:CreateKey", "*");
        if bypass_policy_lockout_safety_check {
            request.context.insert_one("kms:BypassPolicyLockoutSafetyCheck", "true");
        }
        tagging::add_request_tags(&mut request, tags);
        for (name, value) in [
            ("kms:KeySpec", info.spec),
            ("kms:CustomerMasterKeySpec", info.spec),
            ("kms:KeyUsage", info.usage.as_str()),
            ("kms:CustomerMasterKeyUsage", info.usage.as_str()),
            (
                "kms:KeyOrigin",
                match (external, custom_key_store) {
                    (true, _) => "EXTERNAL",
                    (false, Some((_, store_type, _))) => store_type.as_str(),
                    (false, None) => "AWS_KMS",
                },
            ),
            ("kms:MultiRegion", if multi_region { "true" } else { "false" }),
        ] {
            request.context.insert_one(name, value);
        }
        self.authorize(&mut request, None)?;
        let in_store = custom_key_store
            .map(|(id, store_type, xks_key_id)| self.store_for_new_key(id, store_type, xks_key_id))
            .transpose()?;
        if let Some(InStore {
            id,
            xks_key_id: Some(external),
            ..
        }) = &in_store
        {
            self.check_new_external_key(id, external, caller)?;
        }
        let description = description.unwrap_or_default();
        if description.chars().count() > 8192 {
            return Err(KmsError::constraint(
                None,
                "description",
                "have length less than or equal to 8192",
            ));
        }
        let id = if multi_region {
            multi_region::multi_region_key_id()
        } else {
            uuid()
        };
        let arn = self.key_arn(&id);
        let policy_text = policy.map_or_else(|| self.default_key_policy(), str::to_owned);
        let compiled = self.compile_key_policy(&arn, &policy_text)?;
        if policy.is_some() && !bypass_policy_lockout_safety_check {
            self.lockout_check(caller, &arn, &compiled)?;
        }
        let material = key_kinds::new_material(key_kinds::spec_of(info)?, &self.region)?;
        let mut key = self.new_key(
            id.clone(),
            arn,
            KeyManager::Customer,
            description,
            policy_text,
            compiled,
        );
        key.info = info;
        if let Some(first) = key.materials.first_mut() {
            first.material = material;
        }
        key.tags = tags.iter().cloned().collect();
        if external {
            key.materials.clear();
            key.state = KeyState::PendingImport;
            key.external = Some(External::default());
        }
        key.custom_key_store = in_store;
        if multi_region {
            key.replication = Some(Replication {
                primary_region: self.region.clone(),
                replica_regions: Default::default(),
            });
        }
        let metadata = Self::metadata(&key);
        self.keys.insert(id, key);
        Ok(metadata)
    }

    /// An enabled symmetric key with fresh material, created now.
    fn new_key(
        &self,
        id: String,
        arn: String,
        manager: KeyManager,
        description: &str,
        policy_text: String,
        policy: CompiledPolicy,
    ) -> Key {
        let account = Arn::parse(&arn)
            .and_then(|a| a.account_id())
            .unwrap_or(&self.account)
            .to_owned();
        Key {
            id,
            arn,
            account,
            manager,
            description: description.to_owned(),
            state: KeyState::Enabled,
            info: KeyInfo::SYMMETRIC,
            created: self.clock.now(),
            deletion_date: None,
            policy_text,
            policy,
            materials: vec![Material {
                id: MaterialId::generate(),
                material: BlobCipher::in_region(&self.region).generate_material(),
                created: self.clock.now(),
                origin: Origin::Initial,
            }],
            rotation: None,
            tags: BTreeMap::new(),
            replication: None,
            pending_window_days: None,
            external: None,
            custom_key_store: None,
            unavailable: false,
        }
    }

    /// A key policy as KMS accepts it: the size limit, the character set, a
    /// valid document with a principal in every statement.
    pub(super) fn compile_key_policy(&self, arn: &str, text: &str) -> Result<CompiledPolicy, KmsError> {
        if text.len() > MAX_KEY_POLICY_BYTES {
            return Err(KmsError::new(
                ErrorName::LimitExceededException,
                "The key policy exceeds the 32 KB size limit.",
            ));
        }
        let malformed = |detail: String| KmsError::new(ErrorName::MalformedPolicyDocumentException, detail);
        if let Some(c) = text
            .chars()
            .find(|c| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'))
        {
            return Err(malformed(format!(
                "The policy contains the character U+{:04X}, outside the allowed set.",
                c as u32
            )));
        }
        let parse = |text: &str| Document::parse(&Source::new(arn, text), Some(DocumentKind::KeyPolicy));
        let document = parse(text)
            .or_else(|errors| match inert_statements_made_explicit(&errors.errors, text) {
                Some(patched) => parse(&patched),
                None => Err(errors),
            })
            .map_err(|errors| {
                let problems: Vec<String> = errors.errors.iter().map(|e| e.to_string()).collect();
                malformed(problems.join("; "))
            })?;
        let Document::Policy(policy) = document else {
            return Err(malformed("The document is not a policy.".into()));
        };
        // §7.1: a set operator on a single-valued key, which KMS refuses.
        let overly_permissive = policy
            .statements
            .iter()
            .filter_map(|s| s.condition.as_ref())
            .flat_map(|c| &c.blocks)
            .any(|b| {
                b.operator.qualifier == Some(crate::policy::SetQualifier::ForAllValues)
                    && b.entries.iter().any(|e| {
                        let key = e.key.to_ascii_lowercase();
                        key.starts_with("kms:encryptioncontext:") || key.starts_with("aws:requesttag/")
                    })
            });
        if overly_permissive {
            return Err(malformed(
                "OverlyPermissiveCondition:EncryptionContext: Using the ForAllValues set operator with a single-valued condition key matches requests without the specified encryption context or with an unspecified encryption context. To fix, remove ForAllValues.".into(),
            ));
        }
        CompiledPolicy::compile("key-policy", &policy).map_err(|errors| {
            let problems: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            malformed(problems.join("; "))
        })
    }

    /// §5.4: the caller must still be allowed `kms:PutKeyPolicy` under the new policy.
    pub(super) fn lockout_check(&self, caller: &Caller, arn: &str, policy: &CompiledPolicy) -> Result<(), KmsError> {
        let mut request = KmsRequest::new(caller.clone(), "kms:PutKeyPolicy", arn);
        request.time = Some(rfc3339(self.clock.now()));
        request.context.insert_one("kms:PolicyName", "default");
        let authorization = self.identities.authorize_for(Some(policy), &[], &request, false);
        if authorization.decision == Decision::Allow {
            Ok(())
        } else {
            Err(KmsError::new(
                ErrorName::MalformedPolicyDocumentException,
                "The new key policy will not allow you to update the key policy in the future.",
            ))
        }
    }

    /// Resolves a key and authorizes an action on it.
    pub(super) fn authorized(&self, caller: &Caller, action: &str, key_id: &str) -> Result<&Key, KmsError> {
        self.authorized_with(caller, action, key_id, Context::new())
    }

    /// [`authorized`](Self::authorized), with the condition keys the
    /// request's own members set (`kms:RotationPeriodInDays`, …).
    pub(super) fn authorized_with(
        &self,
        caller: &Caller,
        action: &str,
        key_id: &str,
        context: Context,
    ) -> Result<&Key, KmsError> {
        let key = self.resolve_for(caller, key_id)?;
        let mut request = KmsRequest::new(caller.clone(), action, &key.arn);
        request.alias = KeyRef::parse(key_id).alias_name().map(str::to_owned);
        request.context = context;
        self.authorize(&mut request, Some(key))?;
        Ok(key)
    }

    pub(super) fn describe_key_call(&self, caller: &Caller, key_id: &str) -> Result<KeyMetadata, KmsError> {
        let key = self.authorized(caller, "kms:DescribeKey", key_id)?;
        Ok(Self::metadata(key))
    }

    /// Resolves, authorizes, checks the state, then changes the key.
    pub(super) fn change(
        &mut self,
        caller: &Caller,
        action: &str,
        key_id: &str,
        use_: Use,
        f: impl FnOnce(&mut Key, i64),
    ) -> Result<KeyMetadata, KmsError> {
        self.change_with(caller, action, key_id, Context::new(), use_, f)
    }

    /// [`change`](Self::change), with the request's own condition keys.
    pub(super) fn change_with(
        &mut self,
        caller: &Caller,
        action: &str,
        key_id: &str,
        context: Context,
        use_: Use,
        f: impl FnOnce(&mut Key, i64),
    ) -> Result<KeyMetadata, KmsError> {
        let id = self.authorized_with(caller, action, key_id, context)?.id.clone();
        self.modify(&id, use_, f)
    }

    /// Checks the state and changes a key the caller is already authorized for.
    pub(super) fn modify(
        &mut self,
        id: &str,
        use_: Use,
        f: impl FnOnce(&mut Key, i64),
    ) -> Result<KeyMetadata, KmsError> {
        let now = self.clock.now();
        let key = self
            .keys
            .get_mut(id)
            .ok_or_else(|| KmsError::new(ErrorName::NotFoundException, "Key does not exist"))?;
        key.check(use_)?;
        f(key, now);
        Ok(Self::metadata(key))
    }

    pub(super) fn enable_key_call(&mut self, caller: &Caller, key_id: &str) -> Result<KeyMetadata, KmsError> {
        self.change(caller, "kms:EnableKey", key_id, Use::Manage, |key, _| {
            key.state = KeyState::Enabled
        })
    }

    pub(super) fn disable_key_call(&mut self, caller: &Caller, key_id: &str) -> Result<KeyMetadata, KmsError> {
        self.change(caller, "kms:DisableKey", key_id, Use::Manage, |key, _| {
            key.state = KeyState::Disabled
        })
    }

    /// `ScheduleKeyDeletion`: 7–30 days, 30 by default (§12 #4).
    pub(super) fn schedule_key_deletion_call(
        &mut self,
        caller: &Caller,
        key_id: &str,
        pending_window_in_days: Option<i64>,
    ) -> Result<KeyMetadata, KmsError> {
        let days = pending_window_in_days.unwrap_or(30);
        if !(7..=30).contains(&days) {
            return Err(KmsError::new(
                ErrorName::ValidationException,
                format!("PendingWindowInDays must be between 7 and 30, not {days}."),
            ));
        }
        let mut context = Context::new();
        if let Some(given) = pending_window_in_days {
            context.insert_one("kms:ScheduleKeyDeletionPendingWindowInDays", given.to_string());
        }
        let region = self.region.clone();
        self.change_with(
            caller,
            "kms:ScheduleKeyDeletion",
            key_id,
            context,
            Use::Schedule,
            |key, now| {
                // A multi-Region primary waits for its replicas to be deleted
                // (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-delete.html).
                let waits = key
                    .replication
                    .as_ref()
                    .is_some_and(|r| r.primary_region == region && !r.replica_regions.is_empty());
                if waits {
                    key.state = KeyState::PendingReplicaDeletion;
                    key.pending_window_days = Some(days);
                } else {
                    key.state = KeyState::PendingDeletion;
                    key.deletion_date = Some(now + days * 86_400);
                }
            },
        )
    }

    /// `CancelKeyDeletion`: back to `Disabled` (§3.4).
    pub(super) fn cancel_key_deletion_call(&mut self, caller: &Caller, key_id: &str) -> Result<KeyMetadata, KmsError> {
        self.change(caller, "kms:CancelKeyDeletion", key_id, Use::Cancel, |key, _| {
            key.state = KeyState::Disabled;
            key.deletion_date = None;
            key.pending_window_days = None;
        })
    }

    /// `CreateAlias`: `alias/` prefix, `[a-zA-Z0-9:/_-]`, 1–256 characters,
    /// not `alias/aws/`; the name must be free. Authorized on the key.
    pub(super) fn create_alias_call(
        &mut self,
        caller: &Caller,
        alias_name: &str,
        target_key_id: &str,
    ) -> Result<Alias, KmsError> {
        check_alias_name(alias_name)?;
        if target_key_id.contains("alias/") {
            return Err(KmsError::new(
                ErrorName::ValidationException,
                "TargetKeyId must be a key ID or key ARN, not an alias.",
            ));
        }
        self.authorize_alias(caller, "kms:CreateAlias", alias_name)?;
        let key = self.authorized(caller, "kms:CreateAlias", target_key_id)?;
        // After authorization, so a caller without rights learns nothing of other aliases.
        if self.aliases.contains_key(alias_name) {
            return Err(KmsError::new(
                ErrorName::AlreadyExistsException,
                format!("An alias with the name {} already exists", self.alias_arn(alias_name)),
            ));
        }
        if self.aliases.values().filter(|a| a.target_key_id == key.id).count() >= MAX_ALIASES_PER_KEY {
            return Err(KmsError::new(
                ErrorName::LimitExceededException,
                format!("The key {} already has {MAX_ALIASES_PER_KEY} aliases.", key.arn),
            ));
        }
        key.check(Use::Manage)?;
        let alias = Alias {
            name: alias_name.to_owned(),
            arn: self.alias_arn(alias_name),
            target_key_id: key.id.clone(),
            created: self.clock.now(),
        };
        self.aliases.insert(alias_name.to_owned(), alias.clone());
        Ok(alias)
    }

    /// The alias half of an alias operation: the action on the alias ARN,
    /// which identity policies alone decide (§5.6).
    pub(super) fn authorize_alias(&self, caller: &Caller, action: &str, alias_name: &str) -> Result<(), KmsError> {
        self.authorize(
            &mut KmsRequest::new(caller.clone(), action, self.alias_arn(alias_name)),
            None,
        )
    }

    pub(super) fn delete_alias_call(&mut self, caller: &Caller, alias_name: &str) -> Result<(), KmsError> {
        check_alias_form(alias_name)?;
        self.authorize_alias(caller, "kms:DeleteAlias", alias_name)?;
        self.authorized(caller, "kms:DeleteAlias", alias_name)?;
        self.aliases.remove(alias_name);
        Ok(())
    }

    /// `ListAliases` (an IAM-only action), optionally for one key.
    pub(super) fn list_aliases_call(&self, caller: &Caller, key_id: Option<&str>) -> Result<Vec<Alias>, KmsError> {
        self.authorize(&mut KmsRequest::new(caller.clone(), "kms:ListAliases", "*"), None)?;
        let target = key_id
            .map(|k| self.resolve_for(caller, k).map(|key| key.id.clone()))
            .transpose()?;
        let mut aliases: Vec<Alias> = self
            .aliases
            .values()
            .filter(|a| target.as_ref().is_none_or(|t| *t == a.target_key_id))
            .cloned()
            .collect();
        if target.is_none() {
            aliases.extend(self.predefined_aliases());
            aliases.sort_by(|a, b| a.name.cmp(&b.name));
        }
        Ok(aliases)
    }
}

impl<C: Clock> Runtime<C> {
    pub(super) fn keys(&self) -> impl Iterator<Item = &Key> {
        self.keys.values()
    }

    pub(super) fn key_mut(&mut self, id: &str) -> Option<&mut Key> {
        self.keys.get_mut(id)
    }

    pub(super) fn aliases(&self) -> impl Iterator<Item = &Alias> {
        self.aliases.values()
    }

    pub(super) fn owned_keys(&self) -> impl Iterator<Item = &Key> {
        self.owned.values()
    }

    pub(super) fn replace(
        &mut self,
        keys: BTreeMap<String, Key>,
        owned: BTreeMap<String, Key>,
        aliases: BTreeMap<String, Alias>,
        grants: GrantBook,
    ) {
        self.keys = keys.into_iter().collect();
        self.owned = owned.into_iter().collect();
        self.aliases = aliases.into_iter().collect();
        self.grants = grants;
    }
}

/// §5.1: KMS accepts a key-policy statement without `Resource` or `Action`,
/// and it has no effect. When those are a policy's only problems, the policy
/// with each such statement given `"NotResource": "*"` or `"NotAction": "*"`
/// (which match nothing) and otherwise unchanged, so statement numbers stay.
fn inert_statements_made_explicit(errors: &[crate::policy::PolicyError], text: &str) -> Option<String> {
    use crate::policy::PolicyError;
    let only_inert = !errors.is_empty()
        && errors.iter().all(|e| {
            matches!(
                e,
                PolicyError::MissingElement {
                    element: "Resource" | "Action",
                    parent: "statement",
                    ..
                }
            )
        });
    if !only_inert {
        return None;
    }
    let mut document: serde_json::Value = serde_json::from_str(text).ok()?;
    let statements = match &mut document["Statement"] {
        serde_json::Value::Array(items) => items.iter_mut().collect::<Vec<_>>(),
        single @ serde_json::Value::Object(_) => vec![single],
        _ => return None,
    };
    for statement in statements {
        let fields = statement.as_object_mut()?;
        for (element, negated) in [("Resource", "NotResource"), ("Action", "NotAction")] {
            if !fields.contains_key(element) && !fields.contains_key(negated) {
                fields.insert(negated.to_owned(), serde_json::Value::String("*".to_owned()));
            }
        }
    }
    serde_json::to_string(&document).ok()
}

/// An alias name as `CreateAlias` and `UpdateAlias` take it: well formed,
/// and not one of the names reserved for AWS managed keys.
pub(super) fn check_alias_name(name: &str) -> Result<(), KmsError> {
    check_alias_form(name)?;
    if name.starts_with("alias/aws/") {
        return Err(KmsError::new(
            ErrorName::InvalidAliasNameException,
            "Alias names starting with alias/aws/ are reserved for AWS managed keys.",
        ));
    }
    Ok(())
}

/// The `alias/` prefix, 1 to 256 characters of `[a-zA-Z0-9/_-]`: the model's
/// pattern allows `:` too, but KMS refuses it in an alias name
/// (<https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html>:
/// "can contain only alphanumeric characters, forward slashes (/),
/// underscores (_), and dashes (-)"). Checked before any authorization.
pub(super) fn check_alias_form(name: &str) -> Result<(), KmsError> {
    if !name.starts_with("alias/") {
        return Err(KmsError::new(
            ErrorName::ValidationException,
            "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
        ));
    }
    let valid = (7..=256).contains(&name.len()) && name.chars().all(crate::kms::create_grant::is_name_char);
    if !valid {
        return Err(KmsError::constraint(
            Some(name),
            "aliasName",
            "satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
        ));
    }
    if name.contains(':') {
        return Err(KmsError::new(
            ErrorName::ValidationException,
            format!("{name} contains invalid characters for an alias"),
        ));
    }
    Ok(())
}

/// A random version-4 UUID, the form of KMS key ids and request ids.
pub(super) fn uuid() -> String {
    crate::crypto::random_uuid()
}

#[cfg(test)]
mod tests;
