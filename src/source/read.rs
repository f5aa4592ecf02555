//! Bringing input in: every file or stdin keyward reads goes through here,
//! under a size limit for its [`Kind`]. At most one byte more than the limit
//! is ever read, so an oversized input costs no more memory than the limit.
//!
//! | kind | default | what |
//! |---|---|---|
//! | `policy` | 4 MiB | policy and grant documents (`check`, `lint`, `fmt`, `simulate`, suites, the REPL) |
//! | `suite` | 16 MiB | test suites (`keyward test`) |
//! | `request` | 1 MiB | `simulate --request` |
//! | `script` | 16 MiB | session scripts (`keyward run`) |
//! | `accounts` | 16 MiB | accounts files |
//! | `config` | 1 MiB | `keyward.toml` |
//! | `catalogue` | 64 MiB | an IAM catalogue (`lint --catalogue`), each file of one |
//! | `param` | 1 MiB | a value given as `file://`, `fileb://` or `-` (the KMS commands, `--cli-input-json`, `import-wrap`'s files) |
//! | `envelope-header` | 1 MiB | the header of an envelope or Encryption SDK file (`decrypt-file`, the REPL, `envelope::Decryptor`), read through [`Bounded`] |
//!
//! The binary raises a limit with `--input-limit KIND=SIZE` (see
//! [`Kind::set_limit`]); a library user calls `set_limit` itself. Request
//! bodies sent to `keyward serve` are bounded by its own `--max-body-bytes`
//! (256 KiB), as they arrive.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use miette::Diagnostic;
use thiserror::Error;
use zeroize::Zeroizing;

/// What an input is, which decides its size limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Policy,
    Suite,
    Request,
    Script,
    Accounts,
    Config,
    Catalogue,
    EnvelopeHeader,
    Parameter,
}

const MIB: u64 = 1 << 20;

/// The limits in force, by `Kind as usize`; starts at the defaults.
static LIMITS: [AtomicU64; 9] = [
    AtomicU64::new(Kind::Policy.default_limit()),
    AtomicU64::new(Kind::Suite.default_limit()),
    AtomicU64::new(Kind::Request.default_limit()),
    AtomicU64::new(Kind::Script.default_limit()),
    AtomicU64::new(Kind::Accounts.default_limit()),
    AtomicU64::new(Kind::Config.default_limit()),
    AtomicU64::new(Kind::Catalogue.default_limit()),
    AtomicU64::new(Kind::EnvelopeHeader.default_limit()),
    AtomicU64::new(Kind::Parameter.default_limit()),
];

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Policy,
        Kind::Suite,
        Kind::Request,
        Kind::Script,
        Kind::Accounts,
        Kind::Config,
        Kind::Catalogue,
        Kind::EnvelopeHeader,
        Kind::Parameter,
    ];

    /// The name `--input-limit` takes.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Policy => "policy",
            Kind::Suite => "suite",
            Kind::Request => "request",
            Kind::Script => "script",
            Kind::Accounts => "accounts",
            Kind::Config => "config",
            Kind::Catalogue => "catalogue",
            Kind::EnvelopeHeader => "envelope-header",
            Kind::Parameter => "param",
        }
    }

    /// What the input is, for messages ("the limit for policy documents").
    pub const fn described(self) -> &'static str {
        match self {
            Kind::Policy => "policy documents",
            Kind::Suite => "test suites",
            Kind::Request => "requests",
            Kind::Script => "session scripts",
            Kind::Accounts => "accounts files",
            Kind::Config => "configuration files",
            Kind::Catalogue => "catalogues",
            Kind::EnvelopeHeader => "envelope headers",
            Kind::Parameter => "parameter files",
        }
    }

    pub const fn default_limit(self) -> u64 {
        match self {
            Kind::Policy => 4 * MIB,
            Kind::Suite | Kind::Script | Kind::Accounts => 16 * MIB,
            Kind::Request | Kind::Config | Kind::EnvelopeHeader | Kind::Parameter => MIB,
            Kind::Catalogue => 64 * MIB,
        }
    }

    /// The limit in force, in bytes.
    pub fn limit(self) -> u64 {
        LIMITS[self as usize].load(Ordering::Relaxed)
    }

    /// Sets the limit for the rest of the process.
    pub fn set_limit(self, bytes: u64) {
        LIMITS[self as usize].store(bytes, Ordering::Relaxed);
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The flag that raises this limit, as messages name it.
    pub fn flag(self) -> String {
        format!("--input-limit {}=SIZE", self.name())
    }
}

/// Why an input could not be read.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum ReadError {
    #[error("cannot read `{name}`: {message}")]
    #[diagnostic(code("keyward::input::unreadable"))]
    Unreadable { name: String, message: String },

    /// The message names the flag itself: many callers pass it on as text.
    #[error("{} is larger than the {} limit for {} (raise it with `{}`)", subject(name, *kind), size(*limit), kind.described(), kind.flag())]
    #[diagnostic(code("keyward::input::too-large"))]
    TooLarge { name: String, kind: Kind, limit: u64 },

    #[error("`{name}` is not UTF-8 text: invalid byte at offset {offset}")]
    #[diagnostic(code("keyward::input::invalid-utf8"), help("re-save the file as UTF-8"))]
    NotUtf8 { name: String, offset: usize },
}

impl ReadError {
    /// The message without the input's name, for callers that name it
    /// themselves ("cannot read suite `x`: …").
    pub fn reason(&self) -> String {
        match self {
            ReadError::Unreadable { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}

/// What a too-large message says is too large: the input, or for an
/// envelope header (read before the rest of its file), the header of it.
fn subject(name: &str, kind: Kind) -> String {
    match (kind, name) {
        (Kind::EnvelopeHeader, "") => "the message header".to_owned(),
        (Kind::EnvelopeHeader, name) => format!("the header of `{name}`"),
        (_, name) => format!("`{name}`"),
    }
}

/// A path as messages show it; `-` is standard input.
pub fn display_name(path: &Path) -> String {
    if is_stdin(path) {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The bytes of a file, or of standard input for `-`.
pub fn bytes(path: &Path, kind: Kind) -> Result<Vec<u8>, ReadError> {
    let name = display_name(path);
    if is_stdin(path) {
        return from_reader(std::io::stdin().lock(), &name, kind, 0);
    }
    let file = std::fs::File::open(path).map_err(|e| unreadable(&name, &e))?;
    // A hint for the buffer, never more than the limit allows.
    let hint = file.metadata().map_or(0, |m| m.len());
    from_reader(file, &name, kind, hint)
}

/// The UTF-8 text of a file, or of standard input for `-`.
pub fn text(path: &Path, kind: Kind) -> Result<String, ReadError> {
    let name = display_name(path);
    String::from_utf8(bytes(path, kind)?).map_err(|e| ReadError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
        name,
    })
}

/// Like [`bytes()`], for inputs holding secrets (a plaintext, key material):
/// read by [`secret_from_reader`], so no copy of them is left in freed memory.
pub fn secret_bytes(path: &Path, kind: Kind) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    let name = display_name(path);
    if is_stdin(path) {
        return secret_from_reader(std::io::stdin().lock(), &name, kind, 0);
    }
    let file = std::fs::File::open(path).map_err(|e| unreadable(&name, &e))?;
    let hint = file.metadata().map_or(0, |m| m.len());
    secret_from_reader(file, &name, kind, hint)
}

/// Like [`text`], for inputs holding secrets (accounts files hold secret
/// access keys): read as [`secret_bytes`] and wiped when dropped.
pub fn secret_text(path: &Path, kind: Kind) -> Result<Zeroizing<String>, ReadError> {
    let name = display_name(path);
    let bytes = secret_bytes(path, kind)?;
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(e) => Err(ReadError::NotUtf8 {
            offset: e.valid_up_to(),
            name,
        }),
    }
}

/// Reads all of `reader` (named `name` in errors) under `kind`'s limit;
/// `hint` is the expected size, when known, for the first allocation.
pub fn from_reader(reader: impl Read, name: &str, kind: Kind, hint: u64) -> Result<Vec<u8>, ReadError> {
    let limit = kind.limit();
    let capacity = usize::try_from(hint.min(limit).saturating_add(1)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(name, &e))?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            name: name.to_owned(),
            kind,
            limit,
        });
    }
    Ok(bytes)
}

/// Like [`from_reader`], for secrets: the buffer grows by copying into a
/// larger zeroized one, so no outgrown buffer is freed with the secret still
/// in it (as `read_to_end` would leave it), and it never grows past the
/// limit and one byte.
pub fn secret_from_reader(
    reader: impl Read,
    name: &str,
    kind: Kind,
    hint: u64,
) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    const FIRST: u64 = 8192;
    let limit = kind.limit();
    let most = limit.saturating_add(1);
    let mut reader = reader.take(most);
    let grow_to = |len: usize| usize::try_from((len as u64).saturating_mul(2).min(most)).unwrap_or(usize::MAX);
    let first = usize::try_from(hint.saturating_add(1).max(FIRST).min(most)).unwrap_or(0);
    let mut buffer = Zeroizing::new(vec![0u8; first]);
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            let larger = grow_to(buffer.len().max(1));
            if larger <= buffer.len() {
                break;
            }
            let mut next = Zeroizing::new(vec![0u8; larger]);
            next[..filled].copy_from_slice(&buffer[..filled]);
            buffer = next;
        }
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(unreadable(name, &e)),
        }
    }
    if filled as u64 > limit {
        return Err(ReadError::TooLarge {
            name: name.to_owned(),
            kind,
            limit,
        });
    }
    buffer.truncate(filled);
    Ok(buffer)
}

/// A stream read under `kind`'s limit without reading it whole: for an
/// input that is parsed as it arrives and followed by more data, such as an
/// envelope file's header before its frames. It yields at most the limit,
/// and a read past it fails with [`ReadError::TooLarge`]'s message (as an
/// `io::Error` of kind `InvalidData`, whose inner error is the `ReadError`).
///
/// ```
/// use std::io::Read;
/// use keyward::source::read::{Bounded, Kind};
///
/// let file = vec![0u8; 2 << 20];
/// let mut header = Bounded::new(&file[..], "big.kwe", Kind::EnvelopeHeader);
/// let mut first = [0u8; 64];
/// header.read_exact(&mut first).expect("within the limit");
/// let error = std::io::copy(&mut header, &mut std::io::sink()).unwrap_err();
/// assert!(error.to_string().contains("--input-limit envelope-header=SIZE"));
/// ```
pub struct Bounded<R> {
    inner: R,
    left: u64,
    name: String,
    kind: Kind,
}

impl<R: Read> Bounded<R> {
    pub fn new(inner: R, name: &str, kind: Kind) -> Bounded<R> {
        Bounded {
            inner,
            left: kind.limit(),
            name: name.to_owned(),
            kind,
        }
    }

    /// The stream, to read what follows (the frames) without the limit.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let error = ReadError::TooLarge {
                name: self.name.clone(),
                kind: self.kind,
                limit: self.kind.limit(),
            };
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, error));
        }
        let wanted = usize::try_from(self.left).map_or(buf.len(), |left| left.min(buf.len()));
        let n = self.inner.read(&mut buf[..wanted])?;
        self.left = self.left.saturating_sub(n as u64);
        Ok(n)
    }
}

fn unreadable(name: &str, error: &std::io::Error) -> ReadError {
    ReadError::Unreadable {
        name: name.to_owned(),
        message: error.to_string(),
    }
}

/// A size as people write it: `4 MiB`, `512 KiB`, `100 bytes`.
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b >= MIB && b.is_multiple_of(MIB) => format!("{} MiB", b / MIB),
        b if b >= 1024 && b.is_multiple_of(1024) => format!("{} KiB", b / 1024),
        1 => "1 byte".to_owned(),
        b => format!("{b} bytes"),
    }
}

/// Parses a size: a number of bytes with an optional unit (`K`, `KiB`,
/// `M`, `MiB`, `G`, `GiB`; binary multiples, case ignored).
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let number: u64 = text[..digits].parse().ok()?;
    let unit = text[digits..].trim().to_ascii_lowercase();
    let multiple: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" | "kib" | "kb" => 1 << 10,
        "m" | "mib" | "mb" => 1 << 20,
        "g" | "gib" | "gb" => 1 << 30,
        _ => return None,
    };
    number.checked_mul(multiple)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounded_stream_yields_its_limit_then_fails_naming_the_flag() {
        let limit = Kind::EnvelopeHeader.limit() as usize;
        let input = vec![7u8; limit + 10];
        let mut bounded = Bounded::new(&input[..], "f.kwe", Kind::EnvelopeHeader);
        let mut head = vec![0u8; limit];
        bounded.read_exact(&mut head).expect("the limit itself is read");
        let error = bounded.read(&mut [0u8; 1]).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
        assert!(
            error.to_string().contains("--input-limit envelope-header=SIZE"),
            "{error}"
        );
        let mut rest = Vec::new();
        bounded.into_inner().read_to_end(&mut rest).expect("the rest");
        assert_eq!(rest.len(), 10);
    }

    #[test]
    fn an_input_over_its_limit_is_refused_naming_the_limit_and_the_flag() {
        let input = vec![b'x'; (Kind::Request.limit() + 1) as usize];
        let error = from_reader(&input[..], "big.json", Kind::Request, 0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`big.json` is larger than the 1 MiB limit for requests (raise it with `--input-limit request=SIZE`)"
        );
    }

    #[test]
    fn an_input_at_its_limit_is_read_whole() {
        let input = vec![b'x'; Kind::Config.limit() as usize];
        assert_eq!(
            from_reader(&input[..], "c", Kind::Config, 1 << 40).map(|b| b.len()),
            Ok(input.len())
        );
    }

    /// Hands out at most three bytes a call, as a pipe may.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(3);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_secret_read_in_small_pieces_comes_back_whole() {
        let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        let read = secret_from_reader(Trickle(&data), "-", Kind::Parameter, 0).expect("read");
        assert_eq!(read.as_slice(), data.as_slice());
        let empty = secret_from_reader(Trickle(b""), "-", Kind::Parameter, 0).expect("read");
        assert!(empty.is_empty());
    }

    #[test]
    fn a_secret_over_its_limit_is_refused_naming_the_flag() {
        let input = vec![b'x'; (Kind::Parameter.limit() + 1) as usize];
        let error = secret_from_reader(Trickle(&input), "<stdin>", Kind::Parameter, 0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`<stdin>` is larger than the 1 MiB limit for parameter files (raise it with `--input-limit param=SIZE`)"
        );
        let at_limit = &input[..input.len() - 1];
        let read = secret_from_reader(at_limit, "f", Kind::Parameter, 1 << 40).expect("at the limit");
        assert_eq!(read.len(), at_limit.len());
    }

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("4MiB"), Some(4 << 20));
        assert_eq!(parse_size("64k"), Some(64 << 10));
        assert_eq!(parse_size("100"), Some(100));
        assert_eq!(parse_size("1 GiB"), Some(1 << 30));
        assert_eq!(parse_size("many"), None);
        assert_eq!(parse_size("99999999999999999999G"), None);
        assert_eq!(size(4 << 20), "4 MiB");
        assert_eq!(size(1000), "1000 bytes");
    }

    #[test]
    fn every_kind_is_named_once() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
            assert_eq!(Kind::ALL[kind as usize], kind);
        }
    }
}
