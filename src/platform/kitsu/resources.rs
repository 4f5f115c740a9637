//! How each Zou document becomes a Portico row.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::wire::{AssetType, EntityLink, Person, Project};
use crate::model::{Change, Kind, Lifecycle, Resource};
use crate::platform::form;

fn text(value: Option<&String>) -> String {
    value.cloned().unwrap_or_default()
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_string()
}

/// A bot's token lasts to the end of its expiration day (UTC). The last
/// second of that day keeps the date shown the one Kitsu shows.
pub fn expiry(date: &str) -> Option<OffsetDateTime> {
    let date = form::parse_day(date)?;
    Some(date.with_hms(23, 59, 59).ok()?.assume_utc())
}

pub fn production(project: Project, statuses: &HashMap<String, String>) -> Resource {
    let status = project
        .project_status_id
        .as_ref()
        .map(|id| statuses.get(id).cloned().unwrap_or_else(|| id.clone()));
    let mut res = Resource::new(Kind::Project, project.id.clone(), project.name.clone());
    res.status.clone_from(&status);
    // Zou's seeded statuses are Open and Closed; any other is in use.
    res.state = if status.as_deref() == Some("Closed") {
        Lifecycle::Inactive
    } else {
        Lifecycle::Active
    };
    res.cells = vec![
        status.unwrap_or_default(),
        text(project.production_type.as_ref()),
        text(project.production_style.as_ref()),
    ];
    // Keys name, description, start_date and end_date prefill the edit form;
    // the detail view shows id, status and expiry on its own.
    res.with_detail("name", project.name)
        .with_detail("description", text(project.description.as_ref()))
        .with_detail("start_date", text(project.start_date.as_ref()))
        .with_detail("end_date", text(project.end_date.as_ref()))
        .with_detail("production_type", text(project.production_type.as_ref()))
        .with_detail("production_style", text(project.production_style.as_ref()))
        .with_detail("fps", text(project.fps.as_ref()))
        .with_detail("resolution", text(project.resolution.as_ref()))
        .with_detail("created_at", text(project.created_at.as_ref()))
}

pub fn person_name(person: &Person) -> String {
    match person.full_name.as_deref().map(str::trim) {
        Some(full) if !full.is_empty() => full.to_string(),
        _ => {
            let first = person.first_name.as_deref().unwrap_or_default();
            let last = person.last_name.as_deref().unwrap_or_default();
            format!("{first} {last}").trim().to_string()
        }
    }
}

fn active_status(person: &Person) -> String {
    if person.active.unwrap_or(true) {
        "active"
    } else {
        "inactive"
    }
    .to_string()
}

/// A row of the Applications pane; the empty cell sits under "Expires",
/// which the pane draws from `expires`.
#[allow(
    clippy::needless_pass_by_value,
    reason = "maps a decoded record that the caller no longer needs"
)]
pub fn bot(person: Person, departments: &HashMap<String, String>) -> Resource {
    let name = person_name(&person);
    let mut in_departments: Vec<String> = person
        .departments
        .iter()
        .map(|id| departments.get(id).cloned().unwrap_or_else(|| id.clone()))
        .collect();
    in_departments.sort();
    let active = person.active.unwrap_or(true);
    let mut res = Resource::new(Kind::Bot, person.id.clone(), name.clone());
    res.status = Some(active_status(&person));
    res.expires = person.expiration_date.as_deref().and_then(expiry);
    res.state = Lifecycle::of(active, res.expires, OffsetDateTime::now_utc());
    res.cells = vec![text(person.role.as_ref()), String::new(), yes_no(active)];
    res.with_detail("name", name)
        .with_detail("role", text(person.role.as_ref()))
        // Empty, not "never": the edit form prefills a date field from it.
        .with_detail("expiration_date", text(person.expiration_date.as_ref()))
        .with_detail("active", yes_no(active))
        .with_detail("departments", in_departments.join(", "))
        .with_detail("email", text(person.email.as_ref()))
        .with_detail("created_at", text(person.created_at.as_ref()))
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "maps a decoded record that the caller no longer needs"
)]
pub fn person(person: Person, signed_in: Option<&str>) -> Resource {
    let name = person_name(&person);
    let active = person.active.unwrap_or(true);
    let mut res = Resource::new(Kind::Person, person.id.clone(), name.clone());
    // Deactivating or demoting the account Portico signs in as would shut
    // the tenant out of every call after it, the one that checks it too.
    let me = person
        .email
        .as_deref()
        .zip(signed_in)
        .is_some_and(|(email, me)| email.eq_ignore_ascii_case(me));
    if me {
        let why = "this is the account Portico signs in as; change it from another admin account";
        res.refused = vec![
            (Change::Toggle, why.to_string()),
            (Change::Edit, why.to_string()),
        ];
    }
    res.status = Some(active_status(&person));
    res.expires = person.expiration_date.as_deref().and_then(expiry);
    res.state = Lifecycle::of(active, res.expires, OffsetDateTime::now_utc());
    res.cells = vec![
        text(person.email.as_ref()),
        text(person.role.as_ref()),
        yes_no(person.is_bot),
        yes_no(active),
    ];
    res.with_detail("name", name)
        .with_detail("email", text(person.email.as_ref()))
        .with_detail("role", text(person.role.as_ref()))
        .with_detail("bot", yes_no(person.is_bot))
        .with_detail("active", yes_no(active))
        .with_detail("created_at", text(person.created_at.as_ref()))
}

pub fn asset_type(kind: AssetType) -> Resource {
    let mut res = Resource::new(Kind::AssetType, kind.id.clone(), kind.name.clone());
    let archived = kind.archived.unwrap_or(false);
    res.cells = vec![text(kind.short_name.as_ref()), yes_no(archived)];
    res.with_detail("name", kind.name)
        .with_detail("short_name", text(kind.short_name.as_ref()))
        .with_detail("description", text(kind.description.as_ref()))
        .with_detail("archived", yes_no(archived))
}

/// `names` maps entity ids to names when they could be read; otherwise
/// the ids stand in.
pub fn entity_link(link: EntityLink, names: &HashMap<String, String>) -> Resource {
    let name_of = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let from = name_of(&link.entity_in_id);
    let to = name_of(&link.entity_out_id);
    let occurrences = link
        .nb_occurences
        .map(|n| n.to_string())
        .unwrap_or_default();
    let mut res = Resource::new(Kind::EntityLink, link.id.clone(), format!("{from} → {to}"));
    res.cells = vec![occurrences.clone(), text(link.label.as_ref())];
    res.with_detail("from", from)
        .with_detail("to", to)
        .with_detail("occurrences", occurrences)
        .with_detail("label", text(link.label.as_ref()))
        .with_detail("entity_in_id", link.entity_in_id)
        .with_detail("entity_out_id", link.entity_out_id)
        .with_detail("created_at", text(link.created_at.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_the_last_second_of_the_day() {
        let at = expiry("2030-01-31").unwrap();
        assert_eq!(at.unix_timestamp(), 1_896_134_400 - 1);
        assert!(expiry("31/01/2030").is_none());
    }

    #[test]
    fn person_name_falls_back_to_first_and_last() {
        let person: Person = serde_json::from_value(
            serde_json::json!({"id": "x", "first_name": "Render", "last_name": ""}),
        )
        .unwrap();
        assert_eq!(person_name(&person), "Render");
    }
}
