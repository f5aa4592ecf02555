//! Pagination of the list operations: `Limit` and `Marker` in, `NextMarker`
//! and `Truncated` out (§2, `ListKeys`, `ListAliases`, `ListGrants`,
//! `ListRetirableGrants`).
//!
//! A list is in a fixed order (key id, alias name, grant id), and a marker
//! names the last item of the page before. The next page starts after that
//! name, so keys, aliases or grants created or deleted between two calls
//! neither repeat nor skip the others. A marker keyward did not give out is
//! refused with `InvalidMarkerException`.

use crate::kms::error::{ErrorName, KmsError};

/// The `Limit` and `Marker` of a list request; the default asks for the
/// first page at the operation's default size.
#[derive(Clone, Copy, Debug, Default)]
pub struct Paging<'a> {
    pub limit: Option<i64>,
    pub marker: Option<&'a str>,
}

/// One page of a list response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next_marker: Option<String>,
}

impl<T> Page<T> {
    /// AWS's `Truncated`: more items follow.
    pub fn truncated(&self) -> bool {
        self.next_marker.is_some()
    }
}

/// The page sizes of one operation: the default, and the most one page
/// holds (a larger `Limit` is refused, as AWS documents each range).
#[derive(Clone, Copy, Debug)]
pub(super) struct PageSize {
    /// Markers name their operation, so one operation's marker is refused
    /// by another.
    pub operation: &'static str,
    pub default: usize,
    pub most: usize,
}

pub(super) const LIST_KEYS: PageSize = PageSize {
    operation: "ListKeys",
    default: 100,
    most: 1000,
};
pub(super) const LIST_ALIASES: PageSize = PageSize {
    operation: "ListAliases",
    default: 50,
    most: 100,
};
pub(super) const LIST_KEY_ROTATIONS: PageSize = PageSize {
    operation: "ListKeyRotations",
    default: 100,
    most: 1000,
};
pub(super) const LIST_GRANTS: PageSize = PageSize {
    operation: "ListGrants",
    default: 50,
    most: 100,
};
pub(super) const LIST_RETIRABLE_GRANTS: PageSize = PageSize {
    operation: "ListRetirableGrants",
    default: 50,
    most: 100,
};

pub(super) const DESCRIBE_CUSTOM_KEY_STORES: PageSize = PageSize {
    operation: "DescribeCustomKeyStores",
    default: 1000,
    most: 1000,
};

const MARKER_PREFIX: &str = "kw1:";

/// Checks `Limit` and `Marker` before the call does anything else.
pub(super) fn validate(paging: &Paging<'_>, size: PageSize) -> Result<(), KmsError> {
    if let Some(limit) = paging.limit {
        if limit < 1 {
            let value = limit.to_string();
            return Err(KmsError::constraint(
                Some(&value),
                "limit",
                "have value greater than or equal to 1",
            ));
        }
        if limit > size.most as i64 {
            let value = limit.to_string();
            let rule = format!("have value less than or equal to {}", size.most);
            return Err(KmsError::constraint(Some(&value), "limit", &rule));
        }
    }
    if let Some(marker) = paging.marker {
        if marker.is_empty() {
            return Err(KmsError::constraint(
                Some(marker),
                "marker",
                "have length greater than or equal to 1",
            ));
        }
        if marker.chars().count() > 1024 {
            return Err(KmsError::constraint(
                None,
                "marker",
                "have length less than or equal to 1024",
            ));
        }
        if !marker.chars().all(|c| ('\u{20}'..='\u{ff}').contains(&c)) {
            return Err(KmsError::constraint(
                None,
                "marker",
                r"satisfy regular expression pattern: [\u0020-\u00FF]*",
            ));
        }
        if after(marker, size).is_none_or(str::is_empty) {
            return Err(KmsError::new(
                ErrorName::InvalidMarkerException,
                "The marker is not one this service returned; pass the NextMarker of the previous page.",
            ));
        }
    }
    Ok(())
}

/// The name a marker of this operation carries: `kw1:<operation>:<name>`.
fn after(marker: &str, size: PageSize) -> Option<&str> {
    marker
        .strip_prefix(MARKER_PREFIX)?
        .strip_prefix(size.operation)?
        .strip_prefix(':')
}

/// The page of `items` (sorted by `name`, each name once) that `paging`
/// asks for. Call `validate` first.
pub(super) fn page<T>(items: Vec<T>, paging: &Paging<'_>, size: PageSize, name: impl Fn(&T) -> &str) -> Page<T> {
    let limit = paging.limit.map_or(size.default, |l| {
        usize::try_from(l).unwrap_or(size.most).clamp(1, size.most)
    });
    let after = paging.marker.and_then(|m| after(m, size));
    let mut rest: Vec<T> = items
        .into_iter()
        .skip_while(|item| after.is_some_and(|a| name(item) <= a))
        .collect();
    let next_marker =
        (rest.len() > limit).then(|| format!("{MARKER_PREFIX}{}:{}", size.operation, name(&rest[limit - 1])));
    rest.truncate(limit);
    Page {
        items: rest,
        next_marker,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("k{i:03}")).collect()
    }

    fn all_pages(items: &[String], limit: i64) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let paging = Paging {
                limit: Some(limit),
                marker: marker.as_deref(),
            };
            validate(&paging, LIST_GRANTS).unwrap();
            let page = page(items.to_vec(), &paging, LIST_GRANTS, String::as_str);
            pages.push(page.items.clone());
            match page.next_marker {
                Some(next) => marker = Some(next),
                None => return pages,
            }
        }
    }

    #[test]
    fn pages_cover_every_item_once_in_order() {
        let items = names(7);
        let pages = all_pages(&items, 3);
        assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
        assert_eq!(pages.concat(), items);
        // An exact multiple ends without an empty page.
        assert_eq!(all_pages(&names(6), 3).len(), 2);
        assert_eq!(all_pages(&[], 3), [Vec::<String>::new()]);
    }

    #[test]
    fn a_deleted_item_does_not_shift_the_next_page() {
        let items = names(6);
        let first = page(
            items.clone(),
            &Paging {
                limit: Some(2),
                marker: None,
            },
            LIST_GRANTS,
            String::as_str,
        );
        // The last item of the first page is deleted before the next call.
        let remaining: Vec<String> = items.iter().filter(|n| *n != "k001").cloned().collect();
        let marker = first.next_marker.unwrap();
        let second = page(
            remaining,
            &Paging {
                limit: Some(2),
                marker: Some(&marker),
            },
            LIST_GRANTS,
            String::as_str,
        );
        assert_eq!(second.items, ["k002", "k003"]);
    }

    #[test]
    fn limits_default_cap_and_refuse_as_aws_does() {
        let items = names(150);
        let default = page(items.clone(), &Paging::default(), LIST_GRANTS, String::as_str);
        assert_eq!((default.items.len(), default.truncated()), (50, true));
        let keys = page(items, &Paging::default(), LIST_KEYS, String::as_str);
        assert_eq!((keys.items.len(), keys.truncated()), (100, true));
        let refused = [
            (0, LIST_KEYS, "greater than or equal to 1"),
            (1001, LIST_KEYS, "less than or equal to 1000"),
            (101, LIST_GRANTS, "less than or equal to 100"),
            (101, LIST_ALIASES, "less than or equal to 100"),
        ];
        for (limit, size, rule) in refused {
            let paging = Paging {
                limit: Some(limit),
                marker: None,
            };
            let e = validate(&paging, size).unwrap_err();
            assert_eq!(e.name, ErrorName::ValidationException);
            assert!(e.message.contains(rule), "{}", e.message);
        }
        assert!(validate(
            &Paging {
                limit: Some(1000),
                marker: None
            },
            LIST_KEYS
        )
        .is_ok());
        let keys_marker = keys.next_marker.unwrap();
        for (marker, size) in [
            ("forged", LIST_KEYS),
            ("kw1:ListKeys:", LIST_KEYS),
            (keys_marker.as_str(), LIST_GRANTS),
        ] {
            let e = validate(
                &Paging {
                    limit: None,
                    marker: Some(marker),
                },
                size,
            )
            .unwrap_err();
            assert_eq!(e.name, ErrorName::InvalidMarkerException, "{marker}");
        }
        let e = validate(
            &Paging {
                limit: None,
                marker: Some("kw1:ListKeys:\u{100}"),
            },
            LIST_KEYS,
        )
        .unwrap_err();
        assert_eq!(e.name, ErrorName::ValidationException);
    }
}
