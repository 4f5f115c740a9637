//! Overlays that take the keyboard: help, pickers, forms, confirms and
//! the issued-secret view.

use std::path::PathBuf;

use super::input::LineInput;
use crate::model::{IssuedSecret, Kind};
use crate::platform::{Check, Field, FollowUp, Input, Operation, Target};

#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    Help,
    Detail,
    Filter(LineInput),
    Command(LineInput),
    Picker(Picker),
    Choose(Choose),
    Form(Form),
    Confirm(Confirm),
    Secret(Box<SecretView>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub input: LineInput,
    pub matches: Vec<usize>,
    pub selected: usize,
}

/// Which kind to create, when a pane holds several.
#[derive(Debug, Clone, PartialEq)]
pub struct Choose {
    pub kinds: Vec<Kind>,
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    Create { kind: Kind, parent: Option<String> },
    Update { target: Target },
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormField {
    pub spec: Field,
    pub input: LineInput,
    /// Set when the value came from a paste that spans lines (a PEM).
    pub pasted: Option<String>,
    pub completions: Vec<String>,
}

impl FormField {
    pub fn new(spec: Field, initial: &str) -> Self {
        FormField {
            spec,
            input: LineInput::new(initial),
            pasted: None,
            completions: Vec::new(),
        }
    }

    pub fn value(&self) -> String {
        match &self.pasted {
            Some(text) => text.clone(),
            None => self.input.text().trim().to_string(),
        }
    }

    pub fn completes_paths(&self) -> bool {
        matches!(self.spec.input, Input::Path | Input::Pem)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub title: String,
    pub fields: Vec<FormField>,
    pub focus: usize,
    pub intent: Intent,
    pub error: Option<String>,
    /// The request submitted from this form, while it runs.
    pub pending: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    pub ops: Vec<Operation>,
    /// On a protected tenant the user types this name to go ahead.
    pub typed: Option<(String, LineInput)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecretView {
    pub tenant: usize,
    pub summary: String,
    pub issued: IssuedSecret,
    pub revealed: bool,
    pub checks: Vec<Check>,
    pub follow_up: Option<FollowUp>,
    pub saved: Option<Result<PathBuf, String>>,
}
