//! Demo data for both regions, made from fixed seeds: the same ids and
//! keys in every process.

use serde_json::{Map, Value, json};

use super::ids::Rng;
use super::state::{Application, Doc, Operator, Project, RegionState, Role};

const DAY_MS: i64 = 86_400_000;
/// 2025-01-06T09:00:00Z, the first seeded project's creation time.
const FIRST_CREATED: i64 = 1_736_154_000_000;

const LINES: [&str; 12] = [
    "Cold Chain",
    "Smart Packaging",
    "Anti-Counterfeit",
    "Recycling Loop",
    "Loyalty Scans",
    "Wine Provenance",
    "Pharma Serialisation",
    "Apparel Traceability",
    "Spare Parts",
    "Coffee Origins",
    "Toy Safety",
    "Cosmetics Refill",
];
const TAGS: [&str; 6] = [
    "pilot",
    "production",
    "retail",
    "logistics",
    "sustainability",
    "eu-only",
];
const APPS: [&str; 4] = [
    "Consumer App",
    "Scan Portal",
    "Warehouse Gateway",
    "Partner API",
];

/// A region's two operator keys.
pub struct Keys {
    pub admin_key: String,
    pub viewer_key: String,
}

/// The account id and the keys, the seed's first draws, and the
/// generator positioned after them.
fn first_draws(seed: u64) -> (Rng, String, Keys) {
    let mut rng = Rng::new(seed);
    let account = rng.id();
    let admin_key = rng.key();
    let viewer_key = rng.key();
    (
        rng,
        account,
        Keys {
            admin_key,
            viewer_key,
        },
    )
}

/// The keys the region of `seed` holds, without seeding the rest: the
/// demo's config needs them before its first frame.
pub fn keys(seed: u64) -> Keys {
    first_draws(seed).2
}

/// `places` name the region's markets, one per project in turn.
pub fn region(seed: u64, count: usize, places: &[&str]) -> RegionState {
    let (
        mut rng,
        account,
        Keys {
            admin_key,
            viewer_key,
        },
    ) = first_draws(seed);
    let mut state = RegionState::new(account, Rng::new(seed ^ 0x5EED));
    let mut viewer_scope = Vec::new();
    for n in 0..count {
        let created = FIRST_CREATED + wide(n) * DAY_MS + (wide(n) * 7_919) % 3_600_000;
        let place = places[n % places.len().max(1)];
        let line = LINES[n % LINES.len()];
        let name = format!("{line} {place}");
        let mut props = Map::new();
        props.insert("name".into(), json!(name));
        props.insert(
            "description".into(),
            json!(format!("{line} programme for {place}")),
        );
        let tags: Vec<&str> = [TAGS[n % TAGS.len()], TAGS[(n / 2 + 3) % TAGS.len()]]
            .into_iter()
            .fold(Vec::new(), |mut acc, t| {
                if !acc.contains(&t) {
                    acc.push(t);
                }
                acc
            });
        props.insert("tags".into(), json!(tags));
        if n % 3 != 2 {
            let starts = created + 7 * DAY_MS;
            props.insert("startsAt".into(), json!(starts));
            props.insert(
                "endsAt".into(),
                json!(starts + (90 + 30 * wide(n % 4)) * DAY_MS),
            );
        }
        if n % 2 == 0 {
            props.insert(
                "identifiers".into(),
                json!({"gs1:414": format!("{:013}", 4_012_345_000_000u64 + n as u64)}),
            );
        }
        props.insert("customFields".into(), json!({"market": place}));
        let id = rng.id();
        if n < 2 {
            viewer_scope.push(id.clone());
        }
        let mut doc = Doc::new(id.clone(), created, props);
        doc.updated_at = created + DAY_MS / 2;
        let applications = (0..(n % 4))
            .map(|a| {
                let mut props = Map::new();
                props.insert("name".into(), json!(APPS[a]));
                props.insert(
                    "description".into(),
                    json!(format!("{} for {name}", APPS[a])),
                );
                props.insert("socialNetworks".into(), Value::Object(Map::new()));
                props.insert("defaultRole".into(), json!("base_app_user"));
                if a == 0 {
                    props.insert("tags".into(), json!(["consumer"]));
                }
                let at = created + (wide(a) + 1) * 3_600_000;
                Application {
                    doc: Doc::new(rng.id(), at, props),
                    project: id.clone(),
                    api_key: rng.key(),
                    secret_key: rng.key(),
                }
            })
            .collect();
        state.seen(created + DAY_MS);
        state.projects.push(Project { doc, applications });
    }
    let created = FIRST_CREATED - 30 * DAY_MS;
    state.operators.push(Operator {
        id: rng.id(),
        key: admin_key,
        email: "admin@evrythng.portico.demo".into(),
        first_name: "Ada".into(),
        last_name: "Admin".into(),
        role: Role::Admin,
        created_at: created,
    });
    state.operators.push(Operator {
        id: rng.id(),
        key: viewer_key,
        email: "viewer@evrythng.portico.demo".into(),
        first_name: "Vic".into(),
        last_name: "Viewer".into(),
        role: Role::Viewer {
            projects: viewer_scope,
        },
        created_at: created,
    });
    state
}

/// Adds one project, newer than the demo's, holding `scale` applications
/// with their keys. It draws from a generator of its own, so the demo's
/// ids and operator keys stay the same at any scale.
pub fn with_scale(mut state: RegionState, seed: u64, scale: usize) -> RegionState {
    if scale == 0 {
        return state;
    }
    let mut rng = Rng::new(seed ^ 0x05CA_1E00);
    let created = FIRST_CREATED + wide(US_PROJECTS.max(EU_PROJECTS) + 1) * DAY_MS;
    let id = rng.id();
    let applications: Vec<Application> = (0..scale)
        .map(|n| {
            let mut props = Map::new();
            props.insert("name".into(), json!(format!("Scale application {n:06}")));
            props.insert("socialNetworks".into(), Value::Object(Map::new()));
            props.insert("defaultRole".into(), json!("base_app_user"));
            // A second apart, wrapping daily, so any scale stays in range.
            let at = created + wide(n % 86_400) * 1_000;
            Application {
                doc: Doc::new(rng.id(), at, props),
                project: id.clone(),
                api_key: rng.key(),
                secret_key: rng.key(),
            }
        })
        .collect();
    let mut props = Map::new();
    props.insert("name".into(), json!("Scale Project"));
    props.insert(
        "description".into(),
        json!(format!("{scale} generated applications")),
    );
    props.insert("tags".into(), json!(["scale"]));
    state.seen(created + DAY_MS);
    state.projects.push(Project {
        doc: Doc::new(id, created, props),
        applications,
    });
    state
}

pub const US_SEED: u64 = 0x0E57_0001;
pub const EU_SEED: u64 = 0x0E57_0002;
/// The US account spans two pages of 30; the EU one fits in one.
pub const US_PROJECTS: usize = 36;
pub const EU_PROJECTS: usize = 9;

pub fn us() -> RegionState {
    region(
        US_SEED,
        US_PROJECTS,
        &["US East", "US West", "Canada", "Mexico"],
    )
}

pub fn eu() -> RegionState {
    region(EU_SEED, EU_PROJECTS, &["Germany", "France", "Nordics"])
}

/// A seed index as a signed count; seed sizes are far below `i64::MAX`.
fn wide(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_configs_keys_are_the_seeded_ones() {
        for (demo, state) in [(keys(US_SEED), us()), (keys(EU_SEED), eu())] {
            let role = |key: &str| state.operator(key).map(|o| o.role.clone());
            assert!(matches!(role(&demo.admin_key), Some(Role::Admin)));
            assert!(matches!(role(&demo.viewer_key), Some(Role::Viewer { .. })));
        }
        assert_ne!(keys(US_SEED).admin_key, keys(EU_SEED).admin_key);
    }
}
