//! The proptest settings every property module shares.

use proptest::prelude::ProptestConfig;
use proptest::test_runner::FileFailurePersistence;

/// The regression file of one property, in `tests/proptest-regressions/`.
macro_rules! regressions {
    ($name:literal) => {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/proptest-regressions/",
            $name,
            ".txt"
        )
    };
}

/// 256 cases each (a few seconds for all properties in a debug build);
/// `PROPTEST_CASES=100000` runs a longer soak.
pub fn config(regressions: &'static str) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
        ..ProptestConfig::default()
    }
}
