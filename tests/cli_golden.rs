//! The command line's JSON contract. Every kind the command line offers
//! on every platform, with every verb, runs against one `portico sim`;
//! its exit code is asserted, and its `-o json`, normalised, is compared
//! with `tests/golden/cli/<platform>/<kind>-<verb>.json`. The verbs a
//! platform lacks are kept, with their exit codes, in
//! `tests/golden/cli/<platform>/unsupported.json`, so the matrix can
//! neither grow nor shrink unnoticed.
//!
//! `PORTICO_BLESS=1 cargo test --test cli_golden` rewrites the files and
//! removes the ones no case produces any more.
//!
//! Normalising keeps every field name and the type of every value: only
//! volatile values become placeholders (`"<id>"`, `"<time>"`,
//! `"<secret>"`, `"<pem>"`, `"<fingerprint>"`, `"<port>"` inside a
//! string, and `"<time:number>"` for a timestamp sent as a number). A
//! list's golden holds the first row of its kind, and every other row
//! must have the same keys; `get` prints an array of one record, as a
//! list does. Across platforms, the documents of one verb have the same
//! top-level keys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use clap::Subcommand;
use portico::cli::{Exit, Noun, slug};
use portico::config::PlatformKind;
use portico::model::{Kind, Pane};
use portico::platform::{Capabilities, Field, Input, PaneBody, Rotation};
use serde_json::{Map, Value};
use support::sim::Standalone;

const BIN: &str = env!("CARGO_BIN_EXE_portico");

/// The verbs in the order they run on one kind: reads first, changes to
/// the listed resource next, then a create and the delete of what it made.
const VERBS: [&str; 8] = [
    "list", "get", "update", "disable", "enable", "rotate", "create", "delete",
];

fn golden_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/cli")
}

const fn code(exit: Exit) -> i32 {
    exit as i32
}

/// Whether the platform offers `verb` on `kind`, read from the same
/// capabilities the command line checks before it sends anything.
fn supported(caps: &Capabilities, kind: Kind, verb: &str) -> bool {
    let spec = caps.kind(kind);
    match verb {
        "list" | "get" => true,
        "create" => {
            Pane::ALL
                .iter()
                .any(|p| caps.pane(*p).creates().contains(&kind))
                && spec.is_some_and(|s| s.create.is_some())
        }
        "update" => spec.is_some_and(|s| s.edit.is_some()),
        "delete" => spec.is_some_and(|s| s.delete),
        "rotate" => spec.is_some_and(|s| !matches!(s.rotate, Rotation::Unsupported(_))),
        "enable" | "disable" => spec.is_some_and(|s| s.toggle.is_some()),
        other => panic!("the verb {other:?} has no rule in this test: add one"),
    }
}

/// The exit code of a verb the platform lacks: 1, or 2 when `--type`
/// names a kind the noun does not create here though it creates others.
fn unsupported_exit(caps: &Capabilities, noun: Noun, verb: &str) -> i32 {
    let creates_other = noun.kinds().iter().any(|k| supported(caps, *k, "create"));
    if verb == "create" && creates_other {
        code(Exit::Usage)
    } else {
        code(Exit::Failure)
    }
}

/// The command line's own grammar: each noun's verbs as clap knows them.
fn grammar() -> BTreeMap<String, BTreeSet<String>> {
    let cmd = portico::cli::Command::augment_subcommands(clap::Command::new("portico"));
    cmd.get_subcommands()
        .filter(|c| c.get_subcommands().any(|v| v.get_name() == "create"))
        .map(|c| {
            let verbs = c
                .get_subcommands()
                .map(|v| v.get_name().to_string())
                .collect();
            (c.get_name().to_string(), verbs)
        })
        .collect()
}

struct Sim {
    _simulator: Standalone,
    dir: tempfile::TempDir,
    config: PathBuf,
    text: String,
}

/// One simulator for every platform. Mashery's gateway counts 2 calls a
/// second for the demo key; its simulator control lifts that so a crawl
/// takes milliseconds, and the config paces the adapter to match.
fn sim() -> Sim {
    let simulator = Standalone::start(&[]);
    let text = simulator.config().replace("\nqps = 2\n", "\nqps = 1000\n");
    let mashery = base_url(&text, "mashery");
    let addr = mashery
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host")
        .to_string();
    let path = format!(
        "/{}/_sim/limits",
        mashery
            .trim_start_matches("http://")
            .split_once('/')
            .map_or("", |(_, p)| p)
    );
    let body = r#"{"qps":100000,"dailyQuota":100000000}"#;
    let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
    write!(
        stream,
        "PUT {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, &text).expect("write config");
    Sim {
        _simulator: simulator,
        dir,
        config,
        text,
    }
}

/// The config's tenant blocks as (name, platform, `base_url`).
fn tenants(text: &str) -> Vec<(String, String, String)> {
    let value = |block: &str, key: &str| {
        block
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
            .map(|v| v.trim_end_matches('"').to_string())
    };
    text.split("[[tenants]]")
        .skip(1)
        .filter_map(|b| {
            Some((
                value(b, "name")?,
                value(b, "platform")?,
                value(b, "base_url")?,
            ))
        })
        .collect()
}

fn base_url(text: &str, platform: &str) -> String {
    tenants(text)
        .into_iter()
        .find(|(_, p, _)| p == platform)
        .map_or_else(
            || panic!("no {platform} tenant in the simulator's config"),
            |(_, _, url)| url,
        )
}

impl Sim {
    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env("PORTICO_DATA_DIR", self.dir.path().join("data"))
            .env("PORTICO_SECRET_STORE", "file")
            .stdin(Stdio::null())
            .output()
            .expect("run portico")
    }
}

/// What one platform's cases produced.
#[derive(Default)]
struct Results {
    goldens: BTreeMap<String, Value>,
    unsupported: BTreeMap<String, i32>,
    failures: Vec<String>,
}

/// The resource a verb acts on.
#[derive(Clone)]
struct Target {
    id: String,
    name: String,
    parent: Option<String>,
    details: Map<String, Value>,
}

impl Target {
    fn of(row: &Value) -> Self {
        Self {
            id: row["id"].as_str().unwrap_or_default().to_string(),
            name: row["name"].as_str().unwrap_or_default().to_string(),
            parent: row["parent"].as_str().map(str::to_string),
            details: row["details"].as_object().cloned().unwrap_or_default(),
        }
    }

    /// What `--confirm` must say: the name, or the id of a nameless one.
    fn confirm(&self) -> &str {
        portico::app::confirmation_text(&self.name, &self.id)
    }
}

fn renewed_fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/certs/losant-fidelity-device-renewed.pem")
        .display()
        .to_string()
}

fn pem_fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/certs/losant-fidelity-device.pem")
        .display()
        .to_string()
}

/// A value the console's form accepts for `field`, for a create or update.
fn value_for(field: &Field, kind: Kind, sample: Option<&Target>) -> Option<String> {
    let value = match field.input {
        Input::Text | Input::List if field.key == "name" => format!("Golden {}", slug(kind)),
        Input::Text if field.key.contains("color") => "#336699".into(),
        Input::Text | Input::List => "golden".into(),
        Input::Date => "2031-01-15".into(),
        Input::Choice(choices) => (*choices.first()?).to_string(),
        Input::Pem | Input::Path => pem_fixture(),
        // Offered choices come from the server; a listed resource of the
        // same kind holds one (Mashery offers "package / plan").
        Input::Offered => {
            let details = &sample?.details;
            let own = details.get(field.key)?.as_str()?;
            match details.get("package").and_then(Value::as_str) {
                Some(package) => format!("{package} / {own}"),
                None => own.to_string(),
            }
        }
        Input::Row(_) => return None,
    };
    Some(match field.max_len {
        Some(max) => value.chars().take(max).collect(),
        None => value,
    })
}

/// The `--set` pairs for a create: the required fields, the name and
/// the description.
fn create_sets(fields: &[Field], kind: Kind, sample: Option<&Target>) -> Vec<String> {
    fields
        .iter()
        .filter(|f| f.required || f.key == "name" || f.key == "description")
        .filter_map(|f| Some(format!("{}={}", f.key, value_for(f, kind, sample)?)))
        .collect()
}

/// One `--set` for an update: the description where there is one, else
/// the first choice, else the first text field.
fn update_set(fields: &[Field], kind: Kind, sample: &Target) -> Option<String> {
    let pick = fields
        .iter()
        .find(|f| f.key == "description")
        .or_else(|| fields.iter().find(|f| matches!(f.input, Input::Choice(_))))
        .or_else(|| fields.iter().find(|f| matches!(f.input, Input::Text)))?;
    Some(format!(
        "{}={}",
        pick.key,
        value_for(pick, kind, Some(sample))?
    ))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The login a tenant block names (`email` or `username`), so the cases
/// never deactivate or delete the account they act as.
fn login(text: &str, tenant: &str) -> Option<String> {
    let block = text
        .split("[[tenants]]")
        .find(|b| b.contains(&format!("name = \"{tenant}\"")))?;
    block.lines().find_map(|l| {
        ["email = \"", "username = \""]
            .iter()
            .find_map(|k| l.strip_prefix(k))
            .map(|v| v.trim_end_matches('"').to_string())
    })
}

/// One platform's tenant and everything its nouns list.
struct Listed {
    tenant: String,
    login: Option<String>,
    rows: Vec<Value>,
}

impl Listed {
    /// The first row of `kind`, passing over the tenant's own login.
    fn target(&self, kind: Kind) -> Option<Target> {
        let own = |r: &Value| {
            self.login.as_ref().is_some_and(|me| {
                r["details"]
                    .as_object()
                    .is_some_and(|d| d.values().any(|v| v == me.as_str()))
            })
        };
        self.of_kind(kind)
            .into_iter()
            .find(|r| !own(r))
            .map(Target::of)
    }

    fn of_kind(&self, kind: Kind) -> Vec<&Value> {
        self.rows
            .iter()
            .filter(|r| r["kind"] == slug(kind).as_str())
            .collect()
    }

    /// A parent to create `kind` under: the listed one's, else the first
    /// row of the pane that scopes it.
    fn parent(&self, caps: &Capabilities, kind: Kind) -> Option<String> {
        if let Some(parent) = self.target(kind).and_then(|t| t.parent) {
            return Some(parent);
        }
        let scope = Pane::ALL.iter().find_map(|p| {
            let spec = caps.pane(*p);
            match spec.body() {
                PaneBody::List {
                    scope: Some(scope), ..
                } if spec.creates().contains(&kind) => Some(*scope),
                _ => None,
            }
        })?;
        let title = caps.pane(scope).title();
        self.rows
            .iter()
            .find(|r| r["pane"] == title)
            .and_then(|r| r["id"].as_str())
            .map(str::to_string)
    }
}

/// Runs every case of one platform in sequence on its first tenant.
fn platform_cases(sim: &Sim, platform: PlatformKind) -> Results {
    let mut results = Results::default();
    let caps = platform.capabilities();
    let (tenant, _, _) = tenants(&sim.text)
        .into_iter()
        .find(|(_, p, _)| p == platform.as_str())
        .unwrap_or_else(|| panic!("{platform}: no tenant in the simulator's config"));
    let mut listed = Listed {
        login: login(&sim.text, &tenant),
        tenant,
        rows: Vec::new(),
    };
    for noun in Noun::ALL {
        let out = sim.run(&[
            "--tenant",
            &listed.tenant,
            noun.word(),
            "list",
            "-o",
            "json",
        ]);
        assert_eq!(
            out.status.code(),
            Some(code(Exit::Ok)),
            "{platform}: {} list: {}",
            noun.word(),
            text(&out.stderr)
        );
        let rows = serde_json::from_slice::<Value>(&out.stdout)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_else(|| panic!("{platform}: {} list is not a JSON array", noun.word()));
        listed.rows.extend(rows);
    }
    for noun in Noun::ALL {
        // The kinds on offer: those the platform describes, and those it
        // lists without describing (Mashery's members).
        for kind in noun.kinds().iter().copied().filter(|k| {
            caps.kind(*k).is_some()
                || Pane::ALL
                    .iter()
                    .any(|p| caps.pane(*p).creates().contains(k))
                || !listed.of_kind(*k).is_empty()
        }) {
            kind_cases(sim, &caps, &listed, noun, kind, &mut results);
        }
    }
    tenant_cases(sim, &listed.tenant, &mut results);
    results
}

/// `tenants list` and `tenants get` for the platform's tenant: read from
/// the config, so the same shape on every platform.
fn tenant_cases(sim: &Sim, tenant: &str, results: &mut Results) {
    for (verb, args) in [
        (
            "list",
            vec!["--tenant", tenant, "tenants", "list", "-o", "json"],
        ),
        ("get", vec!["tenants", "get", tenant, "-o", "json"]),
    ] {
        let out = sim.run(&args);
        let doc = serde_json::from_slice::<Value>(&out.stdout).ok();
        match (out.status.code(), doc) {
            (Some(0), Some(doc)) if doc.as_array().map(Vec::len) == Some(1) => {
                results
                    .goldens
                    .insert(format!("tenant-{verb}"), normalise(&doc));
            }
            (got, _) => results.failures.push(format!(
                "{tenant}: tenants {verb} exited {got:?} with {}{}",
                text(&out.stdout),
                text(&out.stderr)
            )),
        }
    }
}

#[allow(clippy::too_many_lines, reason = "one case per verb, in one place")]
fn kind_cases(
    sim: &Sim,
    caps: &Capabilities,
    all: &Listed,
    noun: Noun,
    kind: Kind,
    results: &mut Results,
) {
    let kind_slug = slug(kind);
    let tenant = all.tenant.as_str();
    let mut rows: Vec<Value> = all.of_kind(kind).into_iter().cloned().collect();
    let mut listed = all.target(kind);
    let mut created: Option<Target> = None;
    let spec = caps.kind(kind);
    // A kind the simulator seeds none of is created first, then listed.
    let mut order = VERBS.to_vec();
    if rows.is_empty() && supported(caps, kind, "create") {
        order.retain(|v| *v != "create");
        order.insert(0, "create");
    }
    for verb in order {
        let case = format!("{kind_slug}-{verb}");
        let about = format!("{tenant}: {case}");
        let target = listed.clone().or_else(|| created.clone());
        let ok = supported(caps, kind, verb);
        let mut args: Vec<String> = vec!["--tenant".into(), tenant.into(), noun.word().into()];
        args.push(verb.into());
        match verb {
            "list" => {
                if rows.is_empty() && created.is_some() {
                    let out = sim.run(&["--tenant", tenant, noun.word(), "list", "-o", "json"]);
                    rows = serde_json::from_slice::<Value>(&out.stdout)
                        .ok()
                        .and_then(|v| v.as_array().cloned())
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|r| r["kind"] == kind_slug.as_str())
                        .collect();
                    listed = rows.first().map(Target::of);
                }
                if rows.is_empty() {
                    results
                        .failures
                        .push(format!("{about}: the simulator lists none to check"));
                    continue;
                }
                let first = normalise(&rows[0]);
                for row in rows.iter().skip(1) {
                    let keys = |v: &Value| -> Vec<String> {
                        v.as_object()
                            .map(|m| m.keys().cloned().collect())
                            .unwrap_or_default()
                    };
                    if keys(row) != keys(&rows[0]) {
                        results.failures.push(format!(
                            "{about}: rows differ in keys: {:?} vs {:?}",
                            keys(row),
                            keys(&rows[0])
                        ));
                    }
                }
                results.goldens.insert(case, Value::Array(vec![first]));
                continue;
            }
            "create" => {
                args.extend(["--type".into(), kind_slug.clone()]);
                if ok {
                    let fields = spec.and_then(|s| s.create.clone()).unwrap_or_default();
                    for set in create_sets(&fields, kind, listed.as_ref()) {
                        args.extend(["--set".into(), set]);
                    }
                    let scoped = Pane::ALL.iter().any(|p| {
                        caps.pane(*p).creates().contains(&kind)
                            && matches!(caps.pane(*p).body(), PaneBody::List { scope: Some(_), .. })
                    });
                    if scoped {
                        let Some(parent) = all.parent(caps, kind) else {
                            results
                                .failures
                                .push(format!("{about}: no listed parent to create under"));
                            continue;
                        };
                        args.extend(["--parent".into(), parent]);
                    }
                }
            }
            _ => {
                // A delete removes what the create made, where it made one.
                let on = if verb == "delete" {
                    created.clone().or_else(|| target.clone())
                } else {
                    target.clone()
                };
                let Some(on) = on else {
                    results
                        .failures
                        .push(format!("{about}: no resource of this kind to act on"));
                    continue;
                };
                args.push(on.id.clone());
                match verb {
                    "update" if ok => {
                        let fields = spec.and_then(|s| s.edit.clone()).unwrap_or_default();
                        let Some(set) = update_set(&fields, kind, &on) else {
                            results
                                .failures
                                .push(format!("{about}: no editable field this test can fill"));
                            continue;
                        };
                        args.extend(["--set".into(), set]);
                    }
                    "delete" => {
                        args.extend(["--yes".into(), "--confirm".into(), on.confirm().into()]);
                    }
                    "rotate" => {
                        args.extend(["--yes".into(), "--confirm".into(), on.confirm().into()]);
                        // A renewal takes new material, as the console's form asks.
                        if let Some(Rotation::Renew { fields, .. }) = spec.map(|s| &s.rotate) {
                            for f in fields.iter().filter(|f| f.required) {
                                let value = match f.input {
                                    Input::Pem | Input::Path => renewed_fixture(),
                                    _ => value_for(f, kind, Some(&on)).unwrap_or_default(),
                                };
                                args.extend(["--set".into(), format!("{}={value}", f.key)]);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        args.extend(["-o".into(), "json".into()]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = sim.run(&argv);
        let got = out.status.code();
        let shown = || {
            format!(
                "portico {}\nstdout: {}\nstderr: {}",
                argv.join(" "),
                text(&out.stdout),
                text(&out.stderr)
            )
        };
        if !ok {
            let want = unsupported_exit(caps, noun, verb);
            if got != Some(want) {
                results.failures.push(format!(
                    "{about}: unsupported, so exit {want} expected, got {got:?}\n{}",
                    shown()
                ));
            } else if !out.stdout.is_empty() {
                results.failures.push(format!(
                    "{about}: a refused verb printed to stdout\n{}",
                    shown()
                ));
            }
            results.unsupported.insert(case, want);
            continue;
        }
        if got != Some(code(Exit::Ok)) {
            results.failures.push(format!(
                "{about}: exit 0 expected, got {got:?}\n{}",
                shown()
            ));
            continue;
        }
        let doc: Value = match serde_json::from_slice(&out.stdout) {
            Ok(doc) => doc,
            Err(e) => {
                results
                    .failures
                    .push(format!("{about}: not JSON ({e})\n{}", shown()));
                continue;
            }
        };
        let issues =
            verb == "rotate" && !matches!(spec.map(|s| &s.rotate), Some(Rotation::Renew { .. }));
        if let Some(problem) = secret_problem(issues, &doc, &out) {
            results.failures.push(format!("{about}: {problem}"));
        }
        if verb == "create" {
            let id = doc["created"].as_str().map(str::to_string);
            created = id.map(|id| Target {
                name: doc["created_name"]
                    .as_str()
                    .map_or_else(|| format!("Golden {kind_slug}"), str::to_string),
                id,
                parent: None,
                details: Map::new(),
            });
        }
        if verb == "get" && doc.as_array().map(Vec::len) != Some(1) {
            results.failures.push(format!(
                "{about}: get prints an array of one record\n{}",
                shown()
            ));
            continue;
        }
        let normal = normalise(&doc);
        let secret = doc["secret"]["value"].as_str().unwrap_or_default();
        if !secret.is_empty() && normal.to_string().contains(secret) {
            results
                .failures
                .push(format!("{about}: the secret survived normalising"));
            continue;
        }
        results.goldens.insert(case, normal);
    }
}

/// A change that issued a secret printed it (stdout is a pipe) and kept
/// it off stderr; a rotation that is no renewal must issue one.
fn secret_problem(issues: bool, doc: &Value, out: &Output) -> Option<String> {
    let secret = &doc["secret"];
    if secret.is_null() {
        return issues.then(|| "a rotate reported no secret".to_string());
    }
    let Some(value) = secret["value"].as_str() else {
        return Some(format!("the secret was not printed to a pipe: {secret}"));
    };
    if value.is_empty() {
        return Some("the printed secret is empty".into());
    }
    text(&out.stderr)
        .contains(value)
        .then(|| "the secret reached stderr".to_string())
}

fn normalise(value: &Value) -> Value {
    walk(value, &[])
}

fn walk(value: &Value, path: &[&str]) -> Value {
    let key = path.last().copied().unwrap_or_default();
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let mut inner = path.to_vec();
                    inner.push(k);
                    (k.clone(), walk(v, &inner))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| walk(v, path)).collect()),
        Value::String(_) if key == "value" && path.iter().rev().nth(1) == Some(&"secret") => {
            Value::String("<secret>".into())
        }
        Value::String(s) => Value::String(string(key, s)),
        Value::Number(_) if timeish(key) => Value::String("<time:number>".into()),
        other => other.clone(),
    }
}

fn timeish(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.ends_with("at")
        || lower.contains("date")
        || lower.contains("time")
        || lower.contains("created")
        || lower.contains("updated")
        || lower.contains("expir")
}

fn idish_key(key: &str) -> bool {
    matches!(
        key,
        "id" | "parent" | "created" | "public_id" | "apikey" | "key"
    ) || key.ends_with("Id")
        || key.ends_with("_id")
        || key.ends_with("ID")
}

fn string(key: &str, s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    if s.contains("-----BEGIN") {
        return "<pem>".into();
    }
    if key.to_ascii_lowercase().contains("fingerprint") || fingerprint(s) {
        return "<fingerprint>".into();
    }
    if time(s) {
        return "<time>".into();
    }
    if idish_key(key) || id(s) {
        return "<id>".into();
    }
    // Volatile words inside prose and compound values ("serial 5f3a...,
    // SHA-256 AB:CD:...", "app-5drf...@client-applications...").
    let s = ports(s);
    let mut out = String::new();
    let mut run = String::new();
    let word = |c: char| c.is_ascii_alphanumeric() || "-_:.+".contains(c);
    for c in s.chars().chain(std::iter::once('\0')) {
        if word(c) {
            run.push(c);
            continue;
        }
        let core = run.trim_end_matches(['.', ':']);
        let tail = &run[core.len()..];
        if time(core) {
            out.push_str("<time>");
        } else if fingerprint(core) {
            out.push_str("<fingerprint>");
        } else if id(core) {
            out.push_str("<id>");
        } else {
            out.push_str(core);
        }
        out.push_str(tail);
        run.clear();
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

/// `127.0.0.1:PORT` becomes `127.0.0.1:<port>`: the simulator's port is
/// picked anew on every run.
fn ports(s: &str) -> String {
    let Some(at) = s.find("127.0.0.1:") else {
        return s.to_string();
    };
    let start = at + "127.0.0.1:".len();
    let digits = s[start..].chars().take_while(char::is_ascii_digit).count();
    format!("{}<port>{}", &s[..start], &s[start + digits..])
}

fn time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || matches!(b[10], b'T' | b' '))
}

fn fingerprint(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() >= 8
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A generated identifier: a UUID, a long hex string, or a long token of
/// letters mixed with digits.
fn id(s: &str) -> bool {
    let hexish = s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let letters = s.chars().filter(char::is_ascii_alphabetic).count();
    let tokenish = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    (hexish && s.len() >= 12 && digits > 0)
        || (tokenish && s.len() >= 16 && digits > 0 && letters > 0)
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("json");
    text.push('\n');
    text
}

/// A line diff of the golden (`-`) and what the command printed (`+`),
/// with two lines of context.
fn diff(want: &str, got: &str) -> String {
    let a: Vec<&str> = want.lines().collect();
    let b: Vec<&str> = got.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            lines.push(('-', a[i]));
            i += 1;
        } else {
            lines.push(('+', b[j]));
            j += 1;
        }
    }
    let near = |at: usize| {
        lines[at.saturating_sub(2)..(at + 3).min(lines.len())]
            .iter()
            .any(|(m, _)| *m != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (at, (mark, line)) in lines.iter().enumerate() {
        if near(at) {
            let _ = writeln!(out, "{mark} {line}");
            skipped = false;
        } else if !skipped {
            out.push_str("  ...\n");
            skipped = true;
        }
    }
    out
}

/// The keys of a document: an array's first record, or the object's.
fn top_keys(doc: &Value) -> BTreeSet<String> {
    let doc = if doc.is_array() { &doc[0] } else { doc };
    doc.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn every_kind_and_verb_on_every_platform_matches_its_golden_file() {
    // The matrix comes from the command line's grammar: a new noun or verb
    // must reach this test.
    let words: BTreeSet<String> = Noun::ALL.iter().map(|n| n.word().to_string()).collect();
    let grammar = grammar();
    assert_eq!(
        grammar.keys().cloned().collect::<BTreeSet<_>>(),
        words,
        "the nouns with verbs are Noun::ALL"
    );
    let verbs: BTreeSet<String> = VERBS.iter().map(|v| (*v).to_string()).collect();
    for (noun, theirs) in &grammar {
        assert_eq!(theirs, &verbs, "{noun}'s verbs");
    }

    let sim = sim();
    let platforms: Vec<PlatformKind> = PlatformKind::all().collect();
    let results: Vec<(PlatformKind, Results)> = std::thread::scope(|s| {
        #[allow(
            clippy::needless_collect,
            reason = "every platform starts before the first is joined"
        )]
        let handles: Vec<_> = platforms
            .iter()
            .map(|p| (*p, s.spawn(|| platform_cases(&sim, *p))))
            .collect();
        handles
            .into_iter()
            .map(|(p, h)| (p, h.join().expect("a platform's cases panicked")))
            .collect()
    });

    let bless = std::env::var_os("PORTICO_BLESS").is_some();
    let mut failures: Vec<String> = Vec::new();
    let mut shapes: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (platform, mut result) in results {
        failures.append(&mut result.failures);
        let dir = golden_root().join(platform.as_str());
        let mut files: BTreeMap<String, String> = result
            .goldens
            .iter()
            .map(|(case, doc)| (format!("{case}.json"), pretty(doc)))
            .collect();
        files.insert(
            "unsupported.json".into(),
            pretty(&serde_json::to_value(&result.unsupported).expect("json")),
        );
        for (case, doc) in &result.goldens {
            let verb = case.rsplit('-').next().unwrap_or_default();
            // Tenants come from the config, not the platform: a shape of their own.
            let group = if case.starts_with("tenant-") {
                format!("tenants {verb}")
            } else {
                verb.to_string()
            };
            shapes
                .entry(group)
                .or_default()
                .insert(format!("{platform}/{case}"), top_keys(doc));
            if verb == "get" && !case.starts_with("tenant-") && !doc[0]["raw"].is_object() {
                failures.push(format!("{platform}/{case}: raw is not a document"));
            }
            if doc["secret"].get("value").is_some_and(|v| v != "<secret>") {
                failures.push(format!(
                    "{platform}/{case}: a secret value is not a placeholder"
                ));
            }
        }
        if bless {
            std::fs::create_dir_all(&dir).expect("golden dir");
        }
        let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        for stale in on_disk.iter().filter(|f| !files.contains_key(*f)) {
            if bless {
                std::fs::remove_file(dir.join(stale)).expect("remove a stale golden");
            } else {
                failures.push(format!(
                    "{platform}/{stale}: no case produces it any more (the matrix shrank?)"
                ));
            }
        }
        for (file, got) in &files {
            let path = dir.join(file);
            let want = std::fs::read_to_string(&path).ok();
            if want.as_deref() == Some(got.as_str()) {
                continue;
            }
            if bless {
                std::fs::write(&path, got).expect("write a golden");
            } else if let Some(want) = want {
                failures.push(format!(
                    "{platform}/{file} differs (- golden, + now):\n{}",
                    diff(&want, got)
                ));
            } else {
                failures.push(format!("{platform}/{file}: no golden file yet"));
            }
        }
    }
    // One schema across platforms: the same top-level keys for a verb.
    for (verb, by_case) in &shapes {
        let distinct: BTreeSet<&BTreeSet<String>> = by_case.values().collect();
        if distinct.len() > 1 {
            failures.push(format!(
                "{verb}: the platforms disagree on the top-level keys: {by_case:#?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s); PORTICO_BLESS=1 cargo test --test cli_golden rewrites the golden files:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn normalising_keeps_names_and_types_and_hides_what_varies() {
    let doc = serde_json::json!({
        "id": "5f3a9c0e1d2b4a6f8e7c9d0b",
        "name": "Carrier Sync",
        "count": 3,
        "createdAt": 1_764_000_000_000_i64,
        "expires": "2026-12-01T19:15:06Z",
        "summary": "rotated 5f3a9c0e1d2b4a6f8e7c9d0b on http://127.0.0.1:40123/x",
        "secret": {"label": "client secret", "value": "Qw3rTy-the-secret", "stored": true},
        "cert": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        "sha1": "AB:CD:EF:01:23:45:67:89:AB:CD",
        "about": "app-5drfxrb8ZjmukvB6QSdZT7ZP@clients.example, SHA-256 AB:CD:EF:01:23:45:67:89.",
        "active": true,
        "checks": [],
    });
    assert_eq!(
        normalise(&doc),
        serde_json::json!({
            "id": "<id>",
            "name": "Carrier Sync",
            "count": 3,
            "createdAt": "<time:number>",
            "expires": "<time>",
            "summary": "rotated <id> on http://127.0.0.1:<port>/x",
            "secret": {"label": "client secret", "value": "<secret>", "stored": true},
            "cert": "<pem>",
            "sha1": "<fingerprint>",
            "about": "<id>@clients.example, SHA-256 <fingerprint>.",
            "active": true,
            "checks": [],
        })
    );
    let golden = "a\nb\nc\nd\ne\nf\n";
    assert_eq!(
        diff(golden, "a\nb\nc\nD\ne\nf\n"),
        "  ...\n  b\n  c\n- d\n+ D\n  e\n  f\n"
    );
}
