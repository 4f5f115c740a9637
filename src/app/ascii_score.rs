//! The fuzzy matcher's answer for the commonest case, worked out without
//! it: an ASCII text and one word of lower-case ASCII letters and digits
//! that the text holds as one run.
//!
//! On a 100,000-row pane a filter keystroke scores every row the last
//! one kept, and for short texts the matcher's general machinery (its
//! memchr scans, grapheme checks and scoring loop) costs several times
//! what this case needs. Anything else, or any doubt, goes back to the
//! matcher; the tests hold this to the matcher's own answers.

/// How the matcher classes a character; the order matters, as it does
/// to the matcher: everything after `Delimiter` is part of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Whitespace,
    NonWord,
    Delimiter,
    Lower,
    Upper,
    Number,
}

/// The matcher's default delimiters, which separate words as a path or
/// a list does.
const DELIMITERS: &[u8] = b"/,:;|";

const SCORE_MATCH: u16 = 16;
const BONUS_BOUNDARY: u16 = SCORE_MATCH / 2;
const BONUS_BOUNDARY_WHITE: u16 = BONUS_BOUNDARY + 2;
const BONUS_BOUNDARY_DELIMITER: u16 = BONUS_BOUNDARY + 1;
const BONUS_CAMEL123: u16 = BONUS_BOUNDARY - 3;
const BONUS_NON_WORD: u16 = BONUS_BOUNDARY;
const BONUS_CONSECUTIVE: u16 = 4;
const BONUS_FIRST_CHAR_MULTIPLIER: u16 = 2;

/// Words longer than this go to the matcher, so a score can never come
/// near overflowing.
const WORDS_MAX: usize = 64;

fn class(c: u8) -> Class {
    match c {
        b'a'..=b'z' => Class::Lower,
        b'A'..=b'Z' => Class::Upper,
        b'0'..=b'9' => Class::Number,
        _ if c.is_ascii_whitespace() => Class::Whitespace,
        _ if DELIMITERS.contains(&c) => Class::Delimiter,
        _ => Class::NonWord,
    }
}

/// The bonus a character earns for what comes before it: the start of a
/// word most, a camelCase hump or the start of a number less.
fn bonus(before: Class, class: Class) -> u16 {
    if class > Class::Delimiter {
        match before {
            Class::Whitespace => return BONUS_BOUNDARY_WHITE,
            Class::Delimiter => return BONUS_BOUNDARY_DELIMITER,
            Class::NonWord => return BONUS_BOUNDARY,
            _ => {}
        }
    }
    if before == Class::Lower && class == Class::Upper
        || before != Class::Number && class == Class::Number
    {
        BONUS_CAMEL123
    } else if class == Class::Whitespace {
        BONUS_BOUNDARY_WHITE
    } else if class == Class::NonWord {
        BONUS_NON_WORD
    } else {
        0
    }
}

/// A letter or digit as the text may hold it, in either case.
#[derive(Clone, Copy)]
struct Either(u8, u8);

impl Either {
    const fn of(c: u8) -> Self {
        Self(c, c.to_ascii_uppercase())
    }

    #[allow(
        clippy::needless_bitwise_bool,
        reason = "no branch a byte, so a scan over many bytes vectorises"
    )]
    const fn is(self, t: u8) -> bool {
        (t == self.0) | (t == self.1)
    }

    /// Where it first appears in `text` at or after `from`.
    fn find(self, text: &[u8], from: usize) -> Option<usize> {
        text.get(from..)?
            .iter()
            .position(|&t| self.is(t))
            .map(|at| at + from)
    }

    /// Whether it appears in `text` at all: without a branch a byte, so
    /// the compiler checks many at once.
    fn anywhere(self, text: &[u8]) -> bool {
        text.iter().fold(false, |seen, &t| seen | self.is(t))
    }
}

/// A match the matcher would score as one run of the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub score: u32,
    /// Where in the text the run begins.
    pub at: usize,
}

/// What this module can tell of a text without the matcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The text cannot match.
    NoMatch,
    /// The words' letters run together where the matcher would look.
    Run(Run),
    /// The matcher must be asked.
    Ask,
}

/// The matcher's answer for `words` in `text`, where this module can
/// tell it.
///
/// `words` must be lower-case ASCII letters and digits, as the filter's
/// plain words are once lowered.
pub fn score(text: &[u8], words: &[u8]) -> Answer {
    let n = words.len();
    // One letter, a text no longer than the words, or text that is not
    // ASCII: the matcher takes other paths.
    if !(2..=WORDS_MAX).contains(&n) || !text.is_ascii() || n == text.len() {
        return Answer::Ask;
    }
    let (Some((&first, rest)), Some(&last)) = (words.split_first(), words.last()) else {
        return Answer::Ask;
    };
    // The first letter is looked for only where all the words could
    // still follow it, as the matcher does.
    let Some(start) = text
        .len()
        .checked_sub(n)
        .and_then(|limit| Either::of(first).find(&text[..=limit], 0))
    else {
        return Answer::NoMatch;
    };
    let mut end = start + 1;
    for &c in rest {
        let Some(at) = Either::of(c).find(text, end) else {
            return Answer::NoMatch;
        };
        end = at + 1;
    }
    // The matcher weighs every way of matching up to the last place the
    // last letter appears; only when that is where the first greedy run
    // ends is the run the one it scores.
    if end - start != n || Either::of(last).anywhere(&text[end..]) {
        return Answer::Ask;
    }
    let mut before = start
        .checked_sub(1)
        .map_or(Class::Whitespace, |at| class(text[at]));
    let mut first_bonus = 0;
    let mut total: u16 = 0;
    for (i, &c) in text[start..end].iter().enumerate() {
        let this = class(c);
        let mut earned = bonus(before, this);
        if i == 0 {
            first_bonus = earned;
            total = SCORE_MATCH + earned * BONUS_FIRST_CHAR_MULTIPLIER;
        } else {
            if earned >= BONUS_BOUNDARY && earned > first_bonus {
                first_bonus = earned;
            }
            earned = earned.max(first_bonus).max(BONUS_CONSECUTIVE);
            total += SCORE_MATCH + earned;
        }
        before = this;
    }
    Answer::Run(Run {
        score: u32::from(total),
        at: start,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    use nucleo_matcher::{Config, Matcher, Utf32Str};
    use proptest::prelude::*;

    fn matcher_score(text: &str, words: &str) -> Option<u32> {
        let pattern = Pattern::parse(words, CaseMatching::Ignore, Normalization::Smart);
        pattern.score(
            Utf32Str::new(text, &mut Vec::new()),
            &mut Matcher::new(Config::DEFAULT),
        )
    }

    /// The score alone, as the matcher gives it (`None` when the matcher
    /// is left to answer); where the run begins is checked against the
    /// text itself.
    fn answer(text: &str, words: &str) -> Option<Result<u32, ()>> {
        match score(text.as_bytes(), words.as_bytes()) {
            Answer::Ask => None,
            Answer::NoMatch => Some(Err(())),
            Answer::Run(run) => {
                let at = text.get(run.at..run.at + words.len());
                assert!(
                    at.is_some_and(|at| at.eq_ignore_ascii_case(words)),
                    "{text:?}"
                );
                Some(Ok(run.score))
            }
        }
    }

    /// The matcher's own answer, in the same form.
    fn matcher_answer(text: &str, words: &str) -> Result<u32, ()> {
        matcher_score(text, words).ok_or(())
    }

    #[test]
    fn a_run_of_the_words_scores_as_the_matcher_does() {
        for (text, words) in [
            ("Integration 12 id0000012", "tegr"),
            ("Integration 12 id0000012", "inte"),
            ("fleet/EU:Ocean", "ocean"),
            ("west/yard", "yard"),
            ("fooBar", "ba"),
            ("a1b2", "1b"),
            ("x|yz", "yz"),
        ] {
            assert_eq!(
                answer(text, words),
                Some(matcher_answer(text, words)),
                "{text:?} {words:?}"
            );
        }
        assert_eq!(answer("abc", "xy"), Some(Err(())), "no match");
        assert_eq!(answer("axbyc by", "by"), None, "a later run is weighed");
        assert_eq!(answer("ab", "ab"), None, "as long as the text");
        assert_eq!(answer("é ab", "ab"), None, "not ASCII");
    }

    /// Texts from a small alphabet with every class in it, so runs,
    /// repeats, humps and delimiters come up often.
    fn text() -> impl Strategy<Value = String> {
        "[abAB01 _/:.\\-|\t]{0,24}"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn whatever_it_answers_the_matcher_answers(
            text in text(),
            words in "[ab01]{2,4}",
        ) {
            if let Some(answer) = answer(&text, &words) {
                prop_assert_eq!(answer, matcher_answer(&text, &words));
            }
        }

        /// With the words' letters nowhere else in the text, their run
        /// is the match: it must be answered, and answered right.
        #[test]
        fn a_lone_run_of_the_words_is_answered(
            head in "[cdCD23 _/:.\\-|\t]{0,12}",
            words in "[ab01]{2,6}",
            upper in proptest::collection::vec(any::<bool>(), 6),
            tail in "[cdCD23 _/:.\\-|\t]{0,12}",
        ) {
            let run: String = words
                .chars()
                .zip(upper)
                .map(|(c, up)| if up { c.to_ascii_uppercase() } else { c })
                .collect();
            let text = format!("{head}{run}{tail}");
            if text.len() > words.len() {
                prop_assert_eq!(answer(&text, &words), Some(matcher_answer(&text, &words)));
            }
        }
    }
}
