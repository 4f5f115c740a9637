//! Key bindings as data: action -> keys per layer. The defaults live in
//! `assets/keymap.toml`; a user file overrides single actions. The help
//! overlay is generated from the same table, so it cannot drift.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const DEFAULTS: &str = include_str!("../assets/keymap.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    Normal,
    Secret,
}

impl Layer {
    fn name(self) -> &'static str {
        match self {
            Layer::Normal => "normal",
            Layer::Secret => "secret",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Layer::Normal => "Browsing",
            Layer::Secret => "Issued secret",
        }
    }
}

macro_rules! actions {
    ($($variant:ident => $layer:ident, $name:literal, $help:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }

            pub fn help(self) -> &'static str {
                match self { $(Action::$variant => $help),* }
            }

            pub fn layer(self) -> Layer {
                match self { $(Action::$variant => Layer::$layer),* }
            }
        }
    };
}

actions! {
    Quit => Normal, "quit", "Quit Portico";
    Help => Normal, "help", "Show this help";
    Up => Normal, "up", "Move up";
    Down => Normal, "down", "Move down";
    PageUp => Normal, "page-up", "Page up";
    PageDown => Normal, "page-down", "Page down";
    Top => Normal, "top", "First row";
    Bottom => Normal, "bottom", "Last row";
    NextPane => Normal, "next-pane", "Next pane";
    PrevPane => Normal, "prev-pane", "Previous pane";
    DrillDown => Normal, "drill-down", "Open the selection (next pane, or full detail)";
    Back => Normal, "back", "Back: close view, clear filter, previous pane";
    Filter => Normal, "filter", "Filter the pane (fuzzy; status:x and kind:x narrow)";
    Command => Normal, "command", "Command mode (:asset-types, :persons, :sort ...)";
    Refresh => Normal, "refresh", "Refresh the pane";
    New => Normal, "new", "Create in this pane";
    Edit => Normal, "edit", "Edit or rename the selection";
    Delete => Normal, "delete", "Delete the selection (asks first)";
    Rotate => Normal, "rotate", "Rotate the selection's secret (asks first)";
    ToggleActive => Normal, "toggle-active", "Enable/disable, close/reopen the selection";
    Sort => Normal, "sort", "Cycle sort: as listed, name, expiry, each also reversed";
    CopyId => Normal, "copy-id", "Copy the selection's id";
    ShowError => Normal, "show-error", "Show the last error in full (credentials masked)";
    Tenants => Normal, "tenants", "Pick a tenant (fuzzy)";
    Tenant1 => Normal, "tenant-1", "Switch to tenant 1";
    Tenant2 => Normal, "tenant-2", "Switch to tenant 2";
    Tenant3 => Normal, "tenant-3", "Switch to tenant 3";
    Tenant4 => Normal, "tenant-4", "Switch to tenant 4";
    Tenant5 => Normal, "tenant-5", "Switch to tenant 5";
    Tenant6 => Normal, "tenant-6", "Switch to tenant 6";
    Tenant7 => Normal, "tenant-7", "Switch to tenant 7";
    Tenant8 => Normal, "tenant-8", "Switch to tenant 8";
    Tenant9 => Normal, "tenant-9", "Switch to tenant 9";
    Reveal => Secret, "reveal", "Reveal or mask the secret";
    CopySecret => Secret, "copy-secret", "Copy the secret to the clipboard";
    Stored => Secret, "stored", "Confirm the secret is stored (continues a rotation)";
    Close => Secret, "close", "Close";
}

impl Action {
    /// The tenant index (0-based) a `tenant-N` action jumps to.
    pub fn tenant_slot(self) -> Option<usize> {
        use Action::*;
        [
            Tenant1, Tenant2, Tenant3, Tenant4, Tenant5, Tenant6, Tenant7, Tenant8, Tenant9,
        ]
        .iter()
        .position(|a| *a == self)
    }
}

/// A key as written in the keymap file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    ctrl: bool,
    alt: bool,
}

impl Key {
    pub fn from_event(event: &KeyEvent) -> Key {
        // Shift is already in an upper-case character; Kitty-style
        // terminals report it as a modifier too, which must not matter.
        Key {
            code: event.code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        }
    }

    pub fn parse(text: &str) -> Result<Key, String> {
        let (mut ctrl, mut alt) = (false, false);
        let mut rest = text;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "delete" => KeyCode::Delete,
            "backspace" => KeyCode::Backspace,
            "space" => KeyCode::Char(' '),
            f if f.len() > 1 && f.starts_with('f') => match f[1..].parse::<u8>() {
                Ok(n @ 1..=12) => KeyCode::F(n),
                _ => return Err(format!("unknown key \"{text}\"")),
            },
            single => {
                let mut chars = single.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return Err(format!("unknown key \"{text}\"")),
                }
            }
        };
        Ok(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    bindings: BTreeMap<Action, Vec<Key>>,
}

impl Keymap {
    /// The shipped defaults. They are a compile-time asset, and a test
    /// proves they parse, so this cannot fail at run time.
    pub fn defaults() -> Keymap {
        let mut map = Keymap {
            bindings: BTreeMap::new(),
        };
        if let Err(err) = map.merge(DEFAULTS) {
            tracing::error!("built-in keymap rejected: {err}");
        }
        map
    }

    /// Defaults overridden by a user file, action by action.
    pub fn with_overrides(text: &str) -> Result<Keymap, String> {
        let mut map = Keymap::defaults();
        map.merge(text)?;
        Ok(map)
    }

    fn merge(&mut self, text: &str) -> Result<(), String> {
        let table: BTreeMap<String, BTreeMap<String, Vec<String>>> =
            toml::from_str(text).map_err(|e| e.to_string())?;
        for (layer, actions) in table {
            for (name, keys) in actions {
                let action = Action::ALL
                    .iter()
                    .copied()
                    .find(|a| a.name() == name && a.layer().name() == layer)
                    .ok_or_else(|| format!("[{layer}] has no action \"{name}\""))?;
                let keys = keys
                    .iter()
                    .map(|k| Key::parse(k))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| format!("[{layer}] {name}: {e}"))?;
                self.bindings.insert(action, keys);
            }
        }
        Ok(())
    }

    pub fn action(&self, layer: Layer, event: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(event);
        self.bindings
            .iter()
            .find(|(action, keys)| action.layer() == layer && keys.contains(&key))
            .map(|(action, _)| *action)
    }

    pub fn keys(&self, action: Action) -> &[Key] {
        self.bindings.get(&action).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The first key bound to `action`, for hints.
    pub fn hint(&self, action: Action) -> String {
        self.keys(action)
            .first()
            .map(Key::to_string)
            .unwrap_or_else(|| "(unbound)".into())
    }

    /// Help rows per layer: (keys, description). Tenant slots fold into one row.
    pub fn help(&self) -> Vec<(Layer, Vec<(String, &'static str)>)> {
        [Layer::Normal, Layer::Secret]
            .into_iter()
            .map(|layer| {
                let mut rows = Vec::new();
                let mut slots = Vec::new();
                for action in Action::ALL.iter().filter(|a| a.layer() == layer) {
                    let keys: Vec<String> = self.keys(*action).iter().map(Key::to_string).collect();
                    if action.tenant_slot().is_some() {
                        slots.extend(keys);
                        continue;
                    }
                    rows.push((keys.join(" "), action.help()));
                }
                if !slots.is_empty() {
                    rows.push((slots.join(" "), "Switch to tenant 1-9 (config order)"));
                }
                (layer, rows)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn defaults_parse_and_bind_every_action() {
        let mut map = Keymap {
            bindings: BTreeMap::new(),
        };
        map.merge(DEFAULTS).expect("defaults parse");
        for action in Action::ALL {
            assert!(!map.keys(*action).is_empty(), "{} unbound", action.name());
        }
    }

    #[test]
    fn resolves_keys_per_layer() {
        let map = Keymap::defaults();
        let r = key(KeyCode::Char('R'), KeyModifiers::SHIFT);
        assert_eq!(map.action(Layer::Normal, &r), Some(Action::Rotate));
        let c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.action(Layer::Normal, &c), Some(Action::Quit));
        let v = key(KeyCode::Char('v'), KeyModifiers::NONE);
        assert_eq!(map.action(Layer::Secret, &v), Some(Action::Reveal));
        assert_eq!(map.action(Layer::Normal, &v), None);
    }

    #[test]
    fn overrides_replace_one_action() {
        let map = Keymap::with_overrides("[normal]\nquit = [\"x\"]\n").expect("valid");
        let x = key(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(map.action(Layer::Normal, &x), Some(Action::Quit));
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.action(Layer::Normal, &q), None);
        assert!(!map.keys(Action::Help).is_empty());
    }

    #[test]
    fn bad_overrides_are_named() {
        let err = Keymap::with_overrides("[normal]\nfly = [\"x\"]\n").unwrap_err();
        assert!(err.contains("fly"), "{err}");
        let err = Keymap::with_overrides("[normal]\nquit = [\"hyper-x\"]\n").unwrap_err();
        assert!(err.contains("hyper-x"), "{err}");
    }

    #[test]
    fn help_lists_every_layer_from_the_bindings() {
        let map = Keymap::with_overrides("[normal]\nrefresh = [\"F5\"]\n").unwrap_err();
        assert!(map.contains("F5"));
        let map = Keymap::with_overrides("[normal]\nrefresh = [\"f5\"]\n").expect("valid");
        let help = map.help();
        let normal = &help[0].1;
        assert!(
            normal
                .iter()
                .any(|(k, d)| k == "F5" && d.starts_with("Refresh"))
        );
        assert_eq!(help[1].0, Layer::Secret);
    }
}
