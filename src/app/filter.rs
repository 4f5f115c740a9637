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

/// A filter split into its parts: `status:` and `kind:` terms, and the
/// fuzzy words the matcher sees.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Query {
    status: Option<String>,
    kind: Option<String>,
    fuzzy: String,
}

impl Query {
    fn parse(filter: &str) -> Query {
        let mut query = Query::default();
        let mut words = Vec::new();
        for term in filter.split_whitespace() {
            if let Some(s) = term.strip_prefix("status:") {
                query.status = Some(s.to_lowercase());
            } else if let Some(k) = term.strip_prefix("kind:") {
                query.kind = Some(k.to_lowercase());
            } else {
                words.push(term);
            }
        }
        query.fuzzy = words.join(" ");
        query
    }

    /// Whether every row this query keeps is also kept by `earlier`, so
    /// only `earlier`'s matches need scoring again. True when the fuzzy
    /// words only grew; a negation (`!`) or an escape can widen a match
    /// as it grows, so those always rescan.
    fn narrows(&self, earlier: &Query) -> bool {
        self.status == earlier.status
            && self.kind == earlier.kind
            && self.fuzzy.starts_with(&earlier.fuzzy)
            && !self.fuzzy.contains(['!', '\\'])
    }
}

/// The rows one filter kept, with their scores, in list order: what the
/// next, longer filter starts from.
#[derive(Debug, Clone, Default)]
pub struct Matches {
    query: Query,
    rows: Vec<(usize, u32)>,
}

/// Indices into `items` of the rows to show, in display order.
#[cfg(test)]
pub fn visible(items: &[Resource], filter: &str, sort: Sort) -> Vec<usize> {
    visible_after(items, filter, sort, None).0
}

/// Like [`visible`], starting from `earlier`'s matches over the same
/// `items` when the new filter only narrows it (the user typed on).
pub fn visible_after(
    items: &[Resource],
    filter: &str,
    sort: Sort,
    earlier: Option<&Matches>,
) -> (Vec<usize>, Matches) {
    let query = Query::parse(filter);
    let mut scorer = Scorer::new(&query.fuzzy);
    let keep = |i: usize, r: &Resource, scorer: &mut Scorer| -> Option<(usize, u32)> {
        if !query.keeps(r) {
            return None;
        }
        scorer.score(r).map(|score| (i, score))
    };
    let rows: Vec<(usize, u32)> = match earlier {
        Some(m) if query.narrows(&m.query) => m
            .rows
            .iter()
            .filter_map(|&(i, _)| items.get(i).and_then(|r| keep(i, r, &mut scorer)))
            .collect(),
        _ => items
            .iter()
            .enumerate()
            .filter_map(|(i, r)| keep(i, r, &mut scorer))
            .collect(),
    };
    let mut order = rows.clone();
    match sort {
        // Indices are unique, so an unstable sort is still deterministic.
        Sort::Listed if !query.fuzzy.is_empty() => {
            order.sort_unstable_by_key(|&(i, score)| (std::cmp::Reverse(score), i));
        }
        Sort::Listed => {}
        Sort::Name => order.sort_by_cached_key(|&(i, _)| (items[i].name.to_lowercase(), i)),
        Sort::Expiry => order.sort_unstable_by(|a, b| {
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
    (
        order.into_iter().map(|(i, _)| i).collect(),
        Matches { query, rows },
    )
}

impl Query {
    fn keeps(&self, r: &Resource) -> bool {
        // Portico's own state words work on every platform; the vendor's
        // word still matches for those who think in it.
        let status_ok = self.status.as_deref().is_none_or(|s| {
            r.state.label().starts_with(s)
                || r.status
                    .as_deref()
                    .is_some_and(|st| st.to_lowercase().starts_with(s))
        });
        status_ok
            && self
                .kind
                .as_deref()
                .is_none_or(|k| r.kind.short().starts_with(k) || r.kind.label().starts_with(k))
    }
}

/// The fuzzy matcher with its buffers, reused across rows so a keystroke
/// allocates nothing per row.
struct Scorer {
    pattern: Option<Pattern>,
    matcher: Matcher,
    haystack: String,
    buf: Vec<char>,
}

impl Scorer {
    fn new(fuzzy: &str) -> Scorer {
        Scorer {
            pattern: (!fuzzy.is_empty())
                .then(|| Pattern::parse(fuzzy, CaseMatching::Ignore, Normalization::Smart)),
            matcher: Matcher::new(Config::DEFAULT),
            haystack: String::new(),
            buf: Vec::new(),
        }
    }

    fn score(&mut self, r: &Resource) -> Option<u32> {
        let Some(pattern) = &self.pattern else {
            return Some(0);
        };
        self.haystack.clear();
        self.haystack.push_str(&r.name);
        self.haystack.push(' ');
        self.haystack.push_str(&r.id);
        for cell in &r.cells {
            self.haystack.push(' ');
            self.haystack.push_str(cell);
        }
        pattern.score(
            Utf32Str::new(&self.haystack, &mut self.buf),
            &mut self.matcher,
        )
    }
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
    fn a_growing_query_gives_what_a_fresh_scan_gives() {
        let items: Vec<Resource> = (0..500)
            .map(|i| {
                let st = if i % 3 == 0 { "inactive" } else { "active" };
                res(Kind::ClientApp, &format!("App {i} west{}", i % 7), st)
            })
            .collect();
        let typed = [
            "a",
            "ap",
            "app",
            "app 1",
            "app 12",
            "app 12 w",
            "app 12 !w",
            "status:inactive app",
        ];
        let mut earlier: Option<Matches> = None;
        for filter in typed {
            let (rows, m) = visible_after(&items, filter, Sort::Listed, earlier.as_ref());
            assert_eq!(rows, visible(&items, filter, Sort::Listed), "{filter}");
            earlier = Some(m);
        }
        // Shrinking rescans: the narrower matches are not reused.
        let (rows, _) = visible_after(&items, "a", Sort::Listed, earlier.as_ref());
        assert_eq!(rows, visible(&items, "a", Sort::Listed));
        assert_eq!(rows.len(), 500);
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
