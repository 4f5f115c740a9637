//! A one-line text input: the filter, the command line and form fields.
//! It takes characters and editing actions, never key codes: the keymap
//! decides which key means what.

use crate::keymap::Action;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    /// Cursor position in characters.
    cursor: usize,
}

impl LineInput {
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let cursor = text.chars().count();
        Self { text, cursor }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub const fn cursor(&self) -> usize {
        self.cursor
    }

    /// The text left of the cursor, where the terminal cursor is drawn.
    pub fn before_cursor(&self) -> &str {
        &self.text[..self.byte_at(self.cursor)]
    }

    pub fn set(&mut self, text: impl Into<String>) {
        *self = Self::new(text);
    }

    pub fn insert_str(&mut self, s: &str) {
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, s);
        self.cursor += s.chars().count();
    }

    pub fn insert(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// Where the word before the cursor starts, in characters: skip the
    /// spaces left of the cursor, then the word.
    fn word_start(&self) -> usize {
        let chars: Vec<char> = self.text.chars().take(self.cursor).collect();
        let mut at = chars.len();
        while at > 0 && chars[at - 1].is_whitespace() {
            at -= 1;
        }
        while at > 0 && !chars[at - 1].is_whitespace() {
            at -= 1;
        }
        at
    }

    /// Where the word after the cursor ends, in characters.
    fn word_end(&self) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut at = self.cursor;
        while at < chars.len() && chars[at].is_whitespace() {
            at += 1;
        }
        while at < chars.len() && !chars[at].is_whitespace() {
            at += 1;
        }
        at
    }

    /// Applies an editing action; `false` when the action is not an edit.
    pub fn apply(&mut self, action: Action) -> bool {
        match action {
            Action::ClearToStart => {
                let at = self.byte_at(self.cursor);
                self.text.replace_range(..at, "");
                self.cursor = 0;
            }
            Action::LineStart => self.cursor = 0,
            Action::LineEnd => self.cursor = self.len(),
            Action::DeleteWord => {
                let start = self.word_start();
                let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(from..to, "");
                self.cursor = start;
            }
            Action::WordLeft => self.cursor = self.word_start(),
            Action::WordRight => self.cursor = self.word_end(),
            Action::DeleteBack => {
                if self.cursor > 0 {
                    let at = self.byte_at(self.cursor - 1);
                    self.text.remove(at);
                    self.cursor -= 1;
                }
            }
            Action::DeleteForward => {
                if self.cursor < self.len() {
                    let at = self.byte_at(self.cursor);
                    self.text.remove(at);
                }
            }
            Action::CharLeft => self.cursor = self.cursor.saturating_sub(1),
            Action::CharRight => self.cursor = (self.cursor + 1).min(self.len()),
            _ => return false,
        }
        true
    }
}

/// The longest start every option shares, for Tab completion.
pub(super) fn common_prefix(options: &[String]) -> Option<String> {
    let first = options.first()?;
    let len = options[1..].iter().fold(first.len(), |len, other| {
        first
            .char_indices()
            .zip(other.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, c), _)| i + c.len_utf8())
            .min(len)
    });
    first.get(..len).map(str::to_string)
}

/// The index `step` places away from `at` in a ring of `len` items, in
/// unsigned arithmetic so no length can wrap a signed cast. `len` must be > 0.
pub const fn step_wrapping(at: usize, len: usize, step: isize) -> usize {
    let shift = step.unsigned_abs() % len;
    if step < 0 {
        (at % len + len - shift) % len
    } else {
        (at % len + shift) % len
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn step_wrapping_goes_round_both_ways() {
        assert_eq!(super::step_wrapping(0, 3, -1), 2);
        assert_eq!(super::step_wrapping(2, 3, 1), 0);
        assert_eq!(super::step_wrapping(1, 3, 7), 2);
        assert_eq!(super::step_wrapping(1, 3, -7), 0);
    }

    use super::*;

    #[test]
    fn edits_at_the_cursor_with_multibyte_text() {
        let mut input = LineInput::new("héllo");
        input.apply(Action::CharLeft);
        input.apply(Action::DeleteBack);
        assert_eq!(input.text(), "hélo");
        input.apply(Action::LineStart);
        input.insert('¡');
        assert_eq!(input.text(), "¡hélo");
        input.apply(Action::DeleteWord);
        assert_eq!(input.text(), "hélo");
        input.apply(Action::LineEnd);
        input.apply(Action::DeleteWord);
        assert_eq!(input.text(), "");
        assert!(!input.apply(Action::Quit), "not an edit");
    }

    #[test]
    fn delete_word_handles_every_kind_of_space() {
        // (text, expected after one delete-word at the end)
        let cases = [
            ("sync\u{a0}job", "sync\u{a0}"),
            ("a\u{3000}日本語", "a\u{3000}"),
            ("tab\tsep", "tab\t"),
            ("em\u{2003}space ", "em\u{2003}"),
            ("\u{a0}\u{a0}", ""),
            ("ünï cødé  ", "ünï "),
            ("word", ""),
            ("", ""),
        ];
        for (text, expected) in cases {
            let mut input = LineInput::new(text);
            input.apply(Action::DeleteWord);
            assert_eq!(input.text(), expected, "from {text:?}");
            assert_eq!(input.cursor(), expected.chars().count(), "from {text:?}");
            input.insert('x');
            assert!(input.text().ends_with('x'), "cursor stays on a boundary");
        }
        let mut mid = LineInput::new("ab\u{a0}cd\u{a0}ef");
        for _ in 0..3 {
            mid.apply(Action::CharLeft);
        }
        mid.apply(Action::DeleteWord);
        assert_eq!(mid.text(), "ab\u{a0}\u{a0}ef");
    }

    #[test]
    fn word_motions_skip_spaces_then_a_word() {
        let mut input = LineInput::new("one two  three");
        input.apply(Action::WordLeft);
        assert_eq!(input.before_cursor(), "one two  ");
        input.apply(Action::WordLeft);
        assert_eq!(input.before_cursor(), "one ");
        input.apply(Action::WordRight);
        assert_eq!(input.before_cursor(), "one two");
        input.apply(Action::LineStart);
        input.apply(Action::WordLeft);
        assert_eq!(input.cursor(), 0);
        input.apply(Action::LineEnd);
        input.apply(Action::WordRight);
        assert_eq!(input.cursor(), 14);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        const EDITS: [Action; 10] = [
            Action::ClearToStart,
            Action::LineStart,
            Action::LineEnd,
            Action::DeleteWord,
            Action::WordLeft,
            Action::WordRight,
            Action::DeleteBack,
            Action::DeleteForward,
            Action::CharLeft,
            Action::CharRight,
        ];

        #[derive(Debug, Clone)]
        enum Step {
            Edit(usize),
            Insert(char),
            Paste(String),
        }

        fn step() -> impl Strategy<Value = Step> {
            prop_oneof![
                (0..EDITS.len()).prop_map(Step::Edit),
                any::<char>().prop_map(Step::Insert),
                ".{0,8}".prop_map(Step::Paste),
            ]
        }

        /// Text heavy in the characters that broke byte slicing: wide
        /// spaces, combining marks, astral planes, controls.
        fn text() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<String>(),
                proptest::collection::vec(
                    prop_oneof![
                        Just('\u{a0}'),
                        Just('\u{3000}'),
                        Just('\u{2003}'),
                        Just(' '),
                        Just('\t'),
                        Just('é'),
                        Just('\u{301}'),
                        Just('日'),
                        Just('\u{1f600}'),
                        Just('\u{200d}'),
                        Just('a'),
                        any::<char>(),
                    ],
                    0..24,
                )
                .prop_map(|cs| cs.into_iter().collect()),
            ]
        }

        /// The same edit on a plain vector of characters.
        fn model(chars: &mut Vec<char>, cursor: &mut usize, action: Action) {
            let word_start = |chars: &[char], cursor: usize| {
                let mut at = cursor;
                while at > 0 && chars[at - 1].is_whitespace() {
                    at -= 1;
                }
                while at > 0 && !chars[at - 1].is_whitespace() {
                    at -= 1;
                }
                at
            };
            match action {
                Action::ClearToStart => {
                    chars.drain(..*cursor);
                    *cursor = 0;
                }
                Action::LineStart => *cursor = 0,
                Action::LineEnd => *cursor = chars.len(),
                Action::DeleteWord => {
                    let start = word_start(chars, *cursor);
                    chars.drain(start..*cursor);
                    *cursor = start;
                }
                Action::WordLeft => *cursor = word_start(chars, *cursor),
                Action::WordRight => {
                    let mut at = *cursor;
                    while at < chars.len() && chars[at].is_whitespace() {
                        at += 1;
                    }
                    while at < chars.len() && !chars[at].is_whitespace() {
                        at += 1;
                    }
                    *cursor = at;
                }
                Action::DeleteBack if *cursor > 0 => {
                    chars.remove(*cursor - 1);
                    *cursor -= 1;
                }
                Action::DeleteForward if *cursor < chars.len() => {
                    chars.remove(*cursor);
                }
                Action::CharLeft => *cursor = cursor.saturating_sub(1),
                Action::CharRight => *cursor = (*cursor + 1).min(chars.len()),
                _ => {}
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn every_editing_key_agrees_with_a_char_model(
                start in text(),
                steps in proptest::collection::vec(step(), 0..40),
            ) {
                let mut input = LineInput::new(start.clone());
                let mut chars: Vec<char> = start.chars().collect();
                let mut cursor = chars.len();
                for step in steps {
                    match step {
                        Step::Edit(i) => {
                            prop_assert!(input.apply(EDITS[i]));
                            model(&mut chars, &mut cursor, EDITS[i]);
                        }
                        Step::Insert(c) => {
                            input.insert(c);
                            chars.insert(cursor, c);
                            cursor += 1;
                        }
                        Step::Paste(s) => {
                            input.insert_str(&s);
                            for c in s.chars() {
                                chars.insert(cursor, c);
                                cursor += 1;
                            }
                        }
                    }
                    let expected: String = chars.iter().collect();
                    prop_assert_eq!(input.text(), expected.as_str());
                    prop_assert_eq!(input.cursor(), cursor);
                    let before: String = chars[..cursor].iter().collect();
                    prop_assert_eq!(input.before_cursor(), before.as_str());
                }
            }

            #[test]
            fn each_key_alone_never_panics_at_any_cursor(
                start in text(),
                left in 0usize..30,
                key in 0..EDITS.len(),
            ) {
                let mut input = LineInput::new(start);
                for _ in 0..left {
                    input.apply(Action::CharLeft);
                }
                input.apply(EDITS[key]);
                prop_assert!(input.cursor() <= input.text().chars().count());
                prop_assert!(input.text().is_char_boundary(input.before_cursor().len()));
            }
        }
    }
}
