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

/// Reads back what [`canonical`] wrote; `None` unless `bytes` is exactly one
/// canonical encoding (pairs in strictly increasing key order, UTF-8).
pub fn decode_canonical(bytes: &[u8]) -> Option<BTreeMap<String, String>> {
    let mut reader = Reader(bytes);
    let count = reader.length()?;
    let mut context = BTreeMap::new();
    for _ in 0..count {
        let key = reader.text()?;
        let value = reader.text()?;
        if context
            .last_key_value()
            .is_some_and(|(last, _): (&String, _)| *last >= key)
        {
            return None;
        }
        context.insert(key, value);
    }
    reader.0.is_empty().then_some(context)
}

/// The unread rest of an encoding.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }

    fn length(&mut self) -> Option<usize> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?) as usize)
    }

    fn text(&mut self) -> Option<String> {
        let n = self.length()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}
