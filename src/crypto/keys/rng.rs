//! The operating system's random source, in the two shapes the crates ask
//! for. As [`crate::crypto::random_bytes`]: without it the process cannot do
//! cryptography safely, so a failure stops it.

use getrandom::SysRng;
use rand_core::UnwrapErr;

/// A fallible RNG (`TryCryptoRng`), for the crates that report failures.
pub(super) fn fallible() -> SysRng {
    SysRng
}

/// An infallible RNG (`CryptoRng`) that panics if the system source fails.
pub(super) fn infallible() -> UnwrapErr<SysRng> {
    UnwrapErr(SysRng)
}
