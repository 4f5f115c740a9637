//! The command-mode history: commands run, oldest first, walked with the
//! arrow keys and kept across runs in the data dir (the runtime writes the
//! text `update` hands it; nothing here touches the disk).

/// Commands kept; older ones fall off.
const KEEP: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    lines: Vec<String>,
    /// While walking: the entry shown and what was typed before walking.
    walk: Option<(usize, String)>,
}

impl History {
    /// The history as its file holds it, one command a line.
    pub fn from_text(text: &str) -> Self {
        let mut history = Self::default();
        for line in text.lines() {
            history.push(line);
        }
        history.walk = None;
        history
    }

    /// The file's text.
    pub fn to_text(&self) -> String {
        let mut text = self.lines.join("\n");
        text.push('\n');
        text
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Records a command run; a repeat moves to the end instead of
    /// appearing twice.
    pub(super) fn push(&mut self, line: &str) {
        self.walk = None;
        let line = line.trim();
        // Control characters would break the one-a-line file.
        if line.is_empty() || line.chars().any(char::is_control) {
            return;
        }
        self.lines.retain(|l| l != line);
        self.lines.push(line.to_string());
        let over = self.lines.len().saturating_sub(KEEP);
        self.lines.drain(..over);
    }

    /// The entry before the one shown (the newest at first); `typed` is
    /// kept to come back to.
    pub(super) fn older(&mut self, typed: &str) -> Option<&str> {
        let at = match &self.walk {
            Some((at, _)) => at.checked_sub(1)?,
            None => self.lines.len().checked_sub(1)?,
        };
        let draft = self
            .walk
            .take()
            .map_or_else(|| typed.to_string(), |(_, d)| d);
        self.walk = Some((at, draft));
        self.lines.get(at).map(String::as_str)
    }

    /// The entry after the one shown, or what was typed past the newest.
    pub(super) fn newer(&mut self) -> Option<String> {
        let (at, draft) = self.walk.take()?;
        match self.lines.get(at + 1) {
            Some(line) => {
                let line = line.clone();
                self.walk = Some((at + 1, draft));
                Some(line)
            }
            None => Some(draft),
        }
    }

    /// Leaves a walk (the prompt closed).
    pub(super) fn stop(&mut self) {
        self.walk = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_back_and_forth_and_returns_to_what_was_typed() {
        let mut h = History::from_text("sort name\ntenant eu\n");
        assert_eq!(h.older("te"), Some("tenant eu"));
        assert_eq!(h.older("ignored"), Some("sort name"));
        assert_eq!(h.older("ignored"), None, "nothing older");
        assert_eq!(h.newer().as_deref(), Some("tenant eu"));
        assert_eq!(h.newer().as_deref(), Some("te"), "back to the draft");
        assert_eq!(h.newer(), None);
    }

    #[test]
    fn repeats_move_to_the_end_and_the_file_keeps_the_newest() {
        let mut h = History::default();
        for line in ["a", "b", "a", "  ", "bad\u{1b}[2J"] {
            h.push(line);
        }
        assert_eq!(h.lines(), ["b", "a"]);
        for i in 0..KEEP + 5 {
            h.push(&format!("c{i}"));
        }
        assert_eq!(h.lines().len(), KEEP);
        assert_eq!(h.lines().last().map(String::as_str), Some("c204"));
        let again = History::from_text(&h.to_text());
        assert_eq!(again.lines(), h.lines());
    }
}
