//! The demo area. Credentials are constants, so a config printed by one
//! `portico sim` works against any other; ids are random per process.

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::format::{LOWER_ALNUM, MIXED_ALNUM, random_from, uuid};
use super::state::{
    ApiKey, Application, Applications, AreaState, DEFAULT_DAILY_QUOTA, DEFAULT_QPS, KeyStatus,
    Member, Package, PackageKey, Plan, User,
};

pub const AREA_UUID: &str = "6f1c2a7e-3b9d-4c5e-8a1f-2d7b9e0c4a53";
pub const DEMO_API_KEY: &str = "p7qk3mzd9vw4hxr8bfea2c6n";
pub const DEMO_API_SECRET: &str = "Tq4MwZ8rKd";
pub const DEMO_USERNAME: &str = "portico-admin";
pub const DEMO_PASSWORD: &str = "portico-demo-mashery";
/// A second V3 API key with a tiny daily quota, for seeing
/// `ERR_403_DEVELOPER_OVER_RATE` after a handful of calls.
pub const QUOTA_API_KEY: &str = "q4tz8hbv2nr6wdm3xpfju9cs";
pub const QUOTA_API_SECRET: &str = "Qz2Vb7NxLp";
pub const QUOTA_DAILY_CALLS: u64 = 5;

const EPOCH: OffsetDateTime = datetime!(2015-01-09 19:04:09 UTC);

const MEMBERS: &[(&str, &str, &str, &str)] = &[
    (
        "acme-dev",
        "dev@acme-logistics.example",
        "Acme Logistics",
        "active",
    ),
    (
        "blueharbor",
        "api@blueharbor.example",
        "Blue Harbor Freight",
        "active",
    ),
    (
        "cedarlabs",
        "team@cedarlabs.example",
        "Cedar Labs",
        "active",
    ),
    (
        "deltamobile",
        "hello@deltamobile.example",
        "Delta Mobile",
        "waiting",
    ),
    (
        "echo-partners",
        "ops@echopartners.example",
        "Echo Partners",
        "disabled",
    ),
];

const APPS: &[&str] = &[
    "Fleet Tracker",
    "Route Planner",
    "Dock Scheduler",
    "Rate Shopper",
    "Carrier Portal",
    "ETA Notifier",
    "Yard Monitor",
    "Load Board",
    "Invoice Sync",
    "Customs Broker Link",
    "Parcel Lookup",
    "Cold Chain Sensor Feed",
    "Driver App",
    "Warehouse Bridge",
    "Order Intake",
    "Returns Desk",
    "Pallet Counter",
    "Port Call Watch",
    "Rail Tracker",
    "Last Mile Map",
    "Claims Assistant",
    "Freight Audit",
    "Capacity Forecast",
    "Shipper Dashboard",
    "Label Printer",
    "Fuel Surcharge Bot",
    "Appointment Booker",
    "Trailer Pool",
    "Proof of Delivery",
    "Lane Analytics",
];

const TYPES: &[&str] = &["mobile", "web", "integration"];
const TAGS: &[&str] = &[
    "logistics",
    "tracking,mobile",
    "billing",
    "partner,beta",
    "internal",
];

fn plan(name: &str, description: &str, qps: i64, rate: i64, created: OffsetDateTime) -> Plan {
    Plan {
        id: uuid(),
        name: name.into(),
        description: description.into(),
        qps_limit_ceiling: qps,
        rate_limit_ceiling: rate,
        rate_limit_period: "day",
        created,
    }
}

fn packages() -> Vec<Package> {
    vec![
        Package {
            id: uuid(),
            name: "Shipment Tracking API".into(),
            description: "Live shipment positions and ETAs".into(),
            created: EPOCH,
            shared_secret_length: 10,
            key_length: 24,
            plans: vec![
                plan("Bronze", "Evaluation", 2, 5_000, EPOCH),
                plan("Gold", "Production", 20, 100_000, EPOCH),
            ],
        },
        Package {
            id: uuid(),
            name: "Carrier Rates API".into(),
            description: "Quotes from contracted carriers".into(),
            created: EPOCH + Duration::days(30),
            shared_secret_length: 12,
            key_length: 24,
            plans: vec![
                plan("Trial", "Fourteen-day trial", 1, 1_000, EPOCH),
                plan("Partner", "Contracted partners", 10, 50_000, EPOCH),
            ],
        },
    ]
}

/// The demo area plus `scale` generated applications, keyed like the rest.
pub fn area_with_scale(scale: usize) -> AreaState {
    let members: Vec<Member> = MEMBERS
        .iter()
        .enumerate()
        .map(|(i, (username, email, display, status))| {
            let at = EPOCH + Duration::days(wide(i));
            let mut props = Map::new();
            props.insert("email".into(), json!(email));
            props.insert("displayName".into(), json!(display));
            props.insert("company".into(), json!(display));
            props.insert("areaStatus".into(), json!(status));
            Member {
                id: uuid(),
                username: (*username).into(),
                created: at,
                updated: at,
                props,
            }
        })
        .collect();
    let packages = packages();
    let mut applications = Vec::new();
    let mut keys = Vec::new();
    let statuses = [KeyStatus::Active, KeyStatus::Waiting, KeyStatus::Disabled];
    let names = APPS
        .iter()
        .map(|name| (*name).to_owned())
        .chain((0..scale).map(|n| format!("Scale application {n:06}")));
    for (i, name) in names.enumerate() {
        let owner = &members[i % members.len()];
        // Generated applications reuse the demo's thousand-day spread, so a
        // large scale stays within the calendar.
        let step = wide(i % 1_000);
        let created = EPOCH + Duration::days(3 * step) + Duration::minutes(17 * step);
        let updated = created + Duration::days(1);
        let mut props: Map<String, Value> = Map::new();
        props.insert("name".into(), json!(name));
        props.insert("username".into(), json!(owner.username));
        props.insert(
            "description".into(),
            json!(format!(
                "{name} for {}",
                owner.props["displayName"].as_str().unwrap_or_default()
            )),
        );
        props.insert("type".into(), json!(TYPES[i % TYPES.len()]));
        props.insert("commercial".into(), json!(i % 2 == 0));
        props.insert("ads".into(), json!(false));
        props.insert("usageModel".into(), json!("per-call"));
        props.insert("tags".into(), json!(TAGS[i % TAGS.len()]));
        props.insert("preferredProtocol".into(), json!("REST"));
        props.insert("preferredOutput".into(), json!("json"));
        props.insert(
            "uri".into(),
            json!(format!(
                "https://{}.example",
                name.to_lowercase().replace(' ', "-")
            )),
        );
        let id = uuid();
        let count = if i % 5 == 0 {
            2
        } else {
            usize::from(i % 3 != 2)
        };
        for j in 0..count {
            let package = &packages[(i + j) % packages.len()];
            let plan = &package.plans[j % package.plans.len()];
            keys.push(PackageKey {
                id: uuid(),
                apikey: random_from(LOWER_ALNUM, package.key_length),
                secret: random_from(MIXED_ALNUM, package.shared_secret_length),
                created: updated,
                updated,
                application_id: id.clone(),
                package_id: package.id.clone(),
                plan_id: plan.id.clone(),
                status: statuses[keys.len() % statuses.len()],
                rate_limit_ceiling: None,
                rate_limit_exempt: false,
                qps_limit_ceiling: (j == 1).then_some(5),
                qps_limit_exempt: false,
                expires: None,
            });
        }
        applications.push(Application {
            id,
            created,
            updated,
            props,
            eav: Map::new(),
        });
    }
    AreaState {
        area_uuid: AREA_UUID.into(),
        api_keys: vec![
            ApiKey::new(
                DEMO_API_KEY,
                DEMO_API_SECRET,
                DEFAULT_QPS,
                DEFAULT_DAILY_QUOTA,
            ),
            ApiKey::new(
                QUOTA_API_KEY,
                QUOTA_API_SECRET,
                DEFAULT_QPS,
                QUOTA_DAILY_CALLS,
            ),
        ],
        users: vec![User {
            username: DEMO_USERNAME.into(),
            password: DEMO_PASSWORD.into(),
        }],
        tokens: HashMap::new(),
        refresh: HashMap::new(),
        members,
        applications: Applications::new(applications),
        packages,
        keys,
    }
}

/// A seed index as a signed count; seed sizes are far below `i64::MAX`.
fn wide(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
