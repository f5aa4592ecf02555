//! Files and streams in the AWS Encryption SDK message format, for
//! embedding: an [`Encryptor`] and a [`Decryptor`] over any `Read` and
//! `Write` (both `Send`: each thread reads and writes in its turn), whose data keys come from a [`Service`] through the `aws-kms`
//! keyring, so every data-key call is authorized and audited like any other.
//! Messages they write open with the official SDKs and CLI when those reach
//! the same keys (through `keyward serve`), and the other way round.
//!
//! ```
//! use keyward::envelope::{Decryptor, Encryptor};
//! use keyward::eval::Caller;
//! use keyward::kms::op::Json;
//! use keyward::kms::runtime::SystemClock;
//! use keyward::kms::{Authorizer, Service};
//! use keyward::store::MemoryStore;
//!
//! let kms = Service::open(Box::new(MemoryStore::new()), Authorizer::default(), SystemClock, "111122223333").unwrap();
//! let root = Caller::parse("arn:aws:iam::111122223333:root").unwrap();
//! let created = kms.call(&root, "us-east-1", &Json { operation: "CreateKey", request: &serde_json::json!({}) }).unwrap();
//! let key = created["KeyMetadata"]["Arn"].as_str().unwrap().to_owned();
//!
//! let mut message = Vec::new();
//! Encryptor::new(&kms, &root, "us-east-1", &[key])
//!     .context([("purpose", "example")])
//!     .encrypt(&mut &b"hello, world"[..], &mut message)
//!     .unwrap();
//!
//! let mut plaintext = Vec::new();
//! let opened = Decryptor::new(&kms, &root, "us-east-1")
//!     .require_context([("purpose", "example")])
//!     .decrypt(&mut &message[..], &mut plaintext)
//!     .unwrap();
//! assert_eq!(plaintext, b"hello, world");
//! assert_eq!(opened.context["purpose"], "example");
//! ```
//!
//! A [`Decryptor`] writes each frame's plaintext once its tag checks, but a
//! signed message is authenticated as a whole only at its end: on an error,
//! discard what was written (keyward's `decrypt-file` writes to a temporary
//! file and keeps it only on success).

use std::collections::BTreeMap;
use std::io::{Read, Write};

pub use crate::crypto::esdk::{CommitmentPolicy, EsdkError, Suite};
pub use crate::kms::stream::EnvelopeFailure;

use crate::crypto::envelope::Options;
use crate::crypto::esdk;
use crate::eval::Caller;
use crate::kms::runtime::Clock;
use crate::kms::stream::sdk::{OpenSettings, SdkOpener, SdkSealer, SealSettings};
use crate::kms::stream::ThroughService;
use crate::kms::Service;

fn pairs<'p>(pairs: impl IntoIterator<Item = (&'p str, &'p str)>) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

fn options(workers: usize) -> Options<'static> {
    Options {
        workers,
        progress: &|_| {},
    }
}

fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Writes messages whose data key each of `keys` can decrypt.
pub struct Encryptor<'a, C: Clock + Clone> {
    service: &'a Service<C>,
    caller: &'a Caller,
    region: &'a str,
    keys: Vec<String>,
    context: BTreeMap<String, String>,
    settings: SealSettings,
    workers: usize,
}

impl<'a, C: Clock + Clone> Encryptor<'a, C> {
    /// The default suite (key commitment, ECDSA P-384) and frame length (4096).
    pub fn new(service: &'a Service<C>, caller: &'a Caller, region: &'a str, keys: &[String]) -> Self {
        Encryptor {
            service,
            caller,
            region,
            keys: keys.to_vec(),
            context: BTreeMap::new(),
            settings: SealSettings::default(),
            workers: default_workers(),
        }
    }

    pub fn context<'p>(mut self, context: impl IntoIterator<Item = (&'p str, &'p str)>) -> Self {
        self.context = pairs(context);
        self
    }

    pub fn suite(mut self, suite: Suite) -> Self {
        self.settings.suite = suite;
        self
    }

    pub fn commitment_policy(mut self, policy: CommitmentPolicy) -> Self {
        self.settings.policy = policy;
        self
    }

    pub fn frame_length(mut self, frame_length: u32) -> Self {
        self.settings.frame_length = frame_length;
        self
    }

    /// Threads that seal frames (default: one per core).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    /// Gets a data key from the service, then writes the message; returns
    /// the plaintext bytes sealed.
    pub fn encrypt(
        &self,
        input: &mut (impl Read + Send),
        output: &mut (impl Write + Send),
    ) -> Result<u64, EnvelopeFailure> {
        let mut kms = ThroughService::new(self.service, self.caller, self.region);
        let sealer = SdkSealer::new(&mut kms, &self.keys, &self.context, &self.settings)?;
        Ok(sealer.seal(input, output, &options(self.workers))?)
    }
}

/// What a decrypted message said.
#[derive(Clone, Debug)]
pub struct Opened {
    pub bytes: u64,
    /// The wrapping key that decrypted the data key.
    pub key_arn: String,
    /// The message's encryption context, without the SDK's own pairs.
    pub context: BTreeMap<String, String>,
    pub suite: Suite,
}

/// Reads messages, decrypting the data key through the service.
pub struct Decryptor<'a, C: Clock + Clone> {
    service: &'a Service<C>,
    caller: &'a Caller,
    region: &'a str,
    settings: OpenSettings,
    max_keys: Option<usize>,
    workers: usize,
}

impl<'a, C: Clock + Clone> Decryptor<'a, C> {
    /// Discovery mode (any `aws-kms` key of the message the caller may use)
    /// under the SDK's default commitment policy.
    pub fn new(service: &'a Service<C>, caller: &'a Caller, region: &'a str) -> Self {
        Decryptor {
            service,
            caller,
            region,
            settings: OpenSettings::default(),
            max_keys: None,
            workers: default_workers(),
        }
    }

    /// Pairs the message's context must hold (it may hold more).
    pub fn require_context<'p>(mut self, context: impl IntoIterator<Item = (&'p str, &'p str)>) -> Self {
        self.settings.required_context = pairs(context);
        self
    }

    /// Strict mode: only these wrapping keys.
    pub fn keys(mut self, keys: &[String]) -> Self {
        self.settings.keys = keys.to_vec();
        self
    }

    /// Discovery filter: keys of these accounts in this partition only.
    pub fn discovery_filter(mut self, partition: &str, accounts: &[&str]) -> Self {
        self.settings.discovery_filter = Some((partition.to_owned(), accounts.iter().map(|a| a.to_string()).collect()));
        self
    }

    pub fn commitment_policy(mut self, policy: CommitmentPolicy) -> Self {
        self.settings.policy = policy;
        self
    }

    pub fn max_encrypted_data_keys(mut self, max: usize) -> Self {
        self.max_keys = Some(max);
        self
    }

    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    /// Reads the header, has the service decrypt a data key, then writes
    /// the plaintext. On an error, discard what was written.
    pub fn decrypt(
        &self,
        input: &mut (impl Read + Send),
        output: &mut (impl Write + Send),
    ) -> Result<Opened, EnvelopeFailure> {
        let read = esdk::read_header(input, self.max_keys)?;
        let mut kms = ThroughService::new(self.service, self.caller, self.region);
        let opener = SdkOpener::new(&mut kms, &self.settings, read)?;
        let bytes = opener.open(input, output, &options(self.workers))?;
        Ok(Opened {
            bytes,
            key_arn: opener.key_arn().to_owned(),
            context: opener.context(),
            suite: opener.header().suite,
        })
    }
}
