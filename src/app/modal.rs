//! Overlays that take the keyboard: help, pickers, forms, confirms and
//! the issued-secret view.

use std::path::PathBuf;

use super::input::{LineInput, step_wrapping};
use crate::keymap::Layer;
use crate::model::{IssuedSecret, Kind};
use crate::platform::{Check, Field, FieldError, FollowUp, Input, Operation, Target};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    /// Scrolled this many lines down.
    Help(u16),
    Detail(u16),
    Filter(LineInput),
    Command(LineInput),
    Picker(Picker),
    Choose(Choose),
    Form(Form),
    Confirm(Confirm),
    Secret(Box<SecretView>),
    /// Long text in full, e.g. the last error.
    Text(TextView),
    /// The typed confirmation of a bulk rotation.
    BulkConfirm(super::bulk::BulkConfirm),
    /// The bulk run's progress, scrolled this many lines down.
    Progress(u16),
    /// The selection's document (`Y`).
    Raw(super::rawdoc::RawDoc),
}

/// A scrollable page of text; closed only by the text layer's close keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextView {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: u16,
}

/// The keymap layers that read the keyboard while `modal` is open, first
/// layer first; with no modal, the browsing layer.
pub fn layers(modal: Option<&Modal>) -> Vec<Layer> {
    match modal {
        None => vec![Layer::Normal],
        Some(Modal::Help(_)) => vec![Layer::Help],
        Some(Modal::Detail(_)) => vec![Layer::Detail],
        Some(Modal::Text(_)) => vec![Layer::Text],
        Some(Modal::Raw(_)) => vec![Layer::Raw],
        Some(Modal::Filter(_)) => vec![Layer::Filter, Layer::Edit],
        Some(Modal::Command(_)) => vec![Layer::Command, Layer::Edit],
        Some(Modal::Picker(_)) => vec![Layer::Picker, Layer::Edit],
        Some(Modal::Choose(_)) => vec![Layer::Choose],
        Some(Modal::Form(form)) => {
            let choice = form
                .fields
                .get(form.focus)
                .is_some_and(|f| f.choices().is_some());
            if choice {
                vec![Layer::Choice, Layer::Form, Layer::Edit]
            } else {
                vec![Layer::Form, Layer::Edit]
            }
        }
        Some(Modal::Confirm(Confirm { typed: Some(_), .. })) => vec![Layer::Typed, Layer::Edit],
        Some(Modal::Confirm(_)) => vec![Layer::Confirm],
        Some(Modal::Secret(_)) => vec![Layer::Secret],
        Some(Modal::BulkConfirm(_)) => vec![Layer::Bulk, Layer::Edit],
        Some(Modal::Progress(_)) => vec![Layer::Progress],
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub input: LineInput,
    pub matches: Vec<usize>,
    pub selected: usize,
}

/// Which kind to create, when a pane holds several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choose {
    pub kinds: Vec<Kind>,
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    Create {
        kind: Kind,
        parent: Option<String>,
    },
    Update {
        target: Target,
    },
    /// New material for the same resource: previewed, confirmed, then sent.
    Renew {
        target: Target,
        warning: String,
    },
    /// The one-time code a tenant's login asks for; `prompt` says where
    /// it comes from. It is no change: nothing is audited or confirmed.
    SecondFactor {
        tenant: usize,
        prompt: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    pub spec: Field,
    pub input: LineInput,
    /// Set when the value came from a paste that spans lines (a PEM).
    pub pasted: Option<String>,
    pub completions: Vec<String>,
    /// What the server said is wrong with the value last submitted.
    pub rejected: Option<String>,
    /// What the adapter offers an [`Input::Offered`] field.
    pub offer: Offer,
}

/// The choices of an [`Input::Offered`] field, read once the form is open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Offer {
    #[default]
    Unasked,
    Reading,
    Ready(Vec<String>),
    /// They could not be read; the value is typed instead.
    Failed(String),
}

impl FormField {
    pub fn new(spec: Field, initial: &str) -> Self {
        Self {
            spec,
            input: LineInput::new(initial),
            pasted: None,
            completions: Vec::new(),
            offer: Offer::Unasked,
            rejected: None,
        }
    }

    pub fn value(&self) -> String {
        match &self.pasted {
            Some(text) => text.clone(),
            None => self.input.text().trim().to_string(),
        }
    }

    /// The options ←/→ step through: a fixed choice's, or what the
    /// adapter offered once it has.
    pub fn choices(&self) -> Option<Vec<&str>> {
        match (&self.spec.input, &self.offer) {
            (Input::Choice(options), _) => Some(options.to_vec()),
            (Input::Offered, Offer::Ready(options)) if !options.is_empty() => {
                Some(options.iter().map(String::as_str).collect())
            }
            _ => None,
        }
    }

    /// Steps a choice field through its options.
    pub fn cycle(&mut self, step: isize) {
        let Some(options) = self.choices().filter(|o| !o.is_empty()) else {
            return;
        };
        let at = options.iter().position(|o| *o == self.input.text());
        let next = match at {
            Some(i) => step_wrapping(i, options.len(), step),
            None if step > 0 => 0,
            None => options.len() - 1,
        };
        let next = options[next].to_string();
        self.input.set(next);
    }

    /// What is wrong with the value, checked before anything is sent.
    pub fn problem(&self) -> Option<String> {
        let value = self.value();
        let label = self.spec.label;
        if value.is_empty() {
            return self.spec.required.then(|| format!("{label} is required"));
        }
        let length = value.chars().count();
        if let Some(max) = self.spec.max_len.filter(|max| length > *max) {
            return Some(format!(
                "{label} is too long: {length} characters, at most {max}"
            ));
        }
        match self.spec.input {
            Input::Choice(options) if !options.contains(&value.as_str()) => Some(format!(
                "{label} must be one of {} (←/→ cycles)",
                options.join(", ")
            )),
            Input::Date if !is_date(&value) => Some(format!("{label} must be a date, YYYY-MM-DD")),
            Input::Offered => match &self.offer {
                Offer::Ready(options) if !options.is_empty() && !options.contains(&value) => {
                    Some(format!(
                        "{label} must be one of the {} offered (←/→ cycles)",
                        options.len()
                    ))
                }
                _ => None,
            },
            _ => None,
        }
    }

    pub const fn completes_paths(&self) -> bool {
        matches!(self.spec.input, Input::Path | Input::Pem)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub title: String,
    pub fields: Vec<FormField>,
    pub focus: usize,
    pub intent: Intent,
    pub error: Option<String>,
    /// The request submitted from this form, while it runs.
    pub pending: Option<u64>,
}

impl Form {
    /// The change the form asks for, once nothing is wrong with it: what
    /// the console submits and the command line sends alike.
    pub fn operation(&self) -> Result<Operation, String> {
        if let Some(problem) = self.problem() {
            return Err(problem);
        }
        let values = self
            .fields
            .iter()
            .map(|f| (f.spec.key.to_string(), f.value()))
            .collect();
        Ok(match self.intent.clone() {
            Intent::Create { kind, parent } => Operation::Create {
                kind,
                parent,
                values,
            },
            // A renewal sends new material as an update of the same
            // resource, once its preview is confirmed.
            Intent::Update { target } | Intent::Renew { target, .. } => {
                Operation::Update { target, values }
            }
            Intent::SecondFactor { .. } => {
                return Err("a two-factor code is sent, not performed".into());
            }
        })
    }

    /// Puts each of the server's complaints next to the field it names and
    /// focuses the first such field; the input stays as typed. Complaints
    /// naming no field of the form are left to the form's own error line.
    pub fn reject(&mut self, errors: &[FieldError]) {
        let mut first = None;
        for err in errors {
            let Some(at) = self.fields.iter().position(|f| f.spec.key == err.field()) else {
                continue;
            };
            let field = &mut self.fields[at];
            field.rejected = Some(match field.rejected.take() {
                Some(said) => format!("{said}; {}", err.message()),
                None => err.message().to_string(),
            });
            first.get_or_insert(at);
        }
        if let Some(at) = first {
            self.focus = at;
        }
    }

    /// Forgets the server's complaints, as a new submit starts.
    pub fn clear_rejections(&mut self) {
        for field in &mut self.fields {
            field.rejected = None;
        }
    }

    /// The first thing wrong with the form, field by field, then between
    /// fields (an end date before its start date).
    pub fn problem(&self) -> Option<String> {
        if let Some(problem) = self.fields.iter().find_map(FormField::problem) {
            return Some(problem);
        }
        self.fields.iter().find_map(|field| {
            let earliest = self
                .fields
                .iter()
                .find(|f| Some(f.spec.key) == field.spec.not_before)?;
            let (start, end) = (earliest.value(), field.value());
            // ISO dates compare in calendar order as text.
            (!start.is_empty() && !end.is_empty() && end < start).then(|| {
                format!(
                    "{} ({end}) is before {} ({start})",
                    field.spec.label, earliest.spec.label
                )
            })
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    pub ops: Vec<Operation>,
    /// On a protected tenant the user types this name to go ahead.
    pub typed: Option<(String, LineInput)>,
    /// The resource has no name, so what is typed is its id.
    pub typed_is_id: bool,
    /// Why Enter did not go ahead, e.g. a name that does not match.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretView {
    pub tenant: usize,
    pub summary: String,
    pub issued: IssuedSecret,
    pub revealed: bool,
    pub checks: Vec<Check>,
    pub follow_up: Option<FollowUp>,
    pub saved: Option<Result<PathBuf, String>>,
    /// Read back from the platform, which shows it again on request: not
    /// saved, and not "shown only now".
    pub rereadable: bool,
}

fn is_date(text: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_check_required_choices_and_dates() {
        let mut choice = FormField::new(
            Field::with("filterType", "Filter", Input::Choice(&["all", "none"])),
            "",
        );
        assert_eq!(choice.problem(), None, "optional and empty is fine");
        choice.input.set("most");
        assert!(
            choice
                .problem()
                .is_some_and(|p| p.contains("one of all, none"))
        );
        choice.cycle(1);
        assert_eq!(choice.input.text(), "all");
        choice.cycle(1);
        assert_eq!(choice.input.text(), "none");
        choice.cycle(1);
        assert_eq!(choice.input.text(), "all");
        assert_eq!(choice.problem(), None);

        let mut date = FormField::new(
            Field::with("start_date", "Start", Input::Date),
            "2026-13-01",
        );
        assert!(date.problem().is_some());
        date.input.set("2026-12-01");
        assert_eq!(date.problem(), None);

        let name = FormField::new(Field::text("name", "Name", true), "  ");
        assert_eq!(name.problem().as_deref(), Some("Name is required"));
    }

    #[test]
    fn a_server_refusal_lands_next_to_each_field_it_names() {
        let mut form = Form {
            title: "New key".into(),
            fields: vec![
                FormField::new(Field::text("name", "Name", false), "gw"),
                FormField::new(Field::with("deviceIds", "Devices", Input::List), "x1"),
                FormField::new(Field::with("pubTopics", "Publish", Input::List), "a/b"),
            ],
            focus: 0,
            intent: Intent::Create {
                kind: Kind::AccessKey,
                parent: None,
            },
            error: None,
            pending: None,
        };
        form.reject(&[
            FieldError::new("pubTopics", "too long"),
            FieldError::new("elsewhere", "not a field of this form"),
            FieldError::new("pubTopics", "has a space"),
            FieldError::new("deviceIds", "is not an id"),
        ]);
        let said: Vec<Option<&str>> = form.fields.iter().map(|f| f.rejected.as_deref()).collect();
        assert_eq!(
            said,
            vec![None, Some("is not an id"), Some("too long; has a space")]
        );
        assert_eq!(form.focus, 2, "the first field the server named");
        assert_eq!(form.fields[1].input.text(), "x1", "what was typed stays");
        form.clear_rejections();
        assert!(form.fields.iter().all(|f| f.rejected.is_none()));
    }
}
