//! Demo data: a small animation studio with a feature film, a TV show, a
//! short and a delivered (closed) commercial, its crew and pipeline bots.

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use super::auth::HAS_LINKED_DATA;
use super::jwt::Signer;
use super::links::PRECISE_CREATED_AT;
use super::otp::Factors;
use super::schema::{
    ENTITY, ENTITY_LINK, ENTITY_TYPE, PERSON, PROJECT, PROJECT_STATUS, Record, new_id, seeded, text,
};
use super::store::{Store, TEMPORAL_TYPES, api_token};
use super::{DEMO_EMAIL_OTP_EMAIL, DEMO_PASSWORD, DEMO_TOTP_EMAIL, DEMO_TOTP_SECRET, clock};

/// Every human demo account shares the administrator's password, so a
/// tester can also log in as an artist or a client.
const PERSONS: &[(&str, &str, &str, &str, &str)] = &[
    // first name, last name, email local part, role, position
    ("Camille", "Durand", "admin", "admin", "lead"),
    (
        "Priya",
        "Natarajan",
        "priya.natarajan",
        "manager",
        "manager",
    ),
    (
        "Hugo",
        "Lefèvre",
        "hugo.lefevre",
        "supervisor",
        "supervisor",
    ),
    ("Aiko", "Tanaka", "aiko.tanaka", "supervisor", "supervisor"),
    ("Lucas", "Martin", "lucas.martin", "user", "artist"),
    ("Sofia", "Rossi", "sofia.rossi", "user", "artist"),
    ("Amara", "Okafor", "amara.okafor", "user", "artist"),
    ("Jonas", "Becker", "jonas.becker", "user", "artist"),
    ("Dana", "Whitfield", "dana.whitfield", "client", "artist"),
];

struct Clock {
    base: OffsetDateTime,
    step: i64,
}

impl Clock {
    /// Successive creation times, an hour and a bit apart, starting about
    /// half a year ago.
    fn next(&mut self) -> OffsetDateTime {
        self.step += 1;
        self.base + Duration::minutes(self.step * 67) + Duration::microseconds(self.step * 48_311)
    }

    fn next_naive(&mut self) -> String {
        clock::naive(self.next())
    }
}

fn id_of(list: &[Record], name: &str) -> String {
    list.iter()
        .find(|r| text(r, "name") == name)
        .map(|r| text(r, "id").to_owned())
        .unwrap_or_default()
}

fn person_id(st: &Store, email_local: &str) -> String {
    let email = format!("{email_local}@kitsu.portico.demo");
    st.persons
        .iter()
        .find(|p| text(p, "email") == email)
        .map(|p| text(p, "id").to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
pub fn demo(signer: &Signer) -> Store {
    demo_with_scale(signer, 0)
}

/// The demo studio plus `scale` generated bots, each issued a token.
pub fn demo_with_scale(signer: &Signer, scale: usize) -> Store {
    let now = clock::now();
    let today = clock::today();
    let mut t = Clock {
        base: now - Duration::days(190),
        step: 0,
    };
    let mut st = Store::default();

    let at = t.next_naive();
    st.organisation = json!({
        "id": new_id(),
        "name": "Kitsu",
        "hours_by_day": 8.0,
        "has_avatar": false,
        "use_original_file_name": false,
        "timesheets_locked": false,
        "format_duration_in_hours": false,
        "hd_by_default": false,
        "dark_theme_by_default": false,
        "chat_token_slack": "",
        "chat_webhook_mattermost": "",
        "chat_token_discord": "",
        "created_at": at,
        "updated_at": at,
        "type": "Organisation",
    })
    .as_object()
    .cloned()
    .unwrap_or_default();

    for name in ["Open", "Closed"] {
        let at = t.next_naive();
        st.project_statuses.push(seeded(
            &PROJECT_STATUS,
            json!({"name": name, "color": "#000000"}),
            &at,
        ));
    }

    // Zou's init-data types (its temporal ones, then asset types), then one
    // the studio added and never used.
    let asset_types = ["Character", "Environment", "FX", "Prop", "Camera"];
    for &name in TEMPORAL_TYPES.iter().chain(&asset_types) {
        let at = t.next_naive();
        st.entity_types
            .push(seeded(&ENTITY_TYPE, json!({ "name": name }), &at));
    }

    st.task_types = super::tasks::seed(|| t.next_naive());
    st.departments = super::departments::seed(|| t.next_naive());

    for (first, last, local, role, position) in PERSONS {
        let at = t.next_naive();
        let email = format!("{local}@kitsu.portico.demo");
        let mut person = seeded(
            &PERSON,
            json!({
                "first_name": first,
                "last_name": last,
                "email": email,
                "role": role,
                "position": position,
                "desktop_login": local.replace('.', "_"),
                // Jonas left the studio; his account is kept, deactivated.
                "active": *local != "jonas.becker",
                "contract_type": if *role == "client" { "freelance" } else { "open-ended" },
            }),
            &at,
        );
        // The crew has worked in Kitsu: logins, tasks, comments.
        person.insert(HAS_LINKED_DATA.into(), Value::Bool(true));
        let id = text(&person, "id").to_owned();
        st.passwords.insert(id.clone(), DEMO_PASSWORD.to_owned());
        // Two supervisors log in with a second factor.
        let factors = match email.as_str() {
            DEMO_TOTP_EMAIL => Some(("totp", Factors::with_totp(DEMO_TOTP_SECRET))),
            DEMO_EMAIL_OTP_EMAIL => Some(("email_otp", Factors::with_email())),
            _ => None,
        };
        if let Some((method, factors)) = factors {
            person.insert(format!("{method}_enabled"), Value::Bool(true));
            person.insert(
                "preferred_two_factor_authentication".into(),
                Value::String(method.into()),
            );
            st.factors.insert(id, factors);
        }
        st.persons.write().push(person);
    }
    // Bots: one without expiry, one expiring in six months, one whose
    // token has already lapsed. Their tokens were shown once, long ago.
    let bots = [
        ("Render Farm", "render-farm", "user", None),
        (
            "Pipeline Sync",
            "pipeline-sync",
            "manager",
            Some(clock::date(today + Duration::days(180))),
        ),
        (
            "Legacy Importer",
            "legacy-importer",
            "user",
            Some(clock::date(today - Duration::days(12))),
        ),
    ];
    for (name, local, role, expiration) in bots {
        let at = t.next_naive();
        let mut bot = seeded(
            &PERSON,
            json!({
                "first_name": name,
                "last_name": "",
                "email": format!("{local}@kitsu.portico.demo"),
                "role": role,
                "is_bot": true,
                "expiration_date": expiration,
            }),
            &at,
        );
        let _shown_once = api_token(signer, &mut bot);
        st.persons.write().push(bot);
    }

    seed_projects(&mut st, &mut t, today);
    // One creation time for them all: the demo clock's hourly steps would
    // run into the future at a large scale.
    let at = t.next_naive();
    for n in 0..scale {
        let mut bot = seeded(
            &PERSON,
            json!({
                "first_name": format!("Scale bot {n:06}"),
                "last_name": "",
                "email": format!("scale-bot-{n:06}@kitsu.portico.demo"),
                "role": "user",
                "is_bot": true,
            }),
            &at,
        );
        let _shown_once = api_token(signer, &mut bot);
        st.persons.write().push(bot);
    }
    st
}

fn seed_projects(st: &mut Store, t: &mut Clock, today: time::Date) {
    let open = id_of(&st.project_statuses, "Open");
    let closed = id_of(&st.project_statuses, "Closed");
    let kind = |name: &str| id_of(&st.entity_types, name);
    let team = |locals: &[&str]| -> Value {
        json!(
            locals
                .iter()
                .map(|l| person_id(st, l))
                .collect::<Vec<String>>()
        )
    };
    let date = |days: i64| clock::date(today + Duration::days(days));

    let projects = [
        json!({
            "name": "Harbor Lights",
            "code": "HLT",
            "description": "A lighthouse keeper's daughter guides a lost fishing fleet home through the worst storm in a century.",
            "production_type": "featurefilm",
            "production_style": "3d",
            "fps": "24",
            "ratio": "2.39:1",
            "resolution": "4096x1716",
            "start_date": date(-160),
            "end_date": date(420),
            "man_days": 4200,
            "max_retakes": 3,
            "data": {},
            "project_status_id": open,
            "team": team(&["admin", "priya.natarajan", "hugo.lefevre", "lucas.martin", "sofia.rossi", "amara.okafor"]),
            "asset_types": [kind("Character"), kind("Environment"), kind("FX"), kind("Prop")],
        }),
        json!({
            "name": "Moss & Stone",
            "code": "MAS",
            "description": "Two garden spirits keep a forgotten allotment alive, one season at a time.",
            "production_type": "tvshow",
            "production_style": "2d3d",
            "nb_episodes": 26,
            "episode_span": 11,
            "start_date": date(-120),
            "end_date": date(300),
            "data": {},
            "project_status_id": open,
            "team": team(&["admin", "priya.natarajan", "aiko.tanaka", "lucas.martin", "amara.okafor", "dana.whitfield"]),
            "asset_types": [kind("Character"), kind("Environment"), kind("Prop")],
        }),
        json!({
            "name": "Paper Kites",
            "code": "PKT",
            "description": "A girl folds her letters into kites to reach her father overseas.",
            "production_type": "short",
            "production_style": "2d",
            "fps": "24",
            "start_date": date(-60),
            "end_date": date(90),
            "data": {},
            "project_status_id": open,
            "team": team(&["admin", "hugo.lefevre", "sofia.rossi"]),
        }),
        json!({
            "name": "Night Ferry",
            "code": "NFY",
            "description": "Thirty-second spot for the Baltic night ferry line. Delivered.",
            "production_type": "short",
            "production_style": "vfx",
            "fps": "25",
            "start_date": date(-185),
            "end_date": date(-95),
            "data": {},
            "project_status_id": closed,
            "team": team(&["admin", "priya.natarajan", "jonas.becker"]),
        }),
    ];
    for fields in projects {
        let at = t.next_naive();
        st.projects.push(seeded(&PROJECT, fields, &at));
    }

    let assets: &[(&str, &str, &str, &str)] = &[
        (
            "Harbor Lights",
            "Character",
            "Nora",
            "The keeper's daughter, twelve, fearless.",
        ),
        (
            "Harbor Lights",
            "Character",
            "Old Tobias",
            "The retired lighthouse keeper.",
        ),
        (
            "Harbor Lights",
            "Character",
            "Gull",
            "Nora's one-eyed herring gull.",
        ),
        (
            "Harbor Lights",
            "Environment",
            "Lighthouse Exterior",
            "Cliff, tower and keeper's cottage.",
        ),
        (
            "Harbor Lights",
            "Environment",
            "Harbor Town",
            "Quay, fish market and chapel.",
        ),
        (
            "Harbor Lights",
            "Prop",
            "Brass Lantern",
            "Storm lantern, hero prop.",
        ),
        (
            "Harbor Lights",
            "Prop",
            "Fishing Boat",
            "Trawler, three damage states.",
        ),
        (
            "Harbor Lights",
            "FX",
            "Storm Waves",
            "Ocean simulation for the finale.",
        ),
        ("Moss & Stone", "Character", "Moss", "The restless spirit."),
        ("Moss & Stone", "Character", "Stone", "The patient spirit."),
        (
            "Moss & Stone",
            "Character",
            "Beetle Choir",
            "Crowd of singing beetles.",
        ),
        (
            "Moss & Stone",
            "Environment",
            "Forest Floor",
            "The allotment's wild corner.",
        ),
        (
            "Moss & Stone",
            "Prop",
            "Acorn Cart",
            "Moss's rattling cart.",
        ),
        ("Paper Kites", "Character", "Mina", "The letter writer."),
        (
            "Paper Kites",
            "Prop",
            "Red Kite",
            "Folded from a red envelope.",
        ),
        (
            "Night Ferry",
            "Environment",
            "Ferry Deck",
            "Night deck with harbour lights.",
        ),
        ("Night Ferry", "Prop", "Ticket Booth", "Quayside booth."),
    ];
    let admin = person_id(st, "admin");
    for (project, asset_type, name, description) in assets {
        let at = t.next_naive();
        let fields = json!({
            "name": name,
            "description": description,
            "data": {},
            "project_id": id_of(&st.projects, project),
            "entity_type_id": id_of(&st.entity_types, asset_type),
            "created_by": admin,
        });
        st.entities.push(seeded(&ENTITY, fields, &at));
    }
    // The TV show's episodes, which are entities but not assets.
    for name in ["E01", "E02"] {
        let at = t.next_naive();
        let fields = json!({
            "name": name,
            "project_id": id_of(&st.projects, "Moss & Stone"),
            "entity_type_id": id_of(&st.entity_types, "Episode"),
        });
        st.entities.push(seeded(&ENTITY, fields, &at));
    }

    let links: &[(&str, &str, i64, &str)] = &[
        ("Lighthouse Exterior", "Brass Lantern", 2, "fixed"),
        ("Lighthouse Exterior", "Nora", 1, "animate"),
        ("Lighthouse Exterior", "Old Tobias", 1, "animate"),
        ("Harbor Town", "Fishing Boat", 4, "fixed"),
        ("Harbor Town", "Storm Waves", 1, "fixed"),
        ("Fishing Boat", "Gull", 3, "animate"),
        ("Forest Floor", "Moss", 1, "animate"),
        ("Forest Floor", "Stone", 1, "animate"),
        ("Forest Floor", "Acorn Cart", 1, "fixed"),
        ("Acorn Cart", "Beetle Choir", 5, "animate"),
        ("Ferry Deck", "Ticket Booth", 1, "fixed"),
    ];
    for (entity_in, entity_out, count, label) in links {
        let created = t.next();
        let fields = json!({
            "entity_in_id": id_of(&st.entities, entity_in),
            "entity_out_id": id_of(&st.entities, entity_out),
            "nb_occurences": count,
            "label": label,
        });
        let mut link = seeded(&ENTITY_LINK, fields, &clock::naive(created));
        link.insert(
            PRECISE_CREATED_AT.into(),
            Value::String(clock::naive_micro(created)),
        );
        st.entity_links.push(link);
    }
}
