//! Answers the list effects `update` asks for, as the runtime would.

use std::time::SystemTime;

use portico::app::{Effect, ListKey, Message, State, update};
use portico::model::Resource;
use portico::platform::Paged;

/// Feeds each list effect's answer back into `update`, stamped `at`, and
/// returns the effects those answers caused in turn.
pub fn answer_at(
    state: &mut State,
    effects: &[Effect],
    at: SystemTime,
    items: impl Fn(&ListKey) -> Vec<Resource>,
) -> Vec<Effect> {
    answer_paged(state, effects, at, |key| Paged::new(items(key), 1))
}

/// Like [`answer_at`], with the page count the server would report; a
/// search effect is answered the same way a list is.
#[allow(dead_code)]
pub fn answer_paged(
    state: &mut State,
    effects: &[Effect],
    at: SystemTime,
    paged: impl Fn(&ListKey) -> Paged,
) -> Vec<Effect> {
    let mut more = Vec::new();
    for effect in effects {
        if let Effect::List {
            tenant,
            key,
            request,
        }
        | Effect::Search {
            tenant,
            key,
            request,
        } = effect
        {
            more.extend(update(
                state,
                Message::Listed {
                    tenant: *tenant,
                    key: key.clone(),
                    request: *request,
                    at,
                    result: Ok(paged(key)),
                },
            ));
        }
    }
    more
}
