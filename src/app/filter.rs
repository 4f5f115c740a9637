//! Which rows a pane shows, and in what order: a fuzzy filter with
//! `status:` and `kind:` terms, and a sort the user cycles.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::model::Resource;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// The order the platform returned.
    #[default]
    Listed,
    Name,
    /// Soonest expiry first; rows without one go last.
    Expiry,
}

impl Sort {
    pub fn next(self) -> Sort {
        match self {
            Sort::Listed => Sort::Name,
            Sort::Name => Sort::Expiry,
            Sort::Expiry => Sort::Listed,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Listed => "as listed",
            Sort::Name => "name",
            Sort::Expiry => "expiry",
        }
    }

    pub fn parse(text: &str) -> Option<Sort> {
        match text {
            "listed" | "none" => Some(Sort::Listed),
            "name" => Some(Sort::Name),
            "expiry" | "expires" => Some(Sort::Expiry),
            _ => None,
        }
    }
}

/// Indices into `items` of the rows to show, in display order.
pub fn visible(items: &[Resource], filter: &str, sort: Sort) -> Vec<usize> {
    let mut status = None;
    let mut kind = None;
    let mut words = Vec::new();
    for term in filter.split_whitespace() {
        if let Some(s) = term.strip_prefix("status:") {
            status = Some(s.to_lowercase());
        } else if let Some(k) = term.strip_prefix("kind:") {
            kind = Some(k.to_lowercase());
        } else {
            words.push(term);
        }
    }
    let fuzzy = words.join(" ");
    let pattern = Pattern::parse(&fuzzy, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut rows: Vec<(usize, u32)> = items
        .iter()
        .enumerate()
        // Portico's own state words work on every platform; the vendor's
        // word still matches for those who think in it.
        .filter(|(_, r)| match &status {
            Some(s) => {
                r.state.label().starts_with(s.as_str())
                    || r.status
                        .as_deref()
                        .is_some_and(|st| st.to_lowercase().starts_with(s.as_str()))
            }
            None => true,
        })
        .filter(|(_, r)| match &kind {
            Some(k) => {
                r.kind.short().starts_with(k.as_str()) || r.kind.label().starts_with(k.as_str())
            }
            None => true,
        })
        .filter_map(|(i, r)| {
            if fuzzy.is_empty() {
                return Some((i, 0));
            }
            let haystack = format!("{} {} {}", r.name, r.id, r.cells.join(" "));
            pattern
                .score(Utf32Str::new(&haystack, &mut buf), &mut matcher)
                .map(|score| (i, score))
        })
        .collect();
    match sort {
        Sort::Listed if !fuzzy.is_empty() => rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0))),
        Sort::Listed => {}
        Sort::Name => rows.sort_by(|a, b| {
            items[a.0]
                .name
                .to_lowercase()
                .cmp(&items[b.0].name.to_lowercase())
                .then(a.0.cmp(&b.0))
        }),
        Sort::Expiry => rows.sort_by(|a, b| {
            let (x, y) = (items[a.0].expires, items[b.0].expires);
            match (x, y) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then(a.0.cmp(&b.0))
        }),
    }
    rows.into_iter().map(|(i, _)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use time::macros::datetime;

    fn res(kind: Kind, name: &str, status: &str) -> Resource {
        let mut r = Resource::new(kind, name.to_lowercase(), name);
        r.status = Some(status.into());
        if status == "inactive" {
            r.state = crate::model::Lifecycle::Inactive;
        }
        r
    }

    #[test]
    fn fuzzy_terms_and_status_narrow_the_rows() {
        let items = vec![
            res(Kind::Certificate, "Gateway West", "active"),
            res(Kind::Certificate, "Broker East", "inactive"),
            res(Kind::AccessKey, "Fleet key", "active"),
        ];
        assert_eq!(visible(&items, "", Sort::Listed), vec![0, 1, 2]);
        assert_eq!(visible(&items, "gwest", Sort::Listed), vec![0]);
        assert_eq!(visible(&items, "status:active", Sort::Listed), vec![0, 2]);
        assert_eq!(
            visible(&items, "status:inactive brok", Sort::Listed),
            vec![1]
        );
        assert_eq!(visible(&items, "kind:key", Sort::Listed), vec![2]);
        assert!(visible(&items, "zzz", Sort::Listed).is_empty());
    }

    #[test]
    fn expiry_sort_puts_soonest_first_and_unknown_last() {
        let mut a = res(Kind::Certificate, "a", "active");
        a.expires = Some(datetime!(2027-01-01 0:00 UTC));
        let mut b = res(Kind::Certificate, "b", "active");
        b.expires = Some(datetime!(2026-01-01 0:00 UTC));
        let c = res(Kind::AccessKey, "c", "active");
        let items = vec![c, a, b];
        assert_eq!(visible(&items, "", Sort::Expiry), vec![2, 1, 0]);
        assert_eq!(visible(&items, "", Sort::Name), vec![1, 2, 0]);
    }
}
