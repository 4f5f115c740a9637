//! Where the configuration file is: `--config`, then `$PORTICO_CONFIG`,
//! then the user's config directory.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The environment variable naming a config file.
pub const ENV_VAR: &str = "PORTICO_CONFIG";

/// Which rule of the lookup order picked the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    /// `--config PATH` on the command line.
    Flag,
    /// `$PORTICO_CONFIG`.
    Env,
    /// The per-user default location.
    Default,
}

impl ConfigSource {
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Flag => "--config",
            Self::Env => "$PORTICO_CONFIG",
            Self::Default => "default location",
        }
    }
}

/// The config file Portico will read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    path: PathBuf,
    source: ConfigSource,
}

impl Located {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub const fn source(&self) -> ConfigSource {
        self.source
    }

    /// Whether a regular file (or a link to one) is there now.
    pub fn exists(&self) -> bool {
        self.path.is_file()
    }
}

/// Picks the config file: the `--config` path if given, else a non-empty
/// `$PORTICO_CONFIG`, else [`default_path`].
pub fn locate(cli: Option<&Path>) -> Located {
    locate_with(cli, std::env::var_os(ENV_VAR), default_path())
}

/// The per-user config file, from the `directories` crate
/// (`ProjectDirs::from("", "", "portico")`, then `config.toml`):
///
/// - Linux and BSDs: `$XDG_CONFIG_HOME/portico/config.toml`, by default
///   `~/.config/portico/config.toml`
/// - macOS: `~/Library/Application Support/portico/config.toml`
/// - Windows: `%APPDATA%\portico\config\config.toml`
///
/// `None` when no home directory can be found.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "portico")
        .map(|dirs| dirs.config_dir().join("config.toml"))
}

/// Where the file is relative to when even the home directory is unknown
/// (e.g. a bare container): the working directory.
const LAST_RESORT: &str = "config.toml";

fn locate_with(cli: Option<&Path>, env: Option<OsString>, default: Option<PathBuf>) -> Located {
    if let Some(path) = cli {
        return Located {
            path: path.to_path_buf(),
            source: ConfigSource::Flag,
        };
    }
    // An empty variable is treated as unset: `PORTICO_CONFIG= portico` is a
    // common way to switch it off for one run.
    if let Some(env) = env.filter(|v| !v.is_empty()) {
        return Located {
            path: PathBuf::from(env),
            source: ConfigSource::Env,
        };
    }
    Located {
        path: default.unwrap_or_else(|| PathBuf::from(LAST_RESORT)),
        source: ConfigSource::Default,
    }
}

/// A multi-line, human-readable account of the lookup order and which rule
/// applies, for `portico config path`.
pub fn describe_lookup(cli: Option<&Path>) -> String {
    describe_with(
        cli,
        std::env::var_os(ENV_VAR).as_ref(),
        default_path().as_ref(),
    )
}

fn describe_with(cli: Option<&Path>, env: Option<&OsString>, default: Option<&PathBuf>) -> String {
    let located = locate_with(cli, env.cloned(), default.cloned());
    let mark = |source: ConfigSource| {
        if located.source == source {
            "  <- in use"
        } else {
            ""
        }
    };
    let mut out = String::from("Portico reads its configuration from the first of:\n");
    let flag = cli.map_or_else(|| "(not given)".to_owned(), |p| p.display().to_string());
    let _ = writeln!(
        out,
        "  1. {:<18}{flag}{}",
        "--config PATH",
        mark(ConfigSource::Flag)
    );
    let env_text = match &env {
        None => "(not set)".to_owned(),
        Some(v) if v.is_empty() => "(empty, ignored)".to_owned(),
        Some(v) => PathBuf::from(v).display().to_string(),
    };
    let _ = writeln!(
        out,
        "  2. {:<18}{env_text}{}",
        format!("${ENV_VAR}"),
        mark(ConfigSource::Env)
    );
    let default_text = match &default {
        Some(p) => p.display().to_string(),
        None => format!("(no home directory; falling back to ./{LAST_RESORT})"),
    };
    let _ = writeln!(
        out,
        "  3. {:<18}{default_text}{}",
        "default location",
        mark(ConfigSource::Default)
    );
    let state = if located.exists() {
        "exists"
    } else {
        "does not exist yet"
    };
    let _ = writeln!(
        out,
        "Using {} (from {}); the file {state}.",
        located.path.display(),
        located.source.describe()
    );
    out
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "stands in for the optional default path"
)]
#[cfg(test)]
mod tests {
    use super::*;

    fn default() -> Option<PathBuf> {
        Some(PathBuf::from("/home/ada/.config/portico/config.toml"))
    }

    #[test]
    fn flag_beats_env_and_default() {
        let found = locate_with(
            Some(Path::new("/etc/p.toml")),
            Some("/env.toml".into()),
            default(),
        );
        assert_eq!(found.path(), Path::new("/etc/p.toml"));
        assert_eq!(found.source(), ConfigSource::Flag);
    }

    #[test]
    fn env_beats_default_unless_empty() {
        let found = locate_with(None, Some("/env.toml".into()), default());
        assert_eq!(found.path(), Path::new("/env.toml"));
        assert_eq!(found.source(), ConfigSource::Env);

        let found = locate_with(None, Some(OsString::new()), default());
        assert_eq!(found.source(), ConfigSource::Default);
        assert_eq!(found.path(), default().unwrap().as_path());
    }

    #[test]
    fn default_without_home_falls_back_to_working_directory() {
        let found = locate_with(None, None, None);
        assert_eq!(found.path(), Path::new("config.toml"));
        assert_eq!(found.source(), ConfigSource::Default);
    }

    #[test]
    fn default_path_ends_in_portico_config_toml() {
        if let Some(path) = default_path() {
            assert!(path.ends_with("config.toml"), "{}", path.display());
            assert!(
                path.components().any(|c| c.as_os_str() == "portico"),
                "{}",
                path.display()
            );
        }
    }

    #[test]
    fn exists_reflects_the_file_system() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        let found = locate_with(Some(&file), None, None);
        assert!(!found.exists());
        std::fs::write(&file, "").unwrap();
        assert!(found.exists());
        // A directory is not a config file.
        assert!(!locate_with(Some(dir.path()), None, None).exists());
    }

    #[test]
    fn description_marks_the_rule_in_use() {
        let text = describe_with(None, Some(&"/env.toml".into()), default().as_ref());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5, "{text}");
        assert_eq!(lines[1], "  1. --config PATH     (not given)");
        assert_eq!(lines[2], "  2. $PORTICO_CONFIG   /env.toml  <- in use");
        assert_eq!(
            lines[3],
            "  3. default location  /home/ada/.config/portico/config.toml"
        );
        assert_eq!(
            lines[4],
            "Using /env.toml (from $PORTICO_CONFIG); the file does not exist yet."
        );
    }

    #[test]
    fn description_without_home_says_so() {
        let text = describe_with(None, None, None);
        assert!(
            text.contains("  2. $PORTICO_CONFIG   (not set)\n"),
            "{text}"
        );
        assert!(
            text.contains("(no home directory; falling back to ./config.toml)  <- in use"),
            "{text}"
        );
    }
}
