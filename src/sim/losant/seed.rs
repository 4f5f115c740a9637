//! The demo tenant every simulator starts with: three applications with
//! real certificates (rcgen), one certificate authority and access keys.
//!
//! Validity windows are relative to start-up so the demo always shows
//! certificates valid for over a year, three expiring within 30 days
//! (5, 12 and 25 days) and exactly one that has already expired.

use std::collections::HashMap;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use serde_json::{Map, Value, json};
use time::{Duration, OffsetDateTime};

use super::auth::{Actor, DEMO_EMAIL, DEMO_PASSWORD};
use super::certs;
use super::format::{now, object_id, random_hex};
use super::keys;
use super::state::{Application, Authority, Certificate, Device, Meta, TenantState, User};

const fn days(n: i64) -> Duration {
    Duration::days(n)
}

fn props(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn ca_params(cn: &str, from: OffsetDateTime, to: OffsetDateTime) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name
        .push(DnType::OrganizationName, "Portico Demo Logistics");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.not_before = from;
    p.not_after = to;
    p
}

fn self_signed_ca(
    cn: &str,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<CertifiedIssuer<'static, KeyPair>, rcgen::Error> {
    CertifiedIssuer::self_signed(ca_params(cn, from, to), KeyPair::generate()?)
}

/// A device certificate's PEM, signed by `issuer`.
fn device_pem(
    cn: &str,
    issuer: &Issuer<'_, KeyPair>,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<String, rcgen::Error> {
    let mut p = CertificateParams::new(vec![cn.to_string()])?;
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name
        .push(DnType::OrganizationName, "Portico Demo Logistics");
    p.not_before = from;
    p.not_after = to;
    let key = KeyPair::generate()?;
    Ok(p.signed_by(&key, issuer)?.pem())
}

struct DemoCert {
    cn: &'static str,
    description: &'static str,
    /// Days from now; negative is in the past.
    valid_from: i64,
    valid_to: i64,
    status: &'static str,
}

fn add_certificates(
    app: &mut Application,
    issuer: &Issuer<'_, KeyPair>,
    list: &[DemoCert],
    at: OffsetDateTime,
) {
    for c in list {
        let pem = match device_pem(c.cn, issuer, at + days(c.valid_from), at + days(c.valid_to)) {
            Ok(pem) => pem,
            Err(err) => {
                tracing::warn!("losant seed: cannot make {}: {err}", c.cn);
                continue;
            }
        };
        let info = match certs::parse_single(&pem) {
            Ok(info) => info,
            Err(err) => {
                tracing::warn!("losant seed: {} does not parse: {err}", c.cn);
                continue;
            }
        };
        // Uploaded a day after issue, and never in the future.
        let created = (at + days(c.valid_from + 1)).min(at - Duration::hours(2));
        app.certificates.push(Certificate {
            meta: Meta::new(created),
            application_id: app.meta.id.clone(),
            props: props(&[
                ("status", json!(c.status)),
                ("description", json!(c.description)),
                ("certificate", json!(pem)),
                ("filterType", json!("all")),
                ("pubTopics", json!([])),
                ("subTopics", json!([])),
            ]),
            info,
        });
    }
}

fn application(
    owner: &str,
    created: OffsetDateTime,
    name: &str,
    description: &str,
    slug: &str,
) -> Application {
    Application {
        meta: Meta::new(created),
        owner_id: owner.to_string(),
        props: props(&[
            ("name", json!(name)),
            ("description", json!(description)),
            ("endpointSlug", json!(slug)),
            ("appliedTemplateIds", json!([])),
            ("globals", json!([])),
        ]),
        certificates: Vec::new(),
        authorities: Vec::new(),
        keys: Vec::new(),
        tokens: Vec::new(),
        devices: Vec::new(),
    }
}

fn add_key(
    app: &mut Application,
    by: &Actor,
    created: OffsetDateTime,
    status: &str,
    extra: &[(&str, Value)],
) {
    let mut p = props(&[
        ("status", json!(status)),
        ("filterType", json!("all")),
        ("pubTopics", json!([])),
        ("subTopics", json!([])),
    ]);
    p.extend(props(extra));
    // The demo secrets are thrown away: like real ones, they were shown once.
    let (mut key, _secret) = keys::mint(&app.meta.id, by, p, created);
    if status == "inactive" {
        key.meta.updated = created + days(90);
    }
    app.keys.push(key);
}

/// `scale` generated applications: one in ten holds a copy of `sample`
/// (a certificate made once, so seeding costs no key generation per row)
/// and one in four an access key.
fn scaled(
    owner: &str,
    by: &Actor,
    at: OffsetDateTime,
    sample: Option<&Certificate>,
    scale: usize,
) -> Vec<Application> {
    (0..scale)
        .map(|n| {
            // A second apart, wrapping daily, so any scale stays in range.
            let created = at - days(30) + Duration::seconds(wide(n % 86_400));
            let mut app = application(
                owner,
                created,
                &format!("Scale application {n:06}"),
                "Generated for load",
                &format!("scale-application-{n:06}"),
            );
            if let Some(cert) = sample.filter(|_| n % 10 == 0) {
                app.certificates.push(Certificate {
                    meta: Meta::new(created),
                    application_id: app.meta.id.clone(),
                    props: cert.props.clone(),
                    info: cert.info.clone(),
                });
            }
            if n % 4 == 0 {
                add_key(
                    &mut app,
                    by,
                    created,
                    "active",
                    &[("description", json!("Generated for load"))],
                );
            }
            app
        })
        .collect()
}

/// The demo tenant plus `scale` generated applications.
pub fn tenant_with_scale(scale: usize) -> TenantState {
    let at = now();
    let user_id = object_id(at - days(700));
    let user = Actor::User(user_id.clone());

    let mut cold = application(
        &user_id,
        at - days(420),
        "Cold Chain Monitoring",
        "Reefer container and cold-room temperatures for the Rotterdam distribution centre",
        "cold-chain-monitoring",
    );
    let mut fleet = application(
        &user_id,
        at - days(380),
        "Fleet Telematics",
        "GPS, CAN bus and driver-behaviour data from the delivery van fleet",
        "fleet-telematics",
    );
    let mut energy = application(
        &user_id,
        at - days(60),
        "Smart Building Energy",
        "Sub-metering and HVAC telemetry for the head office",
        "smart-building-energy",
    );

    // Cold chain devices chain up to an uploaded two-certificate CA bundle.
    let pki =
        self_signed_ca("Portico Demo Root CA", at - days(1100), at + days(2550)).and_then(|root| {
            let issuing = CertifiedIssuer::signed_by(
                ca_params(
                    "Cold Chain Device Issuing CA",
                    at - days(730),
                    at + days(1095),
                ),
                KeyPair::generate()?,
                &root,
            )?;
            Ok((root, issuing))
        });
    match pki {
        Ok((root, issuing)) => {
            let bundle = format!("{}{}", root.pem(), issuing.pem());
            match certs::parse_bundle(&bundle) {
                Ok(info) => {
                    let created = at - days(410);
                    cold.authorities.push(Authority {
                        meta: Meta::new(created),
                        application_id: cold.meta.id.clone(),
                        props: props(&[
                            ("name", json!("Cold Chain device PKI")),
                            ("status", json!("active")),
                            (
                                "description",
                                json!("Root and issuing CA for reefer gateways and cold-room hubs"),
                            ),
                            ("caBundle", json!(bundle)),
                        ]),
                        info,
                    });
                }
                Err(err) => tracing::warn!("losant seed: CA bundle does not parse: {err}"),
            }
            add_certificates(
                &mut cold,
                &issuing,
                &[
                    DemoCert {
                        cn: "reefer-gw-0001.coldchain.portico.demo",
                        description: "Reefer gateway, container MSKU 804211-3",
                        valid_from: -300,
                        valid_to: 430,
                        status: "active",
                    },
                    DemoCert {
                        cn: "reefer-gw-0002.coldchain.portico.demo",
                        description: "Reefer gateway, container MSKU 771902-6",
                        valid_from: -360,
                        valid_to: 5,
                        status: "active",
                    },
                    DemoCert {
                        cn: "coldroom-hub-07.coldchain.portico.demo",
                        description: "Cold-room sensor hub, hall 7",
                        valid_from: -340,
                        valid_to: 25,
                        status: "active",
                    },
                    DemoCert {
                        cn: "reefer-gw-0009.coldchain.portico.demo",
                        description: "Reefer gateway, container TGHU 520113-0 (off hire)",
                        valid_from: -400,
                        valid_to: -14,
                        status: "active",
                    },
                    DemoCert {
                        cn: "blast-freezer-02.coldchain.portico.demo",
                        description: "Blast freezer controller, line 2",
                        valid_from: -30,
                        valid_to: 760,
                        status: "active",
                    },
                ],
                at,
            );
        }
        Err(err) => tracing::warn!("losant seed: cannot make the demo CA: {err}"),
    }

    match self_signed_ca(
        "Fleet Telematics Device CA",
        at - days(800),
        at + days(1800),
    ) {
        Ok(ca) => add_certificates(
            &mut fleet,
            &ca,
            &[
                DemoCert {
                    cn: "van-0142.fleet.portico.demo",
                    description: "In-cab gateway, van 142 (Utrecht depot)",
                    valid_from: -200,
                    valid_to: 395,
                    status: "active",
                },
                DemoCert {
                    cn: "van-0187.fleet.portico.demo",
                    description: "In-cab gateway, van 187 (Antwerp depot)",
                    valid_from: -353,
                    valid_to: 12,
                    status: "active",
                },
                DemoCert {
                    cn: "obd-bridge-03.fleet.portico.demo",
                    description: "Workshop OBD-II bridge (spare, not deployed)",
                    valid_from: -10,
                    valid_to: 720,
                    status: "inactive",
                },
            ],
            at,
        ),
        Err(err) => tracing::warn!("losant seed: cannot make the fleet CA: {err}"),
    }

    match self_signed_ca("Head Office BMS CA", at - days(70), at + days(3580)) {
        Ok(ca) => add_certificates(
            &mut energy,
            &ca,
            &[
                DemoCert {
                    cn: "bms-bridge-01.energy.portico.demo",
                    description: "BACnet to MQTT bridge, plant room",
                    valid_from: -50,
                    valid_to: 680,
                    status: "active",
                },
                DemoCert {
                    cn: "submeter-gw-02.energy.portico.demo",
                    description: "Sub-metering gateway, floors 3 to 5",
                    valid_from: -45,
                    valid_to: 685,
                    status: "active",
                },
            ],
            at,
        ),
        Err(err) => tracing::warn!("losant seed: cannot make the energy CA: {err}"),
    }

    add_key(
        &mut cold,
        &user,
        at - days(400),
        "inactive",
        &[
            ("name", json!("Legacy LoRaWAN bridge")),
            (
                "description",
                json!("Replaced by direct MQTT gateways; kept for rollback"),
            ),
        ],
    );
    add_key(
        &mut cold,
        &user,
        at - days(160),
        "active",
        &[
            ("name", json!("Reefer gateway provisioning")),
            (
                "description",
                json!("Used by the bootstrap script that registers new reefer units"),
            ),
        ],
    );
    add_key(
        &mut fleet,
        &user,
        at - days(370),
        "active",
        &[
            ("name", json!("Van gateway fleet")),
            (
                "description",
                json!("Shared key for the in-cab telematics gateways"),
            ),
        ],
    );
    add_key(
        &mut fleet,
        &user,
        at - days(40),
        "active",
        &[
            ("name", json!("Route planner integration")),
            (
                "description",
                json!("Publishes planned routes to the vans; subscribes to nothing"),
            ),
            ("filterType", json!("none")),
            ("pubTopics", json!(["fleet/routes/+/planned"])),
            ("subTopics", json!([])),
        ],
    );

    for (app, devices) in [
        (
            &mut cold,
            &[
                ("Reefer MSKU 804211-3", "gateway", "site", "rotterdam"),
                ("Cold room hall 7", "standalone", "site", "rotterdam"),
            ][..],
        ),
        (
            &mut fleet,
            &[
                ("Van 0142", "gateway", "fleet", "vans"),
                ("Van 0187", "gateway", "fleet", "vans"),
                ("Workshop OBD bridge", "standalone", "fleet", "workshop"),
            ][..],
        ),
        (
            &mut energy,
            &[("Plant room BMS bridge", "gateway", "floor", "basement")][..],
        ),
    ] {
        for (i, (name, class, tag, value)) in devices.iter().enumerate() {
            app.devices.push(Device {
                id: object_id(at - days(300 - wide(i))),
                name: (*name).to_string(),
                device_class: class,
                tags: vec![((*tag).to_string(), (*value).to_string())],
            });
        }
    }

    let generated = scaled(&user_id, &user, at, cold.certificates.first(), scale);
    let mut applications = vec![cold, fleet, energy];
    applications.extend(generated);
    TenantState {
        user: User {
            id: user_id,
            email: DEMO_EMAIL.to_string(),
            password: DEMO_PASSWORD.to_string(),
        },
        signing_key: random_hex(32),
        sessions: HashMap::new(),
        applications,
        log: Vec::new(),
    }
}

/// A seed index as a signed count; seed sizes are far below `i64::MAX`.
fn wide(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
