//! Condition operators as AWS spells them: a base operator (`StringEquals`),
//! an optional set qualifier (`ForAllValues:` / `ForAnyValue:`) and an optional
//! `IfExists` suffix. Parsing is exact: AWS documents one spelling for each.

use std::fmt;
use std::str::FromStr;

/// The operator of a condition block, e.g. `ForAnyValue:StringLikeIfExists`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operator {
    pub qualifier: Option<SetQualifier>,
    pub base: BaseOperator,
    pub if_exists: bool,
}

/// How a multi-valued context key is compared (IAM §8.5 of the reference).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

macro_rules! base_operators {
    ($($name:ident),* $(,)?) => {
        /// The comparison itself, without qualifier or `IfExists`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum BaseOperator { $($name),* }

        impl BaseOperator {
            pub const ALL: &'static [BaseOperator] = &[$(BaseOperator::$name),*];

            pub const fn as_str(self) -> &'static str {
                match self { $(BaseOperator::$name => stringify!($name)),* }
            }
        }
    };
}

base_operators!(
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
);

impl BaseOperator {
    /// Negated operators match when the request value matches *none* of the
    /// policy values, and are true when the key is absent (§8.3).
    pub const fn is_negated(self) -> bool {
        use BaseOperator::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }
}

impl SetQualifier {
    pub const fn as_str(self) -> &'static str {
        match self {
            SetQualifier::ForAllValues => "ForAllValues",
            SetQualifier::ForAnyValue => "ForAnyValue",
        }
    }
}

impl Operator {
    /// Every spelling AWS accepts, for suggestions and completion.
    pub fn all() -> impl Iterator<Item = Operator> {
        let qualifiers = [None, Some(SetQualifier::ForAllValues), Some(SetQualifier::ForAnyValue)];
        qualifiers.into_iter().flat_map(|qualifier| {
            BaseOperator::ALL.iter().flat_map(move |&base| {
                [false, true]
                    .into_iter()
                    .map(move |if_exists| Operator {
                        qualifier,
                        base,
                        if_exists,
                    })
                    .filter(Operator::is_valid)
            })
        })
    }

    /// `Null` takes neither `IfExists` nor a set qualifier.
    fn is_valid(&self) -> bool {
        self.base != BaseOperator::Null || (!self.if_exists && self.qualifier.is_none())
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(q) = self.qualifier {
            write!(f, "{}:", q.as_str())?;
        }
        f.write_str(self.base.as_str())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

/// The name is not an operator AWS accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownOperator;

impl FromStr for Operator {
    type Err = UnknownOperator;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let (qualifier, rest) = match name.split_once(':') {
            Some(("ForAllValues", rest)) => (Some(SetQualifier::ForAllValues), rest),
            Some(("ForAnyValue", rest)) => (Some(SetQualifier::ForAnyValue), rest),
            Some(_) => return Err(UnknownOperator),
            None => (None, name),
        };
        let (base_name, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let base = BaseOperator::ALL
            .iter()
            .copied()
            .find(|b| b.as_str() == base_name)
            .ok_or(UnknownOperator)?;
        let op = Operator {
            qualifier,
            base,
            if_exists,
        };
        if op.is_valid() {
            Ok(op)
        } else {
            Err(UnknownOperator)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_round_trips() {
        let all: Vec<Operator> = Operator::all().collect();
        // 26 operators × 3 qualifiers × 2 (IfExists), plus bare `Null`.
        assert_eq!(all.len(), 26 * 3 * 2 + 1);
        for op in all {
            assert_eq!(op.to_string().parse::<Operator>(), Ok(op));
        }
    }

    #[test]
    fn parses_qualifier_and_if_exists() {
        let op: Operator = "ForAnyValue:StringLikeIfExists".parse().unwrap();
        assert_eq!(op.qualifier, Some(SetQualifier::ForAnyValue));
        assert_eq!(op.base, BaseOperator::StringLike);
        assert!(op.if_exists);
    }

    #[test]
    fn rejects_misspellings_and_null_variants() {
        for bad in [
            "StringEqual",
            "stringequals",
            "ForAllValue:StringLike",
            "NullIfExists",
            "ForAnyValue:Null",
            "IfExists",
            "",
        ] {
            assert_eq!(bad.parse::<Operator>(), Err(UnknownOperator), "{bad}");
        }
    }
}
