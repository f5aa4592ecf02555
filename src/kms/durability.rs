//! [`AuditDurability`]: whether a call that changed nothing (an `Encrypt`,
//! a `Decrypt`, a refused call) answers only once its audit record is on
//! disk, or as soon as the record is handed to the store's writer. A call
//! that changes keys, aliases or grants always waits for its commit.

use std::fmt;
use std::str::FromStr;

/// When the audit record of a call that changed nothing is durable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuditDurability {
    /// Before the answer (the default): an acknowledged call's record
    /// survives a crash.
    #[default]
    Sync,
    /// Soon after the answer: the record is queued for the store's writer,
    /// which commits it with the next group commit (one transaction behind
    /// at most). A crash loses the records still queued; a failed commit is
    /// reported by the store (`store::Options::on_lost`), not to the caller.
    /// State changes are still committed before their answer.
    Batched,
}

impl AuditDurability {
    /// The names `--audit-durability` takes.
    pub const NAMES: [&'static str; 2] = ["sync", "batched"];
}

impl FromStr for AuditDurability {
    type Err = String;

    fn from_str(text: &str) -> Result<AuditDurability, String> {
        match text {
            "sync" => Ok(AuditDurability::Sync),
            "batched" => Ok(AuditDurability::Batched),
            other => Err(format!(
                "`{other}` is not an audit durability; use `sync` (records on disk before the answer) or `batched` (records committed by the writer right after it)"
            )),
        }
    }
}

impl fmt::Display for AuditDurability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuditDurability::Sync => "sync",
            AuditDurability::Batched => "batched",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::AuditDurability;

    #[test]
    fn audit_durability_reads_its_two_names_and_refuses_others_saying_which_exist() {
        for name in AuditDurability::NAMES {
            assert_eq!(name.parse::<AuditDurability>().unwrap().to_string(), name);
        }
        let refused = "async".parse::<AuditDurability>().unwrap_err();
        assert!(refused.contains("`async`") && refused.contains("`sync`") && refused.contains("`batched`"));
    }
}
