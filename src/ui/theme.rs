//! Named styles for everything the console draws, read from TOML.
//!
//! Three themes ship in `assets/themes` (dark, light, high-contrast) and
//! a user theme is `<config dir>/themes/<name>.toml`. A theme file sets
//! any of the roles below; the rest come from the theme it `extends`
//! (dark unless it says otherwise). Colours are limited to the 16 ANSI
//! names, so every theme stays readable in a 16-colour terminal, and the
//! terminal's own palette decides the exact shades.
//!
//! ```toml
//! extends = "light"
//! focused_border = { fg = "blue", modifiers = ["bold"] }
//! expired = { fg = "white", bg = "red" }
//! ```

use std::cell::Cell;
use std::fmt;
use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The themes built into the binary, by name.
pub const BUILT_IN: [(&str, &str); 3] = [
    ("dark", include_str!("../../assets/themes/dark.toml")),
    ("light", include_str!("../../assets/themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../assets/themes/high-contrast.toml"),
    ),
];

/// The theme used when the config names none.
pub const DEFAULT_THEME: &str = "dark";

const fn fg(color: Color) -> Style {
    Style::new().fg(color)
}

const fn with(modifier: Modifier) -> Style {
    Style::new().add_modifier(modifier)
}

macro_rules! roles {
    ($($(#[doc = $doc:literal])* $name:ident = $default:expr;)*) => {
        /// One style per role; [`Theme::default`] is the dark theme.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct Theme {
            $($(#[doc = $doc])* pub(super) $name: Style,)*
        }

        impl Theme {
            /// The dark theme, in code, so drawing never depends on
            /// parsing; a test checks `dark.toml` says the same.
            const DARK: Self = Self { $($name: $default,)* };
        }

        /// A theme file as written: every role optional.
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            extends: Option<String>,
            $(#[serde(default)] $name: Option<Spec>,)*
        }

        impl File {
            fn over(self, mut base: Theme) -> Theme {
                $(if let Some(spec) = self.$name {
                    base.$name = spec.style();
                })*
                base
            }
        }

        /// Every role a theme file may set, in the order above.
        pub const ROLES: &[&str] = &[$(stringify!($name)),*];
    };
}

roles! {
    /// The border of a pane without the focus.
    border = fg(Color::DarkGray);
    /// The focused pane's border; the tenant's own colour replaces its
    /// foreground when the tenant has one.
    focused_border = fg(Color::Cyan);
    /// Column headings.
    header = with(Modifier::BOLD.union(Modifier::DIM));
    /// The selected row of the focused pane.
    selected = with(Modifier::REVERSED);
    /// The selected row of a pane without the focus.
    selected_unfocused = with(Modifier::UNDERLINED);
    /// Secondary text: reasons, placeholders, notes.
    dimmed = with(Modifier::DIM);
    /// A disabled resource's row.
    inactive = with(Modifier::DIM);
    /// Expires within the month.
    expiring = fg(Color::Yellow);
    /// Already expired.
    expired = fg(Color::Red).add_modifier(Modifier::BOLD);
    /// Errors, failed steps, destructive dialogs.
    error = fg(Color::Red);
    /// Warnings and remedies.
    warning = fg(Color::Yellow);
    /// Something that worked.
    success = fg(Color::Green);
    /// Requests in flight and the spinner.
    busy = fg(Color::Yellow);
    /// Marked rows and their count.
    marked = fg(Color::Magenta);
    /// A filter or server search shown in a pane title, and its prompt.
    filter = fg(Color::Magenta);
    /// The sort order shown in a pane title.
    sort = fg(Color::Blue);
    /// A key in the hint bar, help and dialogs' key lines; field labels.
    hint_key = fg(Color::Cyan);
    /// What a hinted key does.
    hint_text = with(Modifier::DIM);
    /// A hint the tenant or its credential may not use, key and label;
    /// a `✗` follows it whatever the style.
    hint_refused = with(Modifier::DIM.union(Modifier::CROSSED_OUT));
    /// The status line's plain text (data age, auto-refresh).
    status = with(Modifier::DIM);
    /// A tenant's chrome when the tenant sets no colour: its foreground
    /// is the tenant colour.
    tenant = fg(Color::Cyan);
    /// Text on a tenant-coloured chip; the background is the tenant's.
    tenant_label = fg(Color::Black);
    /// The `[RO]` badge.
    read_only = fg(Color::Red);
    /// The `[P]` badge.
    protected = fg(Color::Magenta);
    /// The DEMO badge.
    demo = fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD);
    /// A dialog's frame, the command prompt and the picker's marker.
    dialog = fg(Color::Cyan);
    /// A form field without the focus.
    field = fg(Color::Gray);
    /// A newly issued secret and the frames around secrets and bulk runs.
    secret = fg(Color::Yellow).add_modifier(Modifier::BOLD);
    /// The focused button of a destructive confirmation.
    button_danger = fg(Color::Black).bg(Color::Red);
    /// The other button.
    button = fg(Color::Black).bg(Color::Gray);
}

impl Default for Theme {
    fn default() -> Self {
        Self::DARK
    }
}

impl Theme {
    /// A built-in theme by name.
    pub fn built_in(name: &str) -> Result<Self, ThemeError> {
        let (_, text) = BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| ThemeError::unknown(name))?;
        Self::parse(text, &format!("<built-in theme {name}>"), 0)
    }

    /// The theme `name`: `<config_dir>/themes/<name>.toml` when that file
    /// exists (so a user file may also replace a built-in one), else the
    /// built-in theme of that name.
    pub fn named(name: &str, config_dir: Option<&Path>) -> Result<Self, ThemeError> {
        if let Some(path) = config_dir.map(|dir| user_path(dir, name))
            && path.is_file()
        {
            return Self::load(&path);
        }
        Self::built_in(name)
    }

    /// Reads a theme file.
    pub fn load(path: &Path) -> Result<Self, ThemeError> {
        let text = std::fs::read_to_string(path).map_err(|err| ThemeError {
            origin: path.display().to_string(),
            line: 0,
            column: 0,
            message: format!("cannot read the theme: {err}"),
        })?;
        Self::parse(&text, &path.display().to_string(), 0)
    }

    /// Parses theme text; `origin` names it in errors. `depth` counts
    /// `extends` hops, so two files naming each other cannot loop.
    fn parse(text: &str, origin: &str, depth: usize) -> Result<Self, ThemeError> {
        let file: File = toml::from_str(text).map_err(|err| {
            let (line, column) = err
                .span()
                .map_or((1, 1), |span| line_column(text, span.start));
            ThemeError {
                origin: origin.to_owned(),
                line,
                column,
                message: err.message().trim_end().to_owned(),
            }
        })?;
        let base = match file.extends.as_deref() {
            None => Self::DARK,
            Some(_) if depth > 0 => {
                return Err(ThemeError {
                    origin: origin.to_owned(),
                    line: 1,
                    column: 1,
                    message: "a built-in theme extends nothing".into(),
                });
            }
            Some(parent) => {
                let (_, parent_text) =
                    BUILT_IN.iter().find(|(n, _)| *n == parent).ok_or_else(|| {
                        let (line, column) = text
                            .find("extends")
                            .map_or((1, 1), |at| line_column(text, at));
                        ThemeError {
                            origin: origin.to_owned(),
                            line,
                            column,
                            message: format!(
                                "extends: unknown theme {parent:?} (expected one of {})",
                                built_in_names()
                            ),
                        }
                    })?;
                Self::parse(parent_text, parent, depth + 1)?
            }
        };
        Ok(file.over(base))
    }

    /// The colour a tenant's chrome uses: its own, else this theme's.
    pub(super) fn tenant_colour(&self, own: Option<Color>) -> Color {
        own.or(self.tenant.fg).unwrap_or(Color::Reset)
    }

    /// A role's foreground, for widgets that take a colour.
    pub(super) fn colour(style: Style) -> Color {
        style.fg.unwrap_or(Color::Reset)
    }
}

/// Where the user theme `name` lives under the config directory.
pub fn user_path(config_dir: &Path, name: &str) -> PathBuf {
    config_dir.join("themes").join(format!("{name}.toml"))
}

fn built_in_names() -> String {
    BUILT_IN
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A theme that cannot be used, with where in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeError {
    origin: String,
    /// 0 when the file could not be read at all.
    line: usize,
    column: usize,
    message: String,
}

impl ThemeError {
    fn unknown(name: &str) -> Self {
        Self {
            origin: String::from("theme"),
            line: 0,
            column: 0,
            message: format!(
                "unknown theme {name:?} (built in: {}; a file of your own goes in <config dir>/themes/{name}.toml)",
                built_in_names()
            ),
        }
    }

    /// The 1-based line the problem is on; 0 when there is no file position.
    pub const fn line(&self) -> usize {
        self.line
    }
}

impl fmt::Display for ThemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.origin, self.message),
            line => write!(
                f,
                "{}:{line}:{}: {}",
                self.origin, self.column, self.message
            ),
        }
    }
}

impl std::error::Error for ThemeError {}

/// One role as written: `{ fg = "cyan", bg = "black", modifiers = ["bold"] }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    fg: Option<Ansi>,
    bg: Option<Ansi>,
    #[serde(default)]
    modifiers: Vec<Modifiers>,
}

impl Spec {
    fn style(&self) -> Style {
        let mut style = Style::new();
        if let Some(Ansi(c)) = self.fg {
            style = style.fg(c);
        }
        if let Some(Ansi(c)) = self.bg {
            style = style.bg(c);
        }
        for m in &self.modifiers {
            style = style.add_modifier(m.modifier());
        }
        style
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Modifiers {
    Bold,
    Dim,
    Italic,
    Underlined,
    Reversed,
    #[serde(rename = "crossed-out")]
    CrossedOut,
}

impl Modifiers {
    const fn modifier(&self) -> Modifier {
        match self {
            Self::Bold => Modifier::BOLD,
            Self::Dim => Modifier::DIM,
            Self::Italic => Modifier::ITALIC,
            Self::Underlined => Modifier::UNDERLINED,
            Self::Reversed => Modifier::REVERSED,
            Self::CrossedOut => Modifier::CROSSED_OUT,
        }
    }
}

/// The 16 ANSI colours and `reset` (the terminal's default).
const ANSI: [(&str, Color); 17] = [
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("dark-gray", Color::DarkGray),
    ("light-red", Color::LightRed),
    ("light-green", Color::LightGreen),
    ("light-yellow", Color::LightYellow),
    ("light-blue", Color::LightBlue),
    ("light-magenta", Color::LightMagenta),
    ("light-cyan", Color::LightCyan),
    ("white", Color::White),
    ("reset", Color::Reset),
];

#[derive(Debug, Clone, Copy)]
struct Ansi(Color);

impl<'de> Deserialize<'de> for Ansi {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let name = String::deserialize(de)?;
        ANSI.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| Self(*c))
            .ok_or_else(|| {
                let names: Vec<&str> = ANSI.iter().map(|(n, _)| *n).collect();
                serde::de::Error::custom(format!(
                    "unknown colour {name:?} (a theme uses the 16 ANSI colours: {})",
                    names.join(", ")
                ))
            })
    }
}

thread_local! {
    /// The theme of the frame being drawn. Drawing is synchronous and on
    /// one thread, so every widget reads it here instead of each drawing
    /// function passing it on.
    static CURRENT: Cell<Theme> = const { Cell::new(Theme::DARK) };
}

/// The theme of the frame being drawn.
pub(super) fn current() -> Theme {
    CURRENT.with(Cell::get)
}

/// Makes `theme` current until the guard drops, restoring the one before.
pub(super) fn scoped(theme: &Theme) -> Scope {
    Scope(CURRENT.with(|c| c.replace(*theme)))
}

pub(super) struct Scope(Theme);

impl Drop for Scope {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_file_matches_the_built_in_default() {
        assert_eq!(Theme::built_in("dark").unwrap(), Theme::default());
    }

    #[test]
    fn every_role_is_set_by_every_shipped_file() {
        for (name, text) in BUILT_IN {
            let table: toml::Table = toml::from_str(text).unwrap();
            for role in ROLES {
                assert!(table.contains_key(*role), "{name} lacks {role}");
            }
        }
    }

    #[test]
    fn a_bad_colour_names_its_line_and_column() {
        let err = Theme::parse(
            "border = { fg = \"cyan\" }\nheader = { fg = \"#ff0000\" }\n",
            "t.toml",
            0,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("t.toml:2:"), "{text}");
        assert!(text.contains("16 ANSI colours"), "{text}");
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\ncé\nx", 7), (3, 1));
        assert_eq!(line_column("ab\ncé", 4), (2, 2));
    }
}
