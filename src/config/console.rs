//! The `[console]` table: how the terminal console behaves, as opposed to
//! which tenants it administers. Every key is optional.

use std::time::Duration;

/// Seconds a copied secret may stay on the native clipboard by default.
pub const DEFAULT_CLIPBOARD_CLEAR_SECS: u64 = 30;

/// The theme used when `theme` is not set.
pub const DEFAULT_THEME: &str = "dark";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Console {
    pub(super) mouse: bool,
    pub(super) clipboard_clear_secs: u64,
    pub(super) theme: String,
}

impl Default for Console {
    fn default() -> Self {
        Self {
            mouse: true,
            clipboard_clear_secs: DEFAULT_CLIPBOARD_CLEAR_SECS,
            theme: DEFAULT_THEME.to_owned(),
        }
    }
}

impl Console {
    /// Clicks and the wheel are read (`mouse = false` leaves the terminal's
    /// own selection alone).
    pub const fn mouse(&self) -> bool {
        self.mouse
    }

    /// How long a copied secret stays on the native clipboard; `None` when
    /// `clipboard_clear_secs = 0` turns the clearing off.
    pub const fn clipboard_clear_after(&self) -> Option<Duration> {
        match self.clipboard_clear_secs {
            0 => None,
            secs => Some(Duration::from_secs(secs)),
        }
    }

    /// The theme's name: a built-in one (`dark`, `light`,
    /// `high-contrast`) or `<config dir>/themes/<name>.toml`.
    pub fn theme(&self) -> &str {
        &self.theme
    }
}
