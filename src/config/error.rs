//! Configuration errors, each pointing at a place in the file.

use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Why a configuration could not be loaded.
///
/// `Display` reads like a compiler diagnostic, so editors and terminals can
/// jump to the spot: `config.toml:7:1: tenants[1].platform: unknown platform ...`.
/// Lines and columns are 1-based; columns count characters, not bytes.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read (missing, unreadable, not UTF-8).
    #[error("{}: cannot read the configuration: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The text is not valid TOML.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// Valid TOML that breaks a rule of the schema.
    #[error("{file}:{line}:{column}: {key}: {message}")]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        key: String,
        message: String,
    },
}

impl ConfigError {
    pub(crate) fn io(path: &Path, source: io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn syntax(
        file: &str,
        text: &str,
        span: Option<Range<usize>>,
        message: &str,
    ) -> Self {
        let (line, column) = span.map_or((1, 1), |s| line_column(text, s.start));
        Self::Syntax {
            file: file.to_owned(),
            line,
            column,
            message: message.trim_end().to_owned(),
        }
    }

    pub(crate) fn invalid(
        file: &str,
        text: &str,
        offset: usize,
        key: String,
        message: String,
    ) -> Self {
        let (line, column) = line_column(text, offset);
        Self::Invalid {
            file: file.to_owned(),
            line,
            column,
            key,
            message,
        }
    }

    /// The file the error is about: the path for [`Config::load`](super::Config::load),
    /// the origin name for [`Config::parse`](super::Config::parse).
    pub fn file(&self) -> String {
        match self {
            Self::Io { path, .. } => path.display().to_string(),
            Self::Syntax { file, .. } | Self::Invalid { file, .. } => file.clone(),
        }
    }

    /// 1-based line, absent for I/O errors.
    pub const fn line(&self) -> Option<usize> {
        match self {
            Self::Io { .. } => None,
            Self::Syntax { line, .. } | Self::Invalid { line, .. } => Some(*line),
        }
    }

    /// 1-based column in characters, absent for I/O errors.
    pub const fn column(&self) -> Option<usize> {
        match self {
            Self::Io { .. } => None,
            Self::Syntax { column, .. } | Self::Invalid { column, .. } => Some(*column),
        }
    }

    /// The dotted key path, e.g. `tenants[0].auth.password`; absent for
    /// syntax and I/O errors.
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::Invalid { key, .. } => Some(key),
            _ => None,
        }
    }

    /// The explanation without the location prefix.
    pub fn message(&self) -> String {
        match self {
            Self::Io { source, .. } => source.to_string(),
            Self::Syntax { message, .. } | Self::Invalid { message, .. } => message.clone(),
        }
    }
}

/// 1-based line and character column of a byte offset.
///
/// An offset inside a multi-byte character or past the end is clamped, so a
/// stray span can never panic.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    // A byte-order mark is invisible in editors, so it takes no column.
    let line_text = &before[line_start..];
    let line_text = line_text.strip_prefix('\u{feff}').unwrap_or(line_text);
    let column = line_text.chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters_from_one() {
        let text = "a = 1\nnamé = \"x\"\r\nz = 2";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (1, 5));
        assert_eq!(line_column(text, 6), (2, 1));
        // "namé" is 5 bytes, 4 characters: the space after it is column 5.
        assert_eq!(line_column(text, 11), (2, 5));
        let z = text.find('z').unwrap_or_default();
        assert_eq!(line_column(text, z), (3, 1));
        assert_eq!(line_column(text, 10_000), (3, 6));
        // Inside "é" (bytes 9..11): clamped back to its start.
        assert_eq!(line_column(text, 10), (2, 4));
        assert_eq!(line_column("\u{feff}x = ", 7), (1, 5));
    }
}
