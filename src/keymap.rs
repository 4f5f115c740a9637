//! Key bindings as data: one layer per mode, each entry `{ keys, action,
//! description }`. The defaults live in `assets/keymap.toml`; a user file
//! overrides single actions. A key event becomes a [`Press`] once, before
//! any handler sees it, and the hint bar, the dialog footers and the help
//! overlay are all generated from the same table, so they cannot drift.
use std::fmt::Write as _;

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use toml::de::{DeTable, DeValue};

/// The defaults as a user would write them: shipped for reference, and
/// held by a test to the table below.
#[cfg(test)]
const DEFAULTS: &str = include_str!("../assets/keymap.toml");

/// The option that turns the contextual key-hint bar off.
const HINT_BAR: &str = "hint-bar";

macro_rules! layers {
    ($($variant:ident => $name:literal, $title:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Layer { $($variant),* }

        impl Layer {
            pub const ALL: &'static [Layer] = &[$(Layer::$variant),*];

            /// The table name in `keymap.toml`.
            pub const fn name(self) -> &'static str {
                match self { $(Layer::$variant => $name),* }
            }

            pub const fn title(self) -> &'static str {
                match self { $(Layer::$variant => $title),* }
            }
        }
    };
}

layers! {
    Global => "global", "Everywhere";
    Normal => "normal", "Browsing";
    Filter => "filter", "Filter prompt (/)";
    Command => "command", "Command prompt (:)";
    Form => "form", "Forms";
    Choice => "form-choice", "Forms, on a field with fixed choices";
    Choose => "choose", "Choosing what to create";
    Confirm => "confirm", "Confirmations";
    Typed => "typed-confirm", "Confirmations on a protected tenant";
    Bulk => "bulk-confirm", "Confirming a bulk rotation";
    Progress => "progress", "Bulk rotation progress";
    Picker => "picker", "Tenant picker";
    Secret => "secret", "Issued secret";
    Help => "help", "Help";
    Detail => "detail", "Full detail view";
    Text => "text", "Full text view (the last error)";
    Raw => "raw", "Raw document view (Y)";
    Edit => "edit", "Editing text (filter, command line, forms, pickers)";
}

impl Layer {
    /// Layers with a text field: a printable key typed there is text.
    pub const fn takes_text(self) -> bool {
        matches!(
            self,
            Self::Filter | Self::Command | Self::Form | Self::Typed | Self::Bulk | Self::Picker
        )
    }
}

macro_rules! actions {
    ($($variant:ident => $name:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }
        }
    };
}

actions! {
    Quit => "quit";
    Help => "help";
    Up => "up";
    Down => "down";
    PageUp => "page-up";
    PageDown => "page-down";
    Top => "top";
    Bottom => "bottom";
    NextPane => "next-pane";
    PrevPane => "prev-pane";
    DrillDown => "drill-down";
    Back => "back";
    Filter => "filter";
    Command => "command";
    Refresh => "refresh";
    New => "new";
    Edit => "edit";
    Delete => "delete";
    Rotate => "rotate";
    ToggleActive => "toggle-active";
    Sort => "sort";
    CopyId => "copy-id";
    RawDocument => "raw-document";
    EditExternal => "edit-in-editor";
    NewExternal => "new-in-editor";
    ShowError => "show-error";
    Mark => "mark";
    MarkAll => "mark-all";
    ClearMarks => "clear-marks";
    ExportJson => "export-json";
    ExportEnv => "export-env";
    Tenants => "tenants";
    Tenant1 => "tenant-1";
    Tenant2 => "tenant-2";
    Tenant3 => "tenant-3";
    Tenant4 => "tenant-4";
    Tenant5 => "tenant-5";
    Tenant6 => "tenant-6";
    Tenant7 => "tenant-7";
    Tenant8 => "tenant-8";
    Tenant9 => "tenant-9";
    Keep => "keep";
    Clear => "clear";
    Run => "run";
    Complete => "complete";
    Cancel => "cancel";
    Submit => "submit";
    NextField => "next-field";
    PrevField => "prev-field";
    ChoiceNext => "next-choice";
    ChoicePrev => "prev-choice";
    Pick => "pick";
    Confirm => "confirm";
    Reveal => "reveal";
    CopySecret => "copy-secret";
    Stored => "stored";
    Close => "close";
    CharLeft => "left";
    CharRight => "right";
    WordLeft => "word-left";
    WordRight => "word-right";
    LineStart => "line-start";
    LineEnd => "line-end";
    DeleteBack => "delete-back";
    DeleteForward => "delete-forward";
    DeleteWord => "delete-word";
    ClearToStart => "clear-to-start";
}

/// Every binding there is: which layer offers which action, its default
/// keys, and what it does. Help rows follow this order. The defaults are
/// data here rather than parsed from `assets/keymap.toml` at start-up,
/// which took a tenth of the instructions before the first frame.
const ENTRIES: &[(Layer, Action, &[&str], &str)] = {
    use Action::{
        Back, Bottom, Cancel, CharLeft, CharRight, ChoiceNext, ChoicePrev, Clear, ClearToStart,
        Close, Command, Complete, Confirm, CopyId, CopySecret, Delete, DeleteBack, DeleteForward,
        DeleteWord, Down, DrillDown, Edit, EditExternal, Filter, Help, Keep, LineEnd, LineStart,
        New, NewExternal, NextField, NextPane, PageDown, PageUp, Pick, PrevField, PrevPane, Quit,
        RawDocument, Refresh, Reveal, Rotate, Run, ShowError, Sort, Stored, Submit, Tenant1,
        Tenant2, Tenant3, Tenant4, Tenant5, Tenant6, Tenant7, Tenant8, Tenant9, Tenants,
        ToggleActive, Top, Up, WordLeft, WordRight,
    };
    use Layer::{
        Choice, Choose, Command as Cmd, Confirm as Conf, Detail, Edit as Ed, Filter as Flt, Form,
        Global, Help as Hlp, Normal, Picker, Raw, Secret, Text, Typed,
    };
    &[
        (Global, Quit, &["ctrl-c"], "Quit Portico, from any screen"),
        (Normal, Quit, &["q"], "Quit Portico"),
        (Normal, Help, &["?"], "Show this help"),
        (Normal, Up, &["up", "k"], "Move up"),
        (Normal, Down, &["down", "j"], "Move down"),
        (Normal, PageUp, &["pageup", "ctrl-b"], "Page up"),
        (Normal, PageDown, &["pagedown", "ctrl-f"], "Page down"),
        (Normal, Top, &["home", "g"], "First row"),
        (Normal, Bottom, &["end", "G"], "Last row"),
        (Normal, NextPane, &["tab", "l", "right"], "Next pane"),
        (Normal, PrevPane, &["backtab", "h", "left"], "Previous pane"),
        (
            Normal,
            DrillDown,
            &["enter"],
            "Open the selection (next pane, or full detail)",
        ),
        (
            Normal,
            Back,
            &["esc"],
            "Back: close view, clear filter, previous pane",
        ),
        (
            Normal,
            Filter,
            &["/"],
            "Filter the pane (fuzzy; status:x and kind:x narrow)",
        ),
        (
            Normal,
            Command,
            &[":"],
            "Command mode (:sort, :tenant, :apps NAME, views ...)",
        ),
        (Normal, Refresh, &["r"], "Refresh the pane"),
        (Normal, New, &["n"], "Create in this pane"),
        (Normal, Edit, &["e"], "Edit or rename the selection"),
        (Normal, Delete, &["d"], "Delete the selection (asks first)"),
        (
            Normal,
            Rotate,
            &["R"],
            "Rotate the selection's secret (asks first)",
        ),
        (
            Normal,
            ToggleActive,
            &["a"],
            "Enable/disable, close/reopen the selection",
        ),
        (
            Normal,
            Sort,
            &["s"],
            "Cycle sort: as listed, name, expiry, each also reversed",
        ),
        (Normal, CopyId, &["y"], "Copy the selection's id"),
        (
            Normal,
            Action::Mark,
            &["space"],
            "Mark or unmark the selection for a bulk rotation",
        ),
        (
            Normal,
            Action::MarkAll,
            &["*"],
            "Mark every row the filter shows",
        ),
        (Normal, Action::ClearMarks, &["u"], "Clear every mark"),
        (
            Normal,
            RawDocument,
            &["Y"],
            "Show the selection's document (credentials masked)",
        ),
        (
            Normal,
            EditExternal,
            &["E"],
            "Edit the selection in $EDITOR (diff, then asks)",
        ),
        (
            Normal,
            NewExternal,
            &["N"],
            "Create in this pane from $EDITOR",
        ),
        (
            Normal,
            ShowError,
            &["!"],
            "Show the last error in full (credentials masked)",
        ),
        (Normal, Tenants, &["t"], "Pick a tenant (fuzzy)"),
        (Normal, Tenant1, &["1"], "Switch to tenant 1"),
        (Normal, Tenant2, &["2"], "Switch to tenant 2"),
        (Normal, Tenant3, &["3"], "Switch to tenant 3"),
        (Normal, Tenant4, &["4"], "Switch to tenant 4"),
        (Normal, Tenant5, &["5"], "Switch to tenant 5"),
        (Normal, Tenant6, &["6"], "Switch to tenant 6"),
        (Normal, Tenant7, &["7"], "Switch to tenant 7"),
        (Normal, Tenant8, &["8"], "Switch to tenant 8"),
        (Normal, Tenant9, &["9"], "Switch to tenant 9"),
        (
            Flt,
            Keep,
            &["enter"],
            "Keep the filter and return to the pane",
        ),
        (Flt, Clear, &["esc"], "Clear the filter"),
        (Cmd, Run, &["enter"], "Run the command"),
        (
            Cmd,
            Complete,
            &["tab"],
            "Complete the command, tenant or resource name",
        ),
        (Cmd, Up, &["up"], "The previous command in the history"),
        (Cmd, Down, &["down"], "The next command in the history"),
        (Cmd, Cancel, &["esc"], "Cancel"),
        (Form, Submit, &["enter"], "Submit"),
        (Form, Cancel, &["esc"], "Cancel"),
        (
            Form,
            Complete,
            &["tab"],
            "Complete a path, else the next field",
        ),
        (Form, NextField, &["down"], "Next field"),
        (Form, PrevField, &["up", "backtab"], "Previous field"),
        (
            Form,
            EditExternal,
            &["ctrl-o"],
            "Continue this form in $EDITOR",
        ),
        (Choice, ChoiceNext, &["right"], "Next choice"),
        (Choice, ChoicePrev, &["left"], "Previous choice"),
        (Choose, Pick, &["enter"], "Create this kind"),
        (Choose, Up, &["up", "k"], "Move up"),
        (Choose, Down, &["down", "j", "tab"], "Move down"),
        (Choose, Cancel, &["esc", "q"], "Cancel"),
        (Conf, Confirm, &["y", "enter", "Y"], "Go ahead"),
        (Conf, Cancel, &["n", "esc", "N", "q"], "Cancel"),
        (
            Typed,
            Confirm,
            &["enter"],
            "Go ahead, once the name is typed",
        ),
        (Typed, Cancel, &["esc"], "Cancel"),
        (
            Layer::Bulk,
            Confirm,
            &["enter"],
            "Rotate them all, once the count is typed",
        ),
        (Layer::Bulk, Cancel, &["esc"], "Cancel"),
        (Layer::Progress, Down, &["down", "j"], "Scroll down"),
        (Layer::Progress, Up, &["up", "k"], "Scroll up"),
        (
            Layer::Progress,
            PageDown,
            &["pagedown", "space"],
            "Page down",
        ),
        (Layer::Progress, PageUp, &["pageup"], "Page up"),
        (Layer::Progress, Top, &["home", "g"], "Back to the top"),
        (
            Layer::Progress,
            Action::ExportJson,
            &["x"],
            "Export the run's new secrets to a private JSON file",
        ),
        (
            Layer::Progress,
            Action::ExportEnv,
            &["X"],
            "Export the run's new secrets to a private .env file",
        ),
        (
            Layer::Progress,
            Stored,
            &["enter"],
            "Confirm every new secret is stored (erases Portico's copies)",
        ),
        (
            Layer::Progress,
            Close,
            &["esc", "q"],
            "Close the view; the run goes on (:bulk reopens it)",
        ),
        (Picker, Pick, &["enter"], "Switch to this tenant"),
        (Picker, Up, &["up"], "Move up"),
        (Picker, Down, &["down", "tab"], "Move down"),
        (Picker, Cancel, &["esc"], "Cancel"),
        (Secret, Reveal, &["v"], "Reveal or mask the secret"),
        (
            Secret,
            CopySecret,
            &["c", "y"],
            "Copy the secret to the clipboard",
        ),
        (
            Secret,
            Stored,
            &["enter"],
            "Confirm the secret is stored (continues a rotation)",
        ),
        (Secret, Close, &["esc", "q"], "Close"),
        (Hlp, Down, &["down", "j"], "Scroll down"),
        (Hlp, Up, &["up", "k"], "Scroll up"),
        (Hlp, PageDown, &["pagedown", "space"], "Page down"),
        (Hlp, PageUp, &["pageup"], "Page up"),
        (Hlp, Top, &["home", "g"], "Back to the top"),
        (Hlp, Close, &["esc", "q", "?"], "Close the help"),
        (Detail, Down, &["down", "j"], "Scroll down"),
        (Detail, Up, &["up", "k"], "Scroll up"),
        (Detail, PageDown, &["pagedown", "space"], "Page down"),
        (Detail, PageUp, &["pageup"], "Page up"),
        (Detail, Top, &["home", "g"], "Back to the top"),
        (Detail, CopyId, &["y"], "Copy the id"),
        (Detail, Close, &["esc", "q"], "Close the view"),
        (Text, Down, &["down", "j"], "Scroll down"),
        (Text, Up, &["up", "k"], "Scroll up"),
        (Text, PageDown, &["pagedown", "space"], "Page down"),
        (Text, PageUp, &["pageup"], "Page up"),
        (Text, Top, &["home", "g"], "Back to the top"),
        (Text, Close, &["esc", "q"], "Close the view"),
        (Raw, Down, &["down", "j"], "Scroll down"),
        (Raw, Up, &["up", "k"], "Scroll up"),
        (Raw, PageDown, &["pagedown", "space"], "Page down"),
        (Raw, PageUp, &["pageup"], "Page up"),
        (Raw, Top, &["home", "g"], "Back to the top"),
        (Raw, Bottom, &["end", "G"], "To the end"),
        (Raw, CopyId, &["y"], "Copy the id"),
        (Raw, Close, &["esc", "q", "Y"], "Close the view"),
        (Ed, CharLeft, &["left"], "Cursor left"),
        (Ed, CharRight, &["right"], "Cursor right"),
        (Ed, WordLeft, &["alt-b", "ctrl-left"], "Word left"),
        (Ed, WordRight, &["alt-f", "ctrl-right"], "Word right"),
        (Ed, LineStart, &["home", "ctrl-a"], "Start of line"),
        (Ed, LineEnd, &["end", "ctrl-e"], "End of line"),
        (
            Ed,
            DeleteBack,
            &["backspace"],
            "Delete the character before the cursor",
        ),
        (
            Ed,
            DeleteForward,
            &["delete"],
            "Delete the character under the cursor",
        ),
        (
            Ed,
            DeleteWord,
            &["ctrl-w"],
            "Delete the word before the cursor",
        ),
        (
            Ed,
            ClearToStart,
            &["ctrl-u"],
            "Delete to the start of the line",
        ),
    ]
};

impl Action {
    /// The tenant index (0-based) a `tenant-N` action jumps to.
    pub fn tenant_slot(self) -> Option<usize> {
        use Action::{
            Tenant1, Tenant2, Tenant3, Tenant4, Tenant5, Tenant6, Tenant7, Tenant8, Tenant9,
        };
        [
            Tenant1, Tenant2, Tenant3, Tenant4, Tenant5, Tenant6, Tenant7, Tenant8, Tenant9,
        ]
        .iter()
        .position(|a| *a == self)
    }
}

/// The actions a layer offers and what they do, in help order.
pub fn entries(layer: Layer) -> impl Iterator<Item = (Action, &'static str)> {
    ENTRIES
        .iter()
        .filter(move |(l, _, _, _)| *l == layer)
        .map(|(_, action, _, desc)| (*action, *desc))
}

/// Which layers can see the same key press together, so a key may mean
/// only one thing in each group.
fn groups() -> Vec<Vec<Layer>> {
    Layer::ALL
        .iter()
        .filter(|l| !matches!(l, Layer::Global | Layer::Choice))
        .map(|layer| match layer {
            Layer::Form => vec![Layer::Global, Layer::Form, Layer::Choice],
            other => vec![Layer::Global, *other],
        })
        .collect()
}

/// What a key press means in the layers on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    Act(Action),
    /// A printable character typed into a text field.
    Text(char),
    Unbound,
}

/// A key as written in the keymap file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    code: KeyCodeOrd,
    ctrl: bool,
    alt: bool,
}

/// `KeyCode` has no ordering; keys sort by their written form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct KeyCodeOrd(KeyCode);

impl PartialOrd for KeyCodeOrd {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KeyCodeOrd {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        format!("{:?}", self.0).cmp(&format!("{:?}", other.0))
    }
}

const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("delete", KeyCode::Delete),
    ("backspace", KeyCode::Backspace),
    ("space", KeyCode::Char(' ')),
];

impl Key {
    pub const fn from_event(event: &KeyEvent) -> Self {
        // Shift is already in an upper-case character; Kitty-style
        // terminals report it as a modifier too, which must not matter.
        Self {
            code: KeyCodeOrd(event.code),
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
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
        // Quoted as Rust quotes it, so a control character in a user's
        // file cannot reach the terminal through the message.
        let unknown = || format!("unknown key {text:?}");
        let code = if rest == "shift-tab" {
            KeyCode::BackTab
        } else if let Some((_, code)) = NAMED.iter().find(|(name, _)| *name == rest) {
            *code
        } else if let Some(n) = rest.strip_prefix('f').filter(|n| !n.is_empty()) {
            match n.parse::<u8>() {
                Ok(n @ 1..=12) => KeyCode::F(n),
                _ => return Err(unknown()),
            }
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                // No key types a control character as a character.
                (Some(c), None) if !c.is_control() => KeyCode::Char(c),
                _ => return Err(unknown()),
            }
        };
        Ok(Self {
            code: KeyCodeOrd(code),
            ctrl,
            alt,
        })
    }

    /// The form `parse` reads back, for `portico keymap`.
    pub fn spec(&self) -> String {
        let mut out = String::new();
        if self.ctrl {
            out.push_str("ctrl-");
        }
        if self.alt {
            out.push_str("alt-");
        }
        match NAMED.iter().find(|(_, code)| *code == self.code.0) {
            Some((name, _)) => out.push_str(name),
            None => match self.code.0 {
                KeyCode::Char(c) => out.push(c),
                KeyCode::F(n) => {
                    let _ = write!(out, "f{n}");
                }
                other => out.push_str(&format!("{other:?}").to_lowercase()),
            },
        }
        out
    }

    /// A printable character without Ctrl or Alt: text in a text field.
    fn printable(event: &KeyEvent) -> Option<char> {
        let key = Self::from_event(event);
        match key.code.0 {
            KeyCode::Char(c) if !key.ctrl && !key.alt && !c.is_control() => Some(c),
            _ => None,
        }
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
        match self.code.0 {
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: BTreeMap<(Layer, Action), Vec<Key>>,
    hint_bar: bool,
}

impl Keymap {
    /// The shipped defaults. A test proves every key in the table parses,
    /// so none is dropped at run time.
    pub fn defaults() -> Self {
        let mut bindings = BTreeMap::new();
        for (layer, action, keys, _) in ENTRIES {
            let keys = keys
                .iter()
                .filter_map(|k| {
                    Key::parse(k)
                        .inspect_err(|err| tracing::error!("built-in key {k:?} rejected: {err}"))
                        .ok()
                })
                .collect();
            bindings.insert((*layer, *action), keys);
        }
        Self {
            bindings,
            hint_bar: true,
        }
    }

    /// Defaults overridden by a user file, action by action. A key that
    /// ends up meaning two things in one layer is refused.
    pub fn with_overrides(text: &str) -> Result<Self, String> {
        let mut map = Self::defaults();
        map.merge(text)?;
        map.check()?;
        Ok(map)
    }

    fn merge(&mut self, text: &str) -> Result<(), String> {
        // Walked as toml's borrowed tree: the defaults are merged before
        // every first frame, and building an owned table first cost a
        // third of the merge.
        let root = DeTable::parse(text).map_err(|e| e.to_string())?;
        for (name, value) in root.get_ref() {
            let name: &str = name.get_ref();
            if name == HINT_BAR {
                let DeValue::Boolean(on) = value.get_ref() else {
                    return Err(format!("{HINT_BAR} must be true or false"));
                };
                self.hint_bar = *on;
                continue;
            }
            let layer = Layer::ALL
                .iter()
                .copied()
                .find(|l| l.name() == name)
                .ok_or_else(|| format!("no layer [{name}]"))?;
            let DeValue::Table(actions) = value.get_ref() else {
                return Err(format!("[{name}] must be a table of action = [keys]"));
            };
            for (action_name, keys) in actions {
                let action_name: &str = action_name.get_ref();
                let action = ENTRIES
                    .iter()
                    .find(|(l, a, _, _)| *l == layer && a.name() == action_name)
                    .map(|(_, a, _, _)| *a)
                    .ok_or_else(|| format!("[{name}] has no action \"{action_name}\""))?;
                let DeValue::Array(keys) = keys.get_ref() else {
                    return Err(format!("[{name}] {action_name}: expected a list of keys"));
                };
                let keys = keys
                    .iter()
                    .map(|k| match k.get_ref() {
                        DeValue::String(k) => Key::parse(k),
                        _ => Err("keys are strings".to_string()),
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| format!("[{name}] {action_name}: {e}"))?;
                self.bindings.insert((layer, action), keys);
            }
        }
        Ok(())
    }

    /// Refuses a key bound to two actions among layers that see it together.
    fn check(&self) -> Result<(), String> {
        for group in groups() {
            let mut seen: BTreeMap<Key, (Layer, Action)> = BTreeMap::new();
            for ((layer, action), keys) in &self.bindings {
                if !group.contains(layer) {
                    continue;
                }
                for key in keys {
                    match seen.get(key) {
                        Some((_, other)) if other != action => {
                            let shown = group[1];
                            return Err(format!(
                                "[{}] key \"{}\" is bound to both {} and {}; bind one of them to another key",
                                shown.name(),
                                key.spec(),
                                other.name(),
                                action.name()
                            ));
                        }
                        Some(_) => {}
                        None => {
                            seen.insert(*key, (*layer, *action));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether the contextual key-hint bar is drawn.
    pub const fn hint_bar(&self) -> bool {
        self.hint_bar
    }

    /// What `event` means when `stack` is on screen, first layer first.
    /// Global bindings come before the stack; in a text field a printable
    /// character is text whatever any layer binds it to.
    pub fn press(&self, stack: &[Layer], event: &KeyEvent) -> Press {
        if stack.iter().any(|l| l.takes_text())
            && let Some(c) = Key::printable(event)
        {
            return Press::Text(c);
        }
        let key = Key::from_event(event);
        std::iter::once(Layer::Global)
            .chain(stack.iter().copied())
            .find_map(|layer| self.lookup(layer, key))
            .map_or(Press::Unbound, Press::Act)
    }

    fn lookup(&self, layer: Layer, key: Key) -> Option<Action> {
        self.bindings
            .iter()
            .find(|((l, _), keys)| *l == layer && keys.contains(&key))
            .map(|((_, action), _)| *action)
    }

    /// The action a key means in one layer alone (no globals, no text).
    pub fn action(&self, layer: Layer, event: &KeyEvent) -> Option<Action> {
        self.lookup(layer, Key::from_event(event))
    }

    pub fn keys(&self, layer: Layer, action: Action) -> &[Key] {
        self.bindings
            .get(&(layer, action))
            .map_or(&[], Vec::as_slice)
    }

    /// The first key bound to `action`, for hints.
    pub fn hint(&self, layer: Layer, action: Action) -> String {
        self.hints(layer, action, 1)
    }

    /// Up to `n` keys bound to `action`, joined with `/`.
    pub fn hints(&self, layer: Layer, action: Action, n: usize) -> String {
        let keys = self.keys(layer, action);
        if keys.is_empty() {
            return "(unbound)".into();
        }
        keys.iter()
            .take(n)
            .map(Key::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Help rows per layer: (keys, description). Tenant slots fold into one row.
    pub fn help(&self) -> Vec<(Layer, Vec<(String, &'static str)>)> {
        Layer::ALL
            .iter()
            .map(|layer| {
                let mut rows = Vec::new();
                let mut slots = Vec::new();
                for (_, action, _, desc) in ENTRIES.iter().filter(|(l, _, _, _)| l == layer) {
                    let keys: Vec<String> = self
                        .keys(*layer, *action)
                        .iter()
                        .map(Key::to_string)
                        .collect();
                    if action.tenant_slot().is_some() {
                        slots.extend(keys);
                        continue;
                    }
                    rows.push((keys.join(" "), *desc));
                }
                if !slots.is_empty() {
                    rows.push((slots.join(" "), "Switch to tenant 1-9 (config order)"));
                }
                (*layer, rows)
            })
            .collect()
    }

    /// The live keymap as a `keymap.toml` a user can start from.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# Portico key bindings: `action = [keys]`, one table per layer.\n\
             # Save as keymap.toml next to your config file; actions left out keep\n\
             # their defaults. Keys: a character (`q`, `R`, `?`), a name (`enter`,\n\
             # `esc`, `tab`, `backtab`, `up`, `down`, `left`, `right`, `pageup`,\n\
             # `pagedown`, `home`, `end`, `delete`, `backspace`, `space`, `f1`...`f12`)\n\
             # or `ctrl-x` / `alt-x`. In a text field a printable key is always text.\n\n",
        );
        let _ = write!(
            out,
            "# Draw the contextual key-hint bar at the bottom.\n{HINT_BAR} = {}\n",
            self.hint_bar
        );
        for layer in Layer::ALL {
            let _ = write!(out, "\n# {}\n[{}]\n", layer.title(), layer.name());
            for (_, action, _, desc) in ENTRIES.iter().filter(|(l, _, _, _)| l == layer) {
                let keys = self
                    .keys(*layer, *action)
                    .iter()
                    .map(|k| toml_string(&k.spec()))
                    .collect::<Vec<_>>()
                    .join(", ");
                let _ = writeln!(out, "{} = [{keys}]  # {desc}", action.name());
            }
        }
        out
    }
}

/// `text` as a TOML basic string. Rust's `{:?}` is not one: it writes
/// `\u{8}` and escapes format characters, which TOML cannot read back.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn defaults_parse_and_bind_every_entry() {
        let map = Keymap::defaults();
        map.check().expect("defaults have no conflicts");
        for (layer, action, keys, _) in ENTRIES {
            for k in *keys {
                Key::parse(k).unwrap_or_else(|e| panic!("[{}] {k:?}: {e}", layer.name()));
            }
            assert!(
                !map.keys(*layer, *action).is_empty(),
                "[{}] {} unbound",
                layer.name(),
                action.name()
            );
        }
        assert!(map.hint_bar());
    }

    /// The shipped `assets/keymap.toml` says what the defaults are.
    #[test]
    fn the_shipped_file_is_the_defaults() {
        let mut shipped = Keymap {
            bindings: BTreeMap::new(),
            hint_bar: false,
        };
        shipped.merge(DEFAULTS).expect("the shipped file parses");
        assert_eq!(shipped.bindings, Keymap::defaults().bindings);
        assert_eq!(shipped.hint_bar, Keymap::defaults().hint_bar);
    }

    #[test]
    fn resolves_keys_per_layer() {
        let map = Keymap::defaults();
        let r = key(KeyCode::Char('R'), KeyModifiers::SHIFT);
        assert_eq!(map.action(Layer::Normal, &r), Some(Action::Rotate));
        let c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.press(&[Layer::Form], &c), Press::Act(Action::Quit));
        assert_eq!(map.press(&[Layer::Normal], &c), Press::Act(Action::Quit));
        let v = key(KeyCode::Char('v'), KeyModifiers::NONE);
        assert_eq!(map.action(Layer::Secret, &v), Some(Action::Reveal));
        assert_eq!(map.action(Layer::Normal, &v), None);
    }

    #[test]
    fn printable_keys_in_a_text_field_stay_text() {
        let map = Keymap::with_overrides("[form]\nsubmit = [\"x\", \"enter\"]\n").expect("valid");
        let x = key(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(map.press(&[Layer::Form, Layer::Edit], &x), Press::Text('x'));
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.press(&[Layer::Filter], &q), Press::Text('q'));
        let enter = key(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(
            map.press(&[Layer::Form, Layer::Edit], &enter),
            Press::Act(Action::Submit)
        );
        let alt_b = key(KeyCode::Char('b'), KeyModifiers::ALT);
        assert_eq!(
            map.press(&[Layer::Form, Layer::Edit], &alt_b),
            Press::Act(Action::WordLeft)
        );
    }

    #[test]
    fn overrides_replace_one_action() {
        let map = Keymap::with_overrides("[normal]\nquit = [\"x\"]\n").expect("valid");
        let x = key(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(map.action(Layer::Normal, &x), Some(Action::Quit));
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.action(Layer::Normal, &q), None);
        assert!(!map.keys(Layer::Normal, Action::Help).is_empty());
        let map = Keymap::with_overrides("[confirm]\nconfirm = [\"ctrl-y\"]\n").expect("valid");
        assert_eq!(map.hint(Layer::Confirm, Action::Confirm), "Ctrl-y");
    }

    #[test]
    fn bad_overrides_are_named() {
        let err = Keymap::with_overrides("[normal]\nfly = [\"x\"]\n").unwrap_err();
        assert!(err.contains("fly"), "{err}");
        let err = Keymap::with_overrides("[normal]\nquit = [\"hyper-x\"]\n").unwrap_err();
        assert!(err.contains("hyper-x"), "{err}");
        let err = Keymap::with_overrides("[nowhere]\nquit = [\"x\"]\n").unwrap_err();
        assert!(err.contains("nowhere"), "{err}");
        let err = Keymap::with_overrides("hint-bar = \"no\"\n").unwrap_err();
        assert!(err.contains("hint-bar"), "{err}");
    }

    #[test]
    fn one_key_for_two_actions_in_a_layer_is_refused_naming_both() {
        let err = Keymap::with_overrides("[normal]\nrefresh = [\"q\"]\n").unwrap_err();
        assert!(
            err.contains("quit") && err.contains("refresh") && err.contains("[normal]"),
            "{err}"
        );
        let err =
            Keymap::with_overrides("[secret]\nreveal = [\"x\"]\nclose = [\"x\"]\n").unwrap_err();
        assert!(err.contains("reveal") && err.contains("close"), "{err}");
        // A global key shadows every layer, so it conflicts with them too.
        let err = Keymap::with_overrides("[form]\nsubmit = [\"ctrl-c\"]\n").unwrap_err();
        assert!(err.contains("quit") && err.contains("submit"), "{err}");
        // The same key in two layers that never meet is fine.
        Keymap::with_overrides("[help]\nclose = [\"x\"]\n[detail]\nclose = [\"x\"]\n")
            .expect("different layers");
    }

    #[test]
    fn the_printed_keymap_reads_back_the_same() {
        let map = Keymap::with_overrides("hint-bar = false\n[confirm]\nconfirm = [\"ctrl-y\"]\n")
            .expect("valid");
        let text = map.to_toml();
        assert!(text.contains("confirm = [\"ctrl-y\"]"), "{text}");
        assert!(text.contains("[typed-confirm]"), "{text}");
        let back = Keymap::with_overrides(&text).expect("printed keymap parses");
        assert_eq!(back, map);
    }

    #[test]
    fn odd_characters_print_as_toml_and_control_characters_are_no_keys() {
        let map =
            Keymap::with_overrides("[normal]\nsort = [\"\\u200B\", \"\\\"\"]\n").expect("valid");
        let text = map.to_toml();
        assert!(text.contains("sort = [\"\u{200B}\", \"\\\"\"]"), "{text}");
        assert_eq!(Keymap::with_overrides(&text).expect("reads back"), map);
        let err = Keymap::with_overrides("[normal]\nsort = [\"ctrl-\\b\"]\n").expect_err("no key");
        assert!(err.contains(r#"unknown key "ctrl-\u{8}""#), "{err}");
    }

    #[test]
    fn help_lists_every_layer_from_the_bindings() {
        let err = Keymap::with_overrides("[normal]\nrefresh = [\"F5\"]\n").unwrap_err();
        assert!(err.contains("F5"));
        let map = Keymap::with_overrides("[normal]\nrefresh = [\"f5\"]\n").expect("valid");
        let help = map.help();
        let normal = &help
            .iter()
            .find(|(l, _)| *l == Layer::Normal)
            .expect("normal")
            .1;
        assert!(
            normal
                .iter()
                .any(|(k, d)| k == "F5" && d.starts_with("Refresh"))
        );
        assert!(help.iter().any(|(l, _)| *l == Layer::Secret));
        assert!(help.iter().any(|(l, _)| *l == Layer::Form));
    }
}
