//! Tab on a resource name: `:find NAME` from every tenant's loaded lists,
//! `:apps NAME` (each pane alias, and each view of the platform) from
//! that pane's loaded rows. Nothing is fetched: what completes is what
//! Portico has already listed.

use std::collections::HashSet;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::input::LineInput;
use super::jump::{Jump, Step};
use super::matching::INLINE_MAX;
use super::ops::inform;
use super::state::{Level, Listing, State};
use crate::model::{Pane, Resource};
use crate::platform::Source;

/// At most this many names are listed under the prompt; the rest are counted.
pub const LISTED_MAX: usize = 50;

/// Rows the fuzzy pass looks at, at most: the number of rows a filter
/// keystroke matches on the UI task before it hands the work off.
const FUZZY_ROWS: usize = INLINE_MAX;

/// The pane a k9s-style alias names.
pub(super) fn alias_pane(word: &str) -> Option<Pane> {
    match word {
        "apps" | "bots" => Some(Pane::Applications),
        "certs" | "keys" => Some(Pane::Certificates),
        _ => None,
    }
}

/// Where the NAME after a command word is looked up.
#[derive(Debug, Clone, Copy)]
enum Scope {
    Everywhere,
    Pane(Pane),
    View(&'static str),
}

fn scope(state: &State, word: &str) -> Option<Scope> {
    if word == "find" {
        return Some(Scope::Everywhere);
    }
    if let Some(pane) = alias_pane(word) {
        return Some(Scope::Pane(pane));
    }
    let view = state.tenant()?.caps().view(word)?;
    Some(Scope::View(view.name))
}

/// The loaded rows a scope completes from, in a fixed order so the same
/// Tab lists the same names: the active tenant first, each tenant's lists
/// pane by pane.
fn lists(state: &State, scope: Scope) -> Vec<&[Resource]> {
    let rank = |source: &Source| match source {
        Source::Pane(pane) => (pane.index(), ""),
        Source::View(name) => (Pane::View.index(), *name),
    };
    let tenants =
        std::iter::once(state.active).chain((0..state.books.len()).filter(|t| *t != state.active));
    match scope {
        Scope::Pane(pane) => state
            .listing(pane)
            .map(Listing::items)
            .into_iter()
            .collect(),
        Scope::Everywhere | Scope::View(_) => {
            let mut out = Vec::new();
            for tenant in tenants {
                let Some(book) = state.books.get(tenant) else {
                    continue;
                };
                let mut keyed: Vec<_> = book
                    .lists
                    .iter()
                    .filter(|(key, _)| match scope {
                        Scope::View(name) => key.source == Source::View(name),
                        _ => true,
                    })
                    .collect();
                keyed.sort_by(|(a, _), (b, _)| {
                    (rank(&a.source), &a.parent, &a.query).cmp(&(
                        rank(&b.source),
                        &b.parent,
                        &b.query,
                    ))
                });
                out.extend(keyed.into_iter().map(|(_, listing)| listing.items()));
                if matches!(scope, Scope::View(_)) {
                    // A view is the active tenant's.
                    break;
                }
            }
            out
        }
    }
}

/// What Tab found for a typed name.
#[derive(Debug, Default, PartialEq, Eq)]
struct Found {
    /// Names (or ids) that begin with the text, in list order, then those
    /// that match it fuzzily, best first; each once, at most [`LISTED_MAX`].
    listed: Vec<String>,
    /// How many of `listed` begin with the text.
    prefixed: usize,
    /// Matches not listed, each row that begins with the text once (two
    /// rows of one name beyond the cap count twice).
    beyond: usize,
    /// What every match that begins with the text begins with.
    common: Option<String>,
}

fn begins(text: &str, typed: &str) -> bool {
    // Bytes are compared, so no row allocates; ASCII case folding leaves
    // multi-byte characters whole, so the cut is a character boundary.
    text.len() >= typed.len()
        && text.as_bytes()[..typed.len()].eq_ignore_ascii_case(typed.as_bytes())
}

/// The longest start `a` and `b` share, cut at a character boundary.
fn shared(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .take_while(|((_, x), y)| x == y)
        .last()
        .map_or(0, |((i, c), _)| i + c.len_utf8())
}

/// The row's name when it begins with `typed`, else its id when that does.
fn prefix_hit<'a>(row: &'a Resource, typed: &str) -> Option<&'a str> {
    if begins(&row.name, typed) {
        Some(row.name.as_str())
    } else if row.id != row.name && begins(&row.id, typed) {
        Some(row.id.as_str())
    } else {
        None
    }
    .filter(|text| !text.is_empty())
}

/// The names a Tab lists, each once, and how many more there were.
#[derive(Default)]
struct Picks<'a> {
    listed: Vec<&'a str>,
    kept: HashSet<&'a str>,
    beyond: usize,
}

impl<'a> Picks<'a> {
    /// Listed while there is room, counted after.
    fn offer(&mut self, text: &'a str) {
        if self.kept.contains(text) {
            return;
        }
        if self.listed.len() < LISTED_MAX {
            self.kept.insert(text);
            self.listed.push(text);
        } else {
            self.beyond += 1;
        }
    }
}

/// Bounded on a 100,000-row list: the prefix pass is one walk comparing
/// at most `typed.len()` bytes a row and allocating nothing but the
/// [`LISTED_MAX`] names it keeps (the count of the rest needs the walk,
/// nothing more); the fuzzy pass, which scores and so costs far more a
/// row, runs only when the prefixes leave room in the list and reads at
/// most [`FUZZY_ROWS`] rows (a fuzzy match past them is neither listed nor
/// counted; typing more of the name finds it by its prefix).
fn find_names(lists: &[&[Resource]], typed: &str) -> Found {
    let rows = || lists.iter().flat_map(|l| l.iter());
    let mut picks = Picks::default();
    let mut common: Option<&str> = None;
    for text in rows().filter_map(|r| prefix_hit(r, typed)) {
        common = Some(common.map_or(text, |c| &c[..shared(c, text)]));
        picks.offer(text);
    }
    let prefixed = picks.listed.len();
    if picks.listed.len() < LISTED_MAX && !typed.is_empty() {
        let pattern = Pattern::parse(typed, CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        let mut scored: Vec<(u32, usize, &str)> = rows()
            .take(FUZZY_ROWS)
            .enumerate()
            .filter(|(_, r)| prefix_hit(r, typed).is_none())
            .filter_map(|(n, r)| {
                let score = pattern.score(Utf32Str::new(&r.name, &mut buf), &mut matcher)?;
                Some((score, n, r.name.as_str()))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, _, name) in scored {
            picks.offer(name);
        }
    }
    Found {
        listed: picks.listed.into_iter().map(str::to_string).collect(),
        prefixed,
        beyond: picks.beyond,
        common: common.map(str::to_string),
    }
}

/// Tab after a command word that takes a resource name. False when the
/// line is not one, for the command completion to handle.
pub(super) fn complete_name(state: &mut State, input: &mut LineInput) -> bool {
    let line = input.text().to_string();
    let Some((word, rest)) = line.split_once(' ') else {
        return false;
    };
    let Some(scope) = scope(state, word) else {
        return false;
    };
    let typed = rest.trim_start();
    // What stays as typed: the word and the spaces after it.
    let head = &line[..line.len() - typed.len()];
    let found = find_names(&lists(state, scope), typed);
    let unique_prefix = found.prefixed == 1 && found.beyond == 0;
    let unique_fuzzy = found.prefixed == 0 && found.listed.len() == 1 && found.beyond == 0;
    match found.listed.first() {
        None => {
            state.choices = None;
            inform(
                state,
                Level::Info,
                format!("no loaded name matches \"{typed}\""),
            );
        }
        // A name with spaces in it completes whole.
        Some(only) if unique_prefix || unique_fuzzy => {
            input.set(format!("{head}{only}"));
            state.choices = None;
        }
        Some(_) => {
            if let Some(common) = found.common.filter(|c| c.len() > typed.len()) {
                input.set(format!("{head}{common}"));
            }
            state.choices = Some((input.text().to_string(), found.listed, found.beyond));
        }
    }
    true
}

/// `:apps NAME`, `:persons NAME`: once the pane lists its rows, selects
/// the one of that exact name (or id), else filters the pane on it.
pub(super) fn select_named(state: &mut State, pane: Pane, text: &str) {
    state.jump = Some(Jump::new(
        state.active,
        vec![Step::named(pane, text)],
        false,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn rows(names: &[&str]) -> Vec<Resource> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| Resource::new(Kind::ClientApp, format!("id-{i}"), *n))
            .collect()
    }

    #[test]
    fn prefixes_come_first_then_fuzzy_matches_each_once() {
        let a = rows(&["web shop", "Webhooks", "the web", "web shop"]);
        let b = rows(&["wide eb", "weave"]);
        let found = find_names(&[&a, &b], "we");
        assert_eq!(found.prefixed, 3, "{found:?}");
        assert_eq!(&found.listed[..3], ["web shop", "Webhooks", "weave"]);
        assert!(found.listed.contains(&"the web".to_string()), "{found:?}");
        assert!(found.listed.contains(&"wide eb".to_string()), "{found:?}");
        assert_eq!(found.common.as_deref(), Some(""), "case differs at once");
    }

    #[test]
    fn an_id_completes_when_the_name_does_not_begin_so() {
        let a = rows(&["alpha", "beta"]);
        let found = find_names(&[&a], "id-1");
        assert_eq!(found.listed, ["id-1"]);
        assert_eq!(found.prefixed, 1);
    }

    #[test]
    fn past_the_cap_the_rest_are_counted_and_the_shared_start_is_over_all() {
        let mut names: Vec<String> = (0..LISTED_MAX + 20)
            .map(|i| format!("app-{i:03}"))
            .collect();
        names.push("apx".into());
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let a = rows(&refs);
        let found = find_names(&[&a], "ap");
        assert_eq!(found.listed.len(), LISTED_MAX);
        assert_eq!(found.beyond, 21);
        assert_eq!(found.common.as_deref(), Some("ap"), "apx is the 71st");
        let found = find_names(&[&a], "app-0");
        assert_eq!(found.common.as_deref(), Some("app-0"));
    }

    #[test]
    fn a_multibyte_name_is_cut_at_a_character_boundary() {
        let a = rows(&["Zürich", "Zug"]);
        let found = find_names(&[&a], "z");
        assert_eq!(found.common.as_deref(), Some("Z"));
        let found = find_names(&[&a], "zü");
        assert_eq!(found.listed, ["Zürich"]);
    }
}
