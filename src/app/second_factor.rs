//! A login that needs a one-time code besides the password: the console
//! asks for it in a form, hands it to the adapter, and asks again when the
//! platform refuses it. Nothing else is sent meanwhile.

use super::message::Effect;
use super::modal::{Form, FormField, Intent, Modal};
use super::state::State;
use crate::model::Secret;
use crate::platform::Field;

/// Opens the code prompt for `tenant`, unless something else holds the
/// keyboard (the lists refused together all ask; the first one opens it).
pub(super) fn ask(state: &mut State, tenant: usize, prompt: String) {
    if tenant != state.active || state.modal.is_some() {
        return;
    }
    let name = state
        .tenant()
        .map(|t| t.name().to_string())
        .unwrap_or_default();
    state.modal = Some(Modal::Form(Form {
        title: format!("Two-factor login to {name}"),
        fields: vec![FormField::new(Field::text("code", "Code", true), "")],
        focus: 0,
        intent: Intent::SecondFactor { tenant, prompt },
        error: None,
        pending: None,
    }));
}

/// Sends the typed code; the answer comes back as a `Performed`, which
/// closes the form or shows the platform's refusal in it.
pub(super) fn submit(state: &mut State, form: &mut Form, tenant: usize, fx: &mut Vec<Effect>) {
    let code = form
        .fields
        .first()
        .map(FormField::value)
        .unwrap_or_default();
    if code.is_empty() {
        form.error = Some("Code is required".into());
        return;
    }
    form.error = None;
    let request = state.next_request;
    state.next_request += 1;
    state
        .operations
        .insert(request, (tenant, "two-factor login".into()));
    if let Some(book) = state.books.get_mut(tenant) {
        book.performing += 1;
    }
    form.pending = Some(request);
    fx.push(Effect::SecondFactor {
        tenant,
        request,
        code: Secret::new(code.as_str()),
    });
}
