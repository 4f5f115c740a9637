//! Which rows a pane shows, and in what order: a fuzzy filter with
//! `status:` and `kind:` terms, and a sort the user cycles.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use std::ops::Range;
use std::time::SystemTime;

use time::OffsetDateTime;

use super::ascii_score::{self, Answer};
use crate::model::Resource;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// The order the platform returned.
    #[default]
    Listed,
    Name,
    /// Z to A.
    NameReverse,
    /// Soonest expiry first; rows without one go last.
    Expiry,
    /// Latest expiry first; rows without one still go last.
    ExpiryReverse,
}

impl Sort {
    /// What `s` steps to: each order, then the same order reversed.
    pub const fn next(self) -> Self {
        match self {
            Self::Listed => Self::Name,
            Self::Name => Self::NameReverse,
            Self::NameReverse => Self::Expiry,
            Self::Expiry => Self::ExpiryReverse,
            Self::ExpiryReverse => Self::Listed,
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Self::Listed => "as listed",
            Self::Name => "name",
            Self::NameReverse => "name, reversed",
            Self::Expiry => "expiry",
            Self::ExpiryReverse => "expiry, latest first",
        }
    }

    /// `name`, `expiry`, `listed`, each optionally followed by `reverse`
    /// (or `desc`).
    pub fn parse(text: &str) -> Option<Self> {
        let mut words = text.split_whitespace();
        let by = words.next().unwrap_or("");
        let reverse = match words.next() {
            None => false,
            Some("reverse" | "reversed" | "desc") => true,
            Some(_) => return None,
        };
        match (by, reverse) {
            ("listed" | "none", false) => Some(Self::Listed),
            ("name", false) => Some(Self::Name),
            ("name", true) => Some(Self::NameReverse),
            ("expiry" | "expires", false) => Some(Self::Expiry),
            ("expiry" | "expires", true) => Some(Self::ExpiryReverse),
            _ => None,
        }
    }
}

/// The `field:` terms a filter understands.
pub const FIELDS: [&str; 2] = ["status", "kind"];

/// The states `status:` knows beyond the platform's own words: the three
/// lifecycle states every adapter normalises to, and `expiring`.
pub const STATES: [&str; 4] = ["active", "inactive", "expired", "expiring"];

/// Days before expiry from which a credential counts as `expiring`.
const EXPIRING_DAYS: i64 = 30;

/// What a filter leaves visible, and what in it could not be understood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filtered {
    pub rows: Vec<usize>,
    pub problem: Option<String>,
}

/// How well a row matched the fuzzy words: a better tier always ranks
/// first, so a name that starts with or contains the words beats letters
/// scattered across a long name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    Prefix,
    Contiguous,
    Scattered,
}

struct Query {
    status: Option<String>,
    kind: Option<String>,
    words: String,
    problem: Option<String>,
}

/// `field:` only when the part before the colon is a plain word, so an
/// id or URL with a colon in it is still searched as text.
fn field_of(term: &str) -> Option<(&str, &str)> {
    let (field, value) = term.split_once(':')?;
    let plain = !field.is_empty() && field.chars().all(|c| c.is_ascii_alphabetic());
    (plain && !value.starts_with("//")).then_some((field, value))
}

fn parse(filter: &str) -> Query {
    let mut query = Query {
        status: None,
        kind: None,
        words: String::new(),
        problem: None,
    };
    let mut words = Vec::new();
    for term in filter.split_whitespace() {
        match field_of(term) {
            Some(("status", value)) => query.status = Some(value.to_lowercase()),
            Some(("kind", value)) => query.kind = Some(value.to_lowercase()),
            Some((field, _)) => {
                query.problem = Some(format!(
                    "no field \"{field}:\"; filter by {}",
                    FIELDS.map(|f| format!("{f}:")).join(" or ")
                ));
            }
            None => words.push(term),
        }
    }
    query.words = words.join(" ");
    query
}

/// The states a row is in: its normalised lifecycle, its own status word,
/// and `expiring` when an expiry is near but not yet past.
fn states(r: &Resource, now: Option<OffsetDateTime>) -> Vec<String> {
    let mut out = vec![r.state.label().to_string()];
    if let Some(status) = &r.status {
        out.push(status.to_lowercase());
    }
    if let (Some(expires), Some(now)) = (r.expires, now)
        && expires > now
        && expires - now < time::Duration::days(EXPIRING_DAYS)
    {
        out.push("expiring".into());
    }
    out
}

/// `words` is already lower case; `lower` is a buffer reused across the
/// rows of one thread, for the rare name that is not ASCII.
fn tier(name: &str, words: &str, lower: &mut String) -> Tier {
    // Most names are ASCII: compared in place, ignoring ASCII case, they
    // need no lowered copy. ASCII lowers to ASCII, so words that are not
    // ASCII are found in such a name nowhere, as in its lowered copy.
    if name.is_ascii() {
        let (name, words) = (name.as_bytes(), words.as_bytes());
        return if name
            .get(..words.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(words))
        {
            Tier::Prefix
        } else if !words.is_empty()
            && name
                .windows(words.len())
                .any(|part| part.eq_ignore_ascii_case(words))
        {
            Tier::Contiguous
        } else {
            Tier::Scattered
        };
    }
    lower.clear();
    lower.extend(name.chars().flat_map(char::to_lowercase));
    let name = lower.as_str();
    if name.starts_with(words) {
        Tier::Prefix
    } else if name.contains(words) {
        Tier::Contiguous
    } else {
        Tier::Scattered
    }
}

/// A row that matched: its index in the list, its tier and its score.
type Hit = (usize, Tier, u32);

/// Candidate lists from this size on are scored on more than one thread:
/// below it, starting a thread costs more than it saves.
const PARALLEL_MIN: usize = 20_000;

/// Scoring threads at most: one a core on the 2-core machines Portico is
/// measured on, and never so many that they crowd out the UI task.
const THREADS_MAX: usize = 4;

/// The rows to look at: a run of the list, or rows a narrower query kept.
#[derive(Clone)]
enum Candidates<'a> {
    All(Range<usize>),
    Among(&'a [usize]),
}

impl Candidates<'_> {
    fn len(&self) -> usize {
        match self {
            Self::All(rows) => rows.len(),
            Self::Among(rows) => rows.len(),
        }
    }

    /// The `part`th of `parts` contiguous shares, in order.
    fn share(&self, part: usize, parts: usize) -> Self {
        let len = self.len();
        let each = len.div_ceil(parts.max(1));
        let from = (part * each).min(len);
        let to = (from + each).min(len);
        match self {
            Self::All(rows) => Self::All(rows.start + from..rows.start + to),
            Self::Among(rows) => Self::Among(rows.get(from..to).unwrap_or_default()),
        }
    }
}

/// What one keystroke's query asks of every candidate row.
struct Scorer<'a> {
    items: &'a [Resource],
    query: &'a Query,
    pattern: &'a Pattern,
    /// The fuzzy words, lowered once for [`tier`].
    words: &'a str,
    /// Whether the words are one word of ASCII letters and digits, which
    /// [`ascii_score`] can often score without the matcher.
    plain: bool,
    /// What a name beginning with the words scores, when no row can score
    /// more (see [`top_score`]).
    top: Option<u32>,
    now: Option<OffsetDateTime>,
}

/// The text a row is matched on: its name, id and other cells. A cell
/// that repeats the id (a client id column) adds nothing to match but
/// scoring time.
fn haystack_of(r: &Resource, haystack: &mut String) {
    haystack.clear();
    haystack.push_str(&r.name);
    haystack.push(' ');
    haystack.push_str(&r.id);
    for cell in r.cells.iter().filter(|c| **c != r.id) {
        haystack.push(' ');
        haystack.push_str(cell);
    }
}

/// The score of a row whose name begins with `words`, when that is the
/// most any row can score, so such rows need no matching. It is, when
/// `words` is one word of ASCII letters and digits: its first letter, at
/// the very start of the text, takes the largest bonus the matcher gives,
/// and each letter after it in one run takes the same. The figure comes
/// from the matcher itself, scoring the words alone.
fn top_score(words: &str, pattern: &Pattern) -> Option<u32> {
    if !plain(words) {
        return None;
    }
    let text = format!("{words} ");
    pattern.score(
        Utf32Str::new(&text, &mut Vec::new()),
        &mut Matcher::new(Config::DEFAULT),
    )
}

/// One word of ASCII letters and digits.
fn plain(words: &str) -> bool {
    !words.is_empty() && words.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Whether `name` begins with `words` (lower case ASCII), ignoring case.
fn begins_with(name: &str, words: &str) -> bool {
    name.as_bytes()
        .get(..words.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(words.as_bytes()))
}

impl Scorer<'_> {
    fn keeps(&self, r: &Resource) -> bool {
        // Portico's own state words work on every platform; the vendor's
        // word still matches for those who think in it.
        let status = match &self.query.status {
            Some(s) => states(r, self.now)
                .iter()
                .any(|st| st.starts_with(s.as_str())),
            None => true,
        };
        status
            && match &self.query.kind {
                Some(k) => {
                    r.kind.short().starts_with(k.as_str()) || r.kind.label().starts_with(k.as_str())
                }
                None => true,
            }
    }

    /// The hits among `rows`, in the order given. Each call has its own
    /// matcher and buffers, so a keystroke allocates nothing per row.
    fn hits(&self, rows: impl ExactSizeIterator<Item = usize>) -> Vec<Hit> {
        let mut matcher = Matcher::new(Config::DEFAULT);
        let (mut buf, mut haystack, mut lower) = (Vec::new(), String::new(), String::new());
        let mut out = Vec::with_capacity(rows.len());
        for i in rows {
            let Some(r) = self.items.get(i) else {
                continue;
            };
            if !self.keeps(r) {
                continue;
            }
            if self.query.words.is_empty() {
                out.push((i, Tier::Prefix, 0));
                continue;
            }
            if let Some(top) = self.top
                && begins_with(&r.name, self.words)
            {
                out.push((i, Tier::Prefix, top));
                continue;
            }
            haystack_of(r, &mut haystack);
            let answered = if self.plain {
                ascii_score::score(haystack.as_bytes(), self.words.as_bytes())
            } else {
                Answer::Ask
            };
            match answered {
                Answer::NoMatch => {}
                // A run found within the name tells its tier too: the
                // name does not begin with the words, or the run would
                // have been found at its start, yet holds them.
                Answer::Run(run) => {
                    let tier = match run.at {
                        0 => Tier::Prefix,
                        at if at + self.words.len() <= r.name.len() => Tier::Contiguous,
                        _ => tier(&r.name, self.words, &mut lower),
                    };
                    out.push((i, tier, run.score));
                }
                Answer::Ask => {
                    if let Some(score) = self
                        .pattern
                        .score(Utf32Str::new(&haystack, &mut buf), &mut matcher)
                    {
                        out.push((i, tier(&r.name, self.words, &mut lower), score));
                    }
                }
            }
        }
        out
    }

    fn hits_in(&self, rows: Candidates<'_>) -> Vec<Hit> {
        match rows {
            Candidates::All(rows) => self.hits(rows),
            Candidates::Among(rows) => self.hits(rows.iter().copied()),
        }
    }

    /// Every candidate's hit, in candidate order: a large list is split
    /// into contiguous shares scored on threads of their own.
    fn all_hits(&self, rows: &Candidates<'_>) -> Vec<Hit> {
        let threads = if rows.len() < PARALLEL_MIN || self.query.words.is_empty() {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(THREADS_MAX))
        };
        if threads == 1 {
            return self.hits_in(rows.clone());
        }
        std::thread::scope(|scope| {
            let rest: Vec<_> = (1..threads)
                .map(|part| {
                    let share = rows.share(part, threads);
                    scope.spawn(move || self.hits_in(share))
                })
                .collect();
            let mut hits = self.hits_in(rows.share(0, threads));
            for thread in rest {
                match thread.join() {
                    Ok(more) => hits.extend(more),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            hits
        })
    }
}
/// Whether every row `grown` keeps is among the rows `filter` kept, so a
/// keystroke that extends the query need only look at those. True when
/// only the fuzzy words grew and they hold no operator (negation,
/// anchors, exact quotes) that could let the longer query match more.
pub fn narrows(filter: &str, grown: &str) -> bool {
    if !grown.starts_with(filter) || filter.is_empty() {
        return false;
    }
    let (old, new) = (parse(filter), parse(grown));
    old.status == new.status
        && old.kind == new.kind
        && !old.words.is_empty()
        && !old.words.contains(['!', '$', '^', '\'', '\\'])
}

/// Indices into `items` of the rows to show, in display order, scoring
/// only `among` when given (the rows a narrower query kept, see
/// [`narrows`]). `now` is when the list was loaded, for `status:expired`
/// and `status:expiring`.
pub fn visible_among(
    items: &[Resource],
    among: Option<&[usize]>,
    filter: &str,
    sort: Sort,
    now: Option<SystemTime>,
) -> Filtered {
    let mut query = parse(filter);
    let now = now.map(OffsetDateTime::from);
    let pattern = Pattern::parse(&query.words, CaseMatching::Ignore, Normalization::Smart);
    let words = query.words.to_lowercase();
    let candidates = among.map_or(Candidates::All(0..items.len()), Candidates::Among);
    let mut rows = Scorer {
        items,
        query: &query,
        pattern: &pattern,
        words: &words,
        plain: plain(&words),
        top: top_score(&words, &pattern),
        now,
    }
    .all_hits(&candidates);
    if let (Some(s), None) = (&query.status, &query.problem) {
        let known = STATES.iter().any(|st| st.starts_with(s.as_str()))
            || items
                .iter()
                .any(|r| states(r, now).iter().any(|st| st.starts_with(s.as_str())));
        if !known {
            query.problem = Some(format!(
                "no state \"{s}\"; status: takes {}",
                STATES.join(", ")
            ));
        }
    }
    let name = |i: usize| items[i].name.to_lowercase();
    let expiry = |a: usize, b: usize, latest_first: bool| match (items[a].expires, items[b].expires)
    {
        (Some(x), Some(y)) if latest_first => y.cmp(&x),
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    };
    // Name keys are lowered once per row, not once per comparison.
    match sort {
        Sort::Name => rows.sort_by_cached_key(|r| (r.1, name(r.0), r.0)),
        Sort::NameReverse => {
            rows.sort_by_cached_key(|r| (r.1, std::cmp::Reverse(name(r.0)), r.0));
        }
        // The row index breaks every tie, so an unstable sort gives the
        // same order, without the stable sort's buffer.
        Sort::Expiry | Sort::ExpiryReverse => rows.sort_unstable_by(|a, b| {
            let order = expiry(a.0, b.0, sort == Sort::ExpiryReverse);
            a.1.cmp(&b.1).then(order).then(a.0.cmp(&b.0))
        }),
        // Tier, then the higher score, then the row: one plain key a row,
        // compared without a closure's branches.
        Sort::Listed => {
            rows.sort_unstable_by_key(|&(i, tier, score)| (tier, std::cmp::Reverse(score), i));
        }
    }
    Filtered {
        rows: rows.into_iter().map(|(i, _, _)| i).collect(),
        problem: query.problem,
    }
}

/// Which characters of the name the filter's fuzzy words matched, as
/// char positions, for highlighting. Empty when the row matched on its id
/// or another column rather than its name.
pub fn highlights(res: &Resource, filter: &str) -> Vec<usize> {
    let query = parse(filter);
    if query.words.is_empty() {
        return Vec::new();
    }
    let pattern = Pattern::parse(&query.words, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut indices = Vec::new();
    if pattern
        .indices(
            Utf32Str::new(&res.name, &mut buf),
            &mut matcher,
            &mut indices,
        )
        .is_none()
    {
        return Vec::new();
    }
    let mut out: Vec<usize> = indices
        .into_iter()
        .filter_map(|i| usize::try_from(i).ok())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Lifecycle};
    use time::macros::datetime;

    fn rows(items: &[Resource], filter: &str, sort: Sort) -> Vec<usize> {
        visible_among(items, None, filter, sort, Some(SystemTime::from(NOW))).rows
    }

    const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

    fn res(kind: Kind, name: &str, status: &str) -> Resource {
        let mut r = Resource::new(kind, name.to_lowercase(), name);
        r.status = Some(status.into());
        // As an adapter normalises its vendor's words.
        if matches!(status, "inactive" | "Closed") {
            r.state = Lifecycle::Inactive;
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
        assert_eq!(rows(&items, "", Sort::Listed), vec![0, 1, 2]);
        assert_eq!(rows(&items, "gwest", Sort::Listed), vec![0]);
        assert_eq!(rows(&items, "status:active", Sort::Listed), vec![0, 2]);
        assert_eq!(rows(&items, "status:inactive brok", Sort::Listed), vec![1]);
        assert_eq!(rows(&items, "kind:key", Sort::Listed), vec![2]);
        assert!(rows(&items, "zzz", Sort::Listed).is_empty());
    }

    #[test]
    fn expiry_sort_puts_soonest_first_and_unknown_last() {
        let mut a = res(Kind::Certificate, "a", "active");
        a.expires = Some(datetime!(2027-01-01 0:00 UTC));
        let mut b = res(Kind::Certificate, "b", "active");
        b.expires = Some(datetime!(2026-01-01 0:00 UTC));
        let c = res(Kind::AccessKey, "c", "active");
        let items = vec![c, a, b];
        assert_eq!(rows(&items, "", Sort::Expiry), vec![2, 1, 0]);
        assert_eq!(rows(&items, "", Sort::Name), vec![1, 2, 0]);
    }

    #[test]
    fn every_state_filters_including_expiry() {
        let mut expired = res(Kind::Certificate, "old", "active");
        expired.expires = Some(NOW - time::Duration::days(2));
        expired.state = Lifecycle::of(true, expired.expires, NOW);
        let mut soon = res(Kind::Certificate, "soon", "active");
        soon.expires = Some(NOW + time::Duration::days(5));
        let mut later = res(Kind::Certificate, "later", "inactive");
        later.expires = Some(NOW + time::Duration::days(300));
        let open = res(Kind::Project, "Harbor", "Open");
        let closed = res(Kind::Project, "Moss", "Closed");
        let items = vec![expired, soon, later, open, closed];
        assert_eq!(rows(&items, "status:expired", Sort::Listed), vec![0]);
        assert_eq!(rows(&items, "status:expiring", Sort::Listed), vec![1]);
        assert_eq!(rows(&items, "status:active", Sort::Listed), vec![0, 1, 3]);
        assert_eq!(rows(&items, "status:inactive", Sort::Listed), vec![2, 4]);
        // The platform's own words still work.
        assert_eq!(rows(&items, "status:closed", Sort::Listed), vec![4]);
        assert_eq!(rows(&items, "status:Open", Sort::Listed), vec![3]);
        let all = visible_among(
            &items,
            None,
            "status:expired",
            Sort::Listed,
            Some(SystemTime::from(NOW)),
        );
        assert_eq!(all.problem, None);
        let odd = visible_among(&items, None, "status:wobbly", Sort::Listed, None);
        let problem = odd.problem.unwrap_or_default();
        for state in STATES {
            assert!(problem.contains(state), "{problem}");
        }
    }

    #[test]
    fn an_unknown_field_names_the_valid_ones() {
        let items = vec![res(Kind::Certificate, "a", "active")];
        let got = visible_among(&items, None, "colour:red", Sort::Listed, None);
        let problem = got.problem.unwrap_or_default();
        assert!(problem.contains("colour:"), "{problem}");
        assert!(
            problem.contains("status:") && problem.contains("kind:"),
            "{problem}"
        );
        // A URL or an id with a colon is text, not a field.
        assert_eq!(
            visible_among(&items, None, "https://x", Sort::Listed, None).problem,
            None
        );
        assert_eq!(
            visible_among(&items, None, "a1:b2", Sort::Listed, None).problem,
            None
        );
    }

    #[test]
    fn contiguous_and_prefix_matches_rank_before_scattered_ones() {
        let items = vec![
            res(
                Kind::ClientApp,
                "ERP Order Feed - SAP S/4HANA Classic",
                "active",
            ),
            res(Kind::ClientApp, "TMS Integration - Oracle OTM", "active"),
            res(Kind::ClientApp, "Oracle Fusion Bridge", "active"),
        ];
        let got = rows(&items, "Oracle", Sort::Listed);
        assert_eq!(got[..2], [2, 1], "prefix, then contiguous: {got:?}");
        // Under an explicit sort, real hits still come before scattered ones.
        let got = rows(&items, "Oracle", Sort::Name);
        assert_eq!(got[..2], [2, 1], "{got:?}");
    }

    #[test]
    fn s_steps_through_each_order_and_its_reverse() {
        let mut sort = Sort::Listed;
        let mut seen = vec![sort];
        for _ in 0..4 {
            sort = sort.next();
            seen.push(sort);
        }
        assert!(seen.contains(&Sort::NameReverse) && seen.contains(&Sort::ExpiryReverse));
        assert_eq!(sort.next(), Sort::Listed);
        let items = vec![
            res(Kind::Certificate, "b", "active"),
            res(Kind::Certificate, "a", "active"),
            res(Kind::Certificate, "c", "active"),
        ];
        assert_eq!(rows(&items, "", Sort::NameReverse), vec![2, 0, 1]);
        assert_eq!(Sort::parse("name reverse"), Some(Sort::NameReverse));
        assert_eq!(Sort::parse("expiry desc"), Some(Sort::ExpiryReverse));
        assert_eq!(Sort::parse("name sideways"), None);
    }

    #[test]
    fn highlights_are_the_matched_characters_of_the_name() {
        let r = res(Kind::ClientApp, "TMS Integration - Oracle OTM", "active");
        let lit = highlights(&r, "oracle");
        let name: Vec<char> = r.name.chars().collect();
        let word: String = lit.iter().map(|i| name[*i]).collect();
        assert_eq!(word.to_lowercase(), "oracle");
        assert!(highlights(&r, "status:active").is_empty());
    }

    #[test]
    fn names_rank_as_their_lowered_copies_would() {
        let mut lower = String::new();
        for (name, words, want) in [
            ("Oracle OTM", "oracle", Tier::Prefix),
            ("TMS - ORACLE", "oracle", Tier::Contiguous),
            ("o r a c l e", "ora", Tier::Scattered),
            ("Or", "oracle", Tier::Scattered),
            ("Oracle", "", Tier::Prefix),
            ("Cafe", "café", Tier::Scattered),
            ("Café Ölhafen", "café", Tier::Prefix),
            ("Der Ölhafen", "ölh", Tier::Contiguous),
        ] {
            assert_eq!(tier(name, words, &mut lower), want, "{name:?} {words:?}");
        }
    }

    #[test]
    fn a_list_scored_in_shares_ranks_as_one_scored_whole() {
        let words = [
            "Oracle",
            "orca",
            "Ocean Rate",
            "Yard Bridge",
            "Ärger Öl",
            "o r a",
        ];
        let items: Vec<Resource> = (0..PARALLEL_MIN + 7_001)
            .map(|i| {
                let name = format!("{} {}", words[i % words.len()], i % 97);
                Resource::new(Kind::Application, format!("id{i}"), name)
            })
            .collect();
        let among: Vec<usize> = (0..items.len()).rev().step_by(2).collect();
        for filter in ["ora", "o", "r 9", "ärg"] {
            let query = parse(filter);
            let pattern = Pattern::parse(&query.words, CaseMatching::Ignore, Normalization::Smart);
            let lowered = query.words.to_lowercase();
            let scorer = Scorer {
                items: &items,
                query: &query,
                pattern: &pattern,
                words: &lowered,
                plain: plain(&lowered),
                top: top_score(&lowered, &pattern),
                now: None,
            };
            for rows in [Candidates::All(0..items.len()), Candidates::Among(&among)] {
                let whole = scorer.hits_in(rows.clone());
                assert!(!whole.is_empty(), "{filter:?}");
                assert_eq!(scorer.all_hits(&rows), whole, "{filter:?}");
                let shares: Vec<Hit> = (0..3)
                    .flat_map(|part| scorer.hits_in(rows.share(part, 3)))
                    .collect();
                assert_eq!(shares, whole, "{filter:?}");
            }
        }
        assert_eq!(Candidates::Among(&[1, 2]).share(5, 3).len(), 0);
    }

    #[test]
    fn a_grown_query_over_the_last_rows_equals_a_full_rescan() {
        let names = [
            "ERP Order Feed",
            "Oracle OTM",
            "TMS Integration - Oracle OTM",
            "orca",
            "Ocean Rate",
            "Yard Bridge",
            "o r a c l e",
            "ORACLE",
            "Dock Relay",
        ];
        let items: Vec<Resource> = names
            .iter()
            .enumerate()
            .map(|(i, n)| Resource::new(Kind::Application, format!("id{i}"), *n))
            .collect();
        for sort in [Sort::Listed, Sort::Name, Sort::NameReverse] {
            let mut before = String::new();
            let mut kept = visible_among(&items, None, "", sort, None).rows;
            for c in "oracle".chars() {
                let grown = format!("{before}{c}");
                let among = narrows(&before, &grown).then_some(kept.as_slice());
                let fast = visible_among(&items, among, &grown, sort, None).rows;
                let full = visible_among(&items, None, &grown, sort, None).rows;
                assert_eq!(fast, full, "{grown:?} {sort:?}");
                kept = fast;
                before = grown;
            }
        }
        assert!(narrows("ora", "orac"));
        assert!(narrows("ora", "ora cl"));
        assert!(!narrows("", "o"), "nothing to narrow from");
        assert!(!narrows("!ora", "!orac"), "a negation can match more");
        assert!(!narrows("ora$", "ora$x"), "an anchor can match more");
        assert!(!narrows("ora", "or"), "a shorter query matches more");
        assert!(
            !narrows("ora", "ora status:active"),
            "a new field term is a new query"
        );
    }

    mod shortcuts {
        use super::*;
        use proptest::prelude::*;

        /// Something, then the words in any mix of cases, then anything
        /// at all: a name that begins with them, or holds them after a
        /// word, a delimiter or text that is not ASCII.
        fn name_holding(words: &str) -> impl Strategy<Value = String> + use<> {
            let words = words.to_string();
            (
                prop_oneof![Just(String::new()), "[a-zA-Z0-9 _/:.-]{0,8}", "\\PC{0,6}"],
                proptest::collection::vec(any::<bool>(), words.len()),
                prop_oneof!["\\PC{0,24}", "[\u{300}-\u{36f}\u{200d}]\\PC{0,8}", ".{0,8}"],
            )
                .prop_map(move |(head, upper, tail)| {
                    let run: String = words
                        .chars()
                        .zip(upper)
                        .map(|(c, up)| if up { c.to_ascii_uppercase() } else { c })
                        .collect();
                    head + &run + &tail
                })
        }

        fn case() -> impl Strategy<Value = (String, Resource)> {
            "[a-z0-9]{1,10}".prop_flat_map(|words| {
                (
                    Just(words.clone()),
                    // Or a name without them, found in the id instead.
                    prop_oneof![name_holding(&words), "[a-zA-Z _-]{0,8}".boxed()],
                    prop_oneof![
                        "\\PC{0,12}",
                        "[a-z]{0,3}".prop_map(move |t| words.clone() + &t)
                    ],
                    proptest::collection::vec("\\PC{0,12}", 0..3),
                )
                    .prop_map(|(words, name, id, cells)| {
                        let mut r = Resource::new(Kind::Application, id, name);
                        r.cells = cells;
                        (words, r)
                    })
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            /// The shortcuts are only worth having if they rank exactly
            /// as the matcher would: same tier, same score, whatever
            /// surrounds the words and whatever the id and cells hold.
            #[test]
            fn a_row_ranks_with_the_shortcuts_as_the_matcher_ranks_it(
                (words, r) in case(),
            ) {
                let query = parse(&words);
                let pattern =
                    Pattern::parse(&query.words, CaseMatching::Ignore, Normalization::Smart);
                let top = top_score(&words, &pattern);
                prop_assert!(top.is_some() && plain(&words));
                let items = [r];
                let scorer = |shortcuts: bool| Scorer {
                    items: &items,
                    query: &query,
                    pattern: &pattern,
                    words: &words,
                    plain: shortcuts,
                    top: top.filter(|_| shortcuts),
                    now: None,
                };
                let matched = scorer(false).hits(0..1);
                if items[0].name.to_ascii_lowercase().contains(&words) {
                    prop_assert_eq!(matched.len(), 1);
                }
                prop_assert_eq!(scorer(true).hits(0..1), matched);
            }

            #[test]
            fn words_with_anything_but_letters_and_digits_take_no_shortcut(
                words in "[a-z0-9]{0,4}[^a-zA-Z0-9][a-z0-9]{0,4}",
            ) {
                let pattern = Pattern::parse(&words, CaseMatching::Ignore, Normalization::Smart);
                prop_assert_eq!(top_score(&words, &pattern), None);
            }
        }
    }
}
