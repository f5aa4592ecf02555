//! The proxy calls of one KMS call, made while the service's state is
//! unlocked. A call that needs an external key store proxy runs in rounds:
//! under the lock it runs up to the first [`ProxyCall`] its [`ProxyCalls`]
//! has no answer for, leaves that call there as wanted and fails; the
//! service undoes the round, makes the wanted call with the lock released,
//! files the answer and runs the call again. What a round draws at random
//! for a proxy (a data key, the inner blob the proxy encrypts) is replayed
//! by the next round ([`ProxyCalls::replayed`]), so the answer fits it.
//! Without a `ProxyCalls` (a REPL statement, which cannot be run twice)
//! the runtime calls the proxy at once.

use std::any::Any;

use zeroize::Zeroizing;

use super::external_key_store::{
    ExternalKeyMetadata, ProxyFailure, ProxyRequest, ProxySecret, ProxyTarget, XksProxies,
};
use crate::crypto::OuterLayer;

/// Where a proxy is and how requests to it are signed: an owned
/// [`ProxyTarget`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub uri_endpoint: String,
    pub uri_path: String,
    pub access_key_id: String,
    pub secret: ProxySecret,
    pub region: String,
}

/// What is asked of the proxy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ask {
    Health,
    KeyMetadata {
        key_id: String,
    },
    Encrypt {
        key_id: String,
        plaintext: Vec<u8>,
        aad: Vec<u8>,
    },
    Decrypt {
        key_id: String,
        sealed: OuterLayer,
        aad: Vec<u8>,
    },
}

/// One request to a proxy, with the `requestMetadata` it carries (a fresh
/// `kmsRequestId` is given each time it is made).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ProxyCall {
    pub(crate) endpoint: Endpoint,
    pub(crate) ask: Ask,
    pub(crate) principal_arn: String,
    pub(crate) key_arn: Option<String>,
    pub(crate) operation: String,
}

/// A proxy's answer to a [`ProxyCall`].
#[derive(Clone, Debug)]
pub(crate) enum ProxyAnswer {
    Health(Vec<String>),
    KeyMetadata(ExternalKeyMetadata),
    Encrypted(OuterLayer),
    Decrypted(Zeroizing<Vec<u8>>),
}

impl ProxyCall {
    /// Sends the call through `proxies`: blocks for as long as the proxy
    /// takes, up to its timeout.
    pub(crate) fn answer(&self, proxies: &dyn XksProxies) -> Result<ProxyAnswer, ProxyFailure> {
        let target = ProxyTarget {
            uri_endpoint: &self.endpoint.uri_endpoint,
            uri_path: &self.endpoint.uri_path,
            access_key_id: &self.endpoint.access_key_id,
            secret: &self.endpoint.secret,
            region: &self.endpoint.region,
        };
        let request_id = super::uuid();
        let request = ProxyRequest {
            principal_arn: &self.principal_arn,
            key_arn: self.key_arn.as_deref(),
            operation: &self.operation,
            request_id: &request_id,
        };
        match &self.ask {
            Ask::Health => proxies.health(&target, &request).map(ProxyAnswer::Health),
            Ask::KeyMetadata { key_id } => proxies
                .key_metadata(&target, key_id, &request)
                .map(ProxyAnswer::KeyMetadata),
            Ask::Encrypt { key_id, plaintext, aad } => proxies
                .encrypt(&target, key_id, plaintext, aad, &request)
                .map(ProxyAnswer::Encrypted),
            Ask::Decrypt { key_id, sealed, aad } => proxies
                .decrypt(&target, key_id, sealed, aad, &request)
                .map(ProxyAnswer::Decrypted),
        }
    }
}

/// The proxy calls of one KMS call across its rounds: the answers so far,
/// the call the last round wanted, and what it drew at random.
#[derive(Default)]
pub(crate) struct ProxyCalls {
    answered: Vec<(ProxyCall, Result<ProxyAnswer, ProxyFailure>)>,
    wanted: Option<ProxyCall>,
    /// `(what it was drawn for, what was drawn)`, in the order drawn.
    drawn: Vec<Box<dyn Any + Send>>,
    /// The next draw of this round.
    next: usize,
}

impl ProxyCalls {
    /// A new round: draws are replayed from the first.
    pub fn begin_round(&mut self) {
        self.next = 0;
        self.wanted = None;
    }

    /// The call the round wanted and had no answer for, if any.
    pub fn take_wanted(&mut self) -> Option<ProxyCall> {
        self.wanted.take()
    }

    /// Files the answer to `call`, made outside the lock.
    pub fn file(&mut self, call: ProxyCall, proxies: &dyn XksProxies) {
        let answer = call.answer(proxies);
        self.answered.push((call, answer));
    }

    /// The answer to `call` if it was made; otherwise `call` is wanted (the
    /// first of the round) and the round fails with
    /// [`ProxyFailure::Deferred`].
    pub(crate) fn answer(&mut self, call: ProxyCall) -> Result<ProxyAnswer, ProxyFailure> {
        if let Some((_, answer)) = self.answered.iter().find(|(made, _)| *made == call) {
            return answer.clone();
        }
        self.wanted.get_or_insert(call);
        Err(ProxyFailure::Deferred)
    }

    /// What the previous round drew at this point for `purpose`, or a
    /// fresh `make()` (kept for the next round).
    pub(crate) fn replayed<K, T>(&mut self, purpose: K, make: impl FnOnce() -> T) -> T
    where
        K: PartialEq + Send + 'static,
        T: Clone + Send + 'static,
    {
        let at = self.next;
        self.next += 1;
        let earlier = self
            .drawn
            .get(at)
            .and_then(|d| d.downcast_ref::<(K, T)>())
            .filter(|(k, _)| *k == purpose);
        if let Some((_, value)) = earlier {
            return value.clone();
        }
        // The round went another way: what was drawn after this point no
        // longer applies.
        self.drawn.truncate(at);
        let value = make();
        self.drawn.push(Box::new((purpose, value.clone())));
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(operation: &str) -> ProxyCall {
        ProxyCall {
            endpoint: Endpoint {
                uri_endpoint: "http://127.0.0.1:1".into(),
                uri_path: "/kms/xks/v1".into(),
                access_key_id: "AKIAXKSKEYSTESTABCDE".into(),
                secret: ProxySecret::new("s"),
                region: "us-east-1".into(),
            },
            ask: Ask::Health,
            principal_arn: String::new(),
            key_arn: None,
            operation: operation.into(),
        }
    }

    #[test]
    fn an_unanswered_call_is_wanted_once_and_the_round_is_deferred() {
        let mut calls = ProxyCalls::default();
        calls.begin_round();
        assert!(matches!(calls.answer(call("A")), Err(ProxyFailure::Deferred)));
        assert!(matches!(calls.answer(call("B")), Err(ProxyFailure::Deferred)));
        assert_eq!(calls.take_wanted().map(|c| c.operation), Some("A".to_owned()));
        assert!(calls.take_wanted().is_none());
    }

    #[test]
    fn a_draw_is_replayed_in_the_next_round_for_the_same_purpose_only() {
        let mut calls = ProxyCalls::default();
        calls.begin_round();
        let first: Vec<u8> = calls.replayed("key", || vec![1]);
        let second: Vec<u8> = calls.replayed("blob", || vec![2]);
        calls.begin_round();
        assert_eq!(calls.replayed("key", || vec![9]), first);
        assert_eq!(calls.replayed("blob", || vec![9]), second);
        calls.begin_round();
        // Another purpose at the first draw: fresh, and the later draws are
        // forgotten.
        assert_eq!(calls.replayed("other", || vec![3]), vec![3]);
        assert_eq!(calls.replayed("blob", || vec![4]), vec![4]);
    }
}
