//! The canonical, injective encoding of an encryption context: the number
//! of pairs, then each pair in key order as key length, key, value length,
//! value (lengths as 4-byte big-endian). Keys and values are compared and
//! encoded exactly, case included, as AWS binds them.

use std::collections::BTreeMap;

pub fn canonical(context: &BTreeMap<String, String>) -> Vec<u8> {
    let size = 4 + context.iter().map(|(k, v)| 8 + k.len() + v.len()).sum::<usize>();
    let mut out = Vec::with_capacity(size);
    let length = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes();
    out.extend_from_slice(&length(context.len()));
    // BTreeMap iterates in byte order of the keys.
    for (key, value) in context {
        out.extend_from_slice(&length(key.len()));
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(&length(value.len()));
        out.extend_from_slice(value.as_bytes());
    }
    out
}
