//! `portico <kind> <verb>`: list, get, create, update, delete, rotate,
//! enable and disable, each checked against the platform's capabilities
//! and the same validation and rails as the console.

use std::io::{BufRead, Write};

use serde_json::{Value, json};

use super::args::{Format, Rails, Secrets, ShowSecret, TenantVerb, Verb};
use super::exit::{Exit, Failed};
use super::kinds::{Noun, parse_kind, slug};
use super::output::{Column, Sink, document};
use super::record::{Origin, record};
use super::{Context, everything, pane_title, stdin_is_tty, stdout_is_tty};
use crate::app::{Form, FormField, Intent, confirmation_text, delete_ops, needs_typed_name};
use crate::config::Tenant;
use crate::model::{Change, Kind, Pane};
use crate::platform::crawl::Found;
use crate::platform::{KindSpec, Operation, Outcome, PaneBody, Rotation, Target};
use crate::runtime::{Failure, perform_once};

pub(super) fn format(chosen: Option<Format>) -> Format {
    chosen.unwrap_or_else(|| {
        if stdout_is_tty() {
            Format::Table
        } else {
            Format::Json
        }
    })
}

const COLUMNS: &[Column] = &[
    ("TENANT", "tenant"),
    ("KIND", "kind"),
    ("ID", "id"),
    ("NAME", "name"),
    ("STATE", "state"),
    ("EXPIRES", "expires"),
    ("PARENT", "parent"),
];

pub(super) fn tenants(ctx: &Context, verb: &TenantVerb) -> Result<Exit, Failed> {
    let (out, only) = match verb {
        TenantVerb::List { out } => (out, None),
        TenantVerb::Get { name, out } => (out, Some(name.as_str())),
    };
    let rows: Vec<Value> = ctx
        .tenants()
        .iter()
        .filter(|t| only.is_none_or(|n| t.name() == n))
        .map(|t| {
            json!({
                "name": t.name(),
                "platform": t.platform().as_str(),
                "base_url": t.base_url(),
                "read_only": t.read_only(),
                "protected": t.protected(),
            })
        })
        .collect();
    if let (Some(name), true) = (only, rows.is_empty()) {
        return Err(Failed::new(
            Exit::NotFound,
            format!("no tenant named {name:?}"),
        ));
    }
    let columns = vec![
        ("NAME", "name"),
        ("PLATFORM", "platform"),
        ("BASE URL", "base_url"),
        ("READ-ONLY", "read_only"),
        ("PROTECTED", "protected"),
    ];
    let mut sink = Sink::new(format(out.format), columns, false);
    let stdout = &mut std::io::stdout().lock();
    for row in rows {
        sink.row(stdout, row).map_err(Failed::output)?;
    }
    sink.finish(stdout).map_err(Failed::output)?;
    Ok(Exit::Ok)
}

pub(super) async fn run(ctx: &Context, noun: Noun, verb: &Verb) -> Result<Exit, Failed> {
    let fmt = format(verb.output());
    match verb {
        Verb::List { parent, .. } => list(ctx, noun, parent.as_deref(), fmt).await,
        Verb::Get { resource, .. } => {
            let tenant = ctx.tenant()?;
            let found = resolve(&tenant, noun, resource).await?;
            let title = pane_title(&tenant, &found);
            let mut rec = record(&Origin::of(&tenant, title), &found);
            // One resource: its vendor document is worth the extra GET.
            // Where the platform has none to give, `raw` keeps the fields
            // the adapter read.
            let platform = super::connect(&tenant)
                .await
                .map_err(|e| Failed::platform(tenant.name(), &e))?;
            if let (Ok(doc), Value::Object(map)) =
                (platform.document(&target_of(&found)).await, &mut rec)
            {
                map.insert("raw".into(), crate::app::masked(&doc));
            }
            print_records(fmt, vec![rec])?;
            Ok(Exit::Ok)
        }
        Verb::Create {
            parent,
            kind,
            set,
            secrets,
            ..
        } => {
            create(
                ctx,
                noun,
                parent.as_deref(),
                kind.as_deref(),
                set,
                secrets,
                fmt,
            )
            .await
        }
        Verb::Update { resource, set, .. } => {
            let tenant = writable(ctx)?;
            let (found, spec) = target(&tenant, noun, resource, Change::Edit).await?;
            let fields = spec.edit.clone().ok_or_else(|| {
                Failed::new(
                    Exit::Failure,
                    format!("a {} cannot be edited", found.resource.kind.label()),
                )
            })?;
            let form = form(
                fields,
                set,
                |key| found.resource.detail(key).map(str::to_string),
                Intent::Update {
                    target: target_of(&found),
                },
            )?;
            let op = form.operation().map_err(|p| Failed::new(Exit::Usage, p))?;
            change(ctx, &tenant, vec![op], None, false, fmt).await
        }
        Verb::Delete {
            resource, rails, ..
        } => {
            let tenant = writable(ctx)?;
            let (found, spec) = target(&tenant, noun, resource, Change::Delete).await?;
            if !spec.delete {
                return Err(Failed::new(
                    Exit::Failure,
                    format!("a {} cannot be deleted here", found.resource.kind.label()),
                ));
            }
            guard(&tenant, &found, rails, "delete", spec.delete_typed)?;
            let ops = delete_ops(target_of(&found), &spec, found.resource.is_active());
            change(ctx, &tenant, ops, None, false, fmt).await
        }
        Verb::Rotate {
            resource,
            finish,
            set,
            rails,
            secrets,
            ..
        } => {
            let tenant = writable(ctx)?;
            let (found, spec) = target(&tenant, noun, resource, Change::Rotate).await?;
            if let Rotation::Unsupported(reason) = spec.rotate {
                return Err(Failed::new(
                    Exit::Failure,
                    format!("cannot rotate: {reason}"),
                ));
            }
            guard(&tenant, &found, rails, "rotate", false)?;
            let op = match (&spec.rotate, set.is_empty()) {
                // As the console's renew form does: the new material goes
                // as an update of the same resource.
                (Rotation::Renew { fields, .. }, false) => form(
                    fields.clone(),
                    set,
                    |_| None,
                    Intent::Update {
                        target: target_of(&found),
                    },
                )?
                .operation()
                .map_err(|p| Failed::new(Exit::Usage, p))?,
                (Rotation::Renew { fields, .. }, true) if fields.iter().any(|f| f.required) => {
                    let keys: Vec<String> = fields
                        .iter()
                        .filter(|f| f.required)
                        .map(|f| format!("--set {}=...", f.key))
                        .collect();
                    return Err(Failed::new(
                        Exit::Usage,
                        format!(
                            "a {} is renewed with new material: pass {}",
                            found.resource.kind.label(),
                            keys.join(" ")
                        ),
                    ));
                }
                (_, false) => {
                    return Err(Failed::new(
                        Exit::Usage,
                        "--set is for a renewal; this rotation takes no fields",
                    ));
                }
                (_, true) => Operation::Rotate {
                    target: target_of(&found),
                    previous: None,
                },
            };
            change(ctx, &tenant, vec![op], Some(secrets), *finish, fmt).await
        }
        Verb::Enable { resource, .. } | Verb::Disable { resource, .. } => {
            let active = matches!(verb, Verb::Enable { .. });
            let tenant = writable(ctx)?;
            let (found, spec) = target(&tenant, noun, resource, Change::Toggle).await?;
            if spec.toggle.is_none() {
                return Err(Failed::new(
                    Exit::Failure,
                    format!("a {} has no status to toggle", found.resource.kind.label()),
                ));
            }
            let op = Operation::SetActive {
                target: target_of(&found),
                active,
            };
            change(ctx, &tenant, vec![op], None, false, fmt).await
        }
    }
}

fn print_records(fmt: Format, rows: Vec<Value>) -> Result<(), Failed> {
    let mut sink = Sink::new(fmt, COLUMNS.to_vec(), false);
    let stdout = &mut std::io::stdout().lock();
    for row in rows {
        sink.row(stdout, row).map_err(Failed::output)?;
    }
    sink.finish(stdout).map_err(Failed::output)
}

async fn list(
    ctx: &Context,
    noun: Noun,
    parent: Option<&str>,
    fmt: Format,
) -> Result<Exit, Failed> {
    let tenants = ctx.tenants();
    let results = futures_util::future::join_all(tenants.iter().map(everything)).await;
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for (tenant, result) in tenants.iter().zip(results) {
        match result {
            Ok(found) => {
                let parent_id = parent.map(|p| {
                    found
                        .iter()
                        .find(|f| f.resource.id == p || f.resource.name == p)
                        .map_or_else(|| p.to_string(), |f| f.resource.id.clone())
                });
                for f in &found {
                    let under = parent_id
                        .as_ref()
                        .is_none_or(|p| f.parent.as_ref() == Some(p));
                    if noun.covers(f.resource.kind) && under {
                        rows.push(record(&Origin::of(tenant, pane_title(tenant, f)), f));
                    }
                }
            }
            Err(err) => {
                eprintln!("portico: {}: {err}", tenant.name());
                failures.push(Exit::of(&err));
            }
        }
    }
    print_records(fmt, rows)?;
    Ok(match failures.first() {
        None => Exit::Ok,
        Some(_) if failures.len() < tenants.len() => Exit::Partial,
        Some(first) => *first,
    })
}

/// One resource of the noun's kinds on `tenant`, by id, else exact name.
async fn resolve(tenant: &Tenant, noun: Noun, wanted: &str) -> Result<Found, Failed> {
    let found = everything(tenant)
        .await
        .map_err(|e| Failed::platform(tenant.name(), &e))?;
    let mut of_kind: Vec<Found> = found
        .into_iter()
        .filter(|f| noun.covers(f.resource.kind))
        .collect();
    if let Some(at) = of_kind.iter().position(|f| f.resource.id == wanted) {
        return Ok(of_kind.swap_remove(at));
    }
    let mut named: Vec<Found> = of_kind
        .into_iter()
        .filter(|f| f.resource.name == wanted)
        .collect();
    match named.len() {
        0 => Err(Failed::new(
            Exit::NotFound,
            format!(
                "{}: no {} with id or name {wanted:?}",
                tenant.name(),
                noun.word()
            ),
        )),
        1 => Ok(named.remove(0)),
        n => Err(Failed::new(
            Exit::Usage,
            format!(
                "{}: {n} {} are named {wanted:?}; give the id",
                tenant.name(),
                noun.word()
            ),
        )),
    }
}

/// The resource `wanted` names, with what the platform offers for its
/// kind, refused as the console refuses it when the tenant's credential
/// may not make `change` to it.
async fn target(
    tenant: &Tenant,
    noun: Noun,
    wanted: &str,
    change: Change,
) -> Result<(Found, KindSpec), Failed> {
    let found = resolve(tenant, noun, wanted).await?;
    if let Some(reason) = found.resource.refusal(change) {
        return Err(Failed::new(
            Exit::ReadOnly,
            format!("{}: not allowed: {reason}", tenant.name()),
        ));
    }
    let spec = tenant
        .platform()
        .capabilities()
        .kind(found.resource.kind)
        .cloned()
        .ok_or_else(|| {
            Failed::new(
                Exit::Failure,
                format!(
                    "{} offers nothing for a {}",
                    tenant.platform().label(),
                    found.resource.kind.label()
                ),
            )
        })?;
    Ok((found, spec))
}

fn target_of(found: &Found) -> Target {
    Target {
        kind: found.resource.kind,
        id: found.resource.id.clone(),
        name: found.resource.name.clone(),
        parent: found.parent.clone(),
    }
}

/// The tenant a change goes to, refused at once when it is read-only.
fn writable(ctx: &Context) -> Result<Tenant, Failed> {
    let tenant = ctx.tenant()?;
    if tenant.read_only() {
        return Err(Failed::new(
            Exit::ReadOnly,
            format!("{} is read-only: nothing was changed", tenant.name()),
        ));
    }
    Ok(tenant)
}

/// The console's confirm dialog, as flags: `--yes` when stdin is not a
/// terminal, `--confirm NAME` where the console asks for the name.
fn guard(
    tenant: &Tenant,
    found: &Found,
    rails: &Rails,
    verb: &str,
    always_typed: bool,
) -> Result<(), Failed> {
    let name = &found.resource.name;
    let expected = confirmation_text(name, &found.resource.id);
    let interactive = stdin_is_tty();
    if !rails.yes && !interactive {
        return Err(Failed::new(
            Exit::Usage,
            format!(
                "{verb} {name:?} changes {}: pass --yes to go ahead",
                tenant.name()
            ),
        ));
    }
    if needs_typed_name(tenant.protected(), always_typed) {
        let typed = match &rails.confirm {
            Some(typed) => typed.clone(),
            None if interactive => ask(&format!(
                "Type {expected:?} to {verb} it on {}: ",
                tenant.name()
            ))?,
            None => {
                return Err(Failed::new(
                    Exit::Usage,
                    format!(
                        "{} asks for the name: pass --confirm {expected:?}",
                        tenant.name()
                    ),
                ));
            }
        };
        if typed != expected {
            return Err(Failed::new(
                Exit::Usage,
                format!("--confirm {typed:?} does not match {expected:?}: nothing was changed"),
            ));
        }
    } else if !rails.yes {
        let answer = ask(&format!(
            "{verb} {} {name:?} on {}? [y/N] ",
            found.resource.kind.label(),
            tenant.name()
        ))?;
        if !matches!(answer.as_str(), "y" | "Y" | "yes") {
            return Err(Failed::new(
                Exit::Usage,
                "not confirmed: nothing was changed",
            ));
        }
    }
    Ok(())
}

fn ask(prompt: &str) -> Result<String, Failed> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failed::new(Exit::Failure, format!("cannot read the answer: {e}")))?;
    Ok(line.trim().to_string())
}

/// A form filled from `--set`, checked by the console's own validation.
fn form(
    fields: Vec<crate::platform::Field>,
    set: &[(String, String)],
    initial: impl Fn(&str) -> Option<String>,
    intent: Intent,
) -> Result<Form, Failed> {
    if let Some((unknown, _)) = set.iter().find(|(k, _)| !fields.iter().any(|f| f.key == k)) {
        let keys: Vec<&str> = fields.iter().map(|f| f.key).collect();
        return Err(Failed::new(
            Exit::Usage,
            format!("no field {unknown:?}; the fields are {}", keys.join(", ")),
        ));
    }
    let fields = fields
        .into_iter()
        .map(|f| {
            let given = set
                .iter()
                .rev()
                .find(|(k, _)| k == f.key)
                .map(|(_, v)| v.clone());
            let value = given.or_else(|| initial(f.key)).unwrap_or_default();
            let mut field = FormField::new(f, &value);
            // Multi-line values (a PEM) stay whole, as a paste does.
            if value.contains('\n') {
                field.pasted = Some(value);
            }
            field
        })
        .collect();
    Ok(Form {
        title: String::new(),
        fields,
        focus: 0,
        intent,
        error: None,
        pending: None,
    })
}

async fn create(
    ctx: &Context,
    noun: Noun,
    parent: Option<&str>,
    kind: Option<&str>,
    set: &[(String, String)],
    secrets: &Secrets,
    fmt: Format,
) -> Result<Exit, Failed> {
    let tenant = writable(ctx)?;
    let caps = tenant.platform().capabilities();
    // The panes that create this noun's kinds, as `n` would in the console.
    let mut choices: Vec<(Pane, Kind)> = Vec::new();
    for pane in Pane::ALL {
        for k in caps.pane(pane).creates() {
            if noun.covers(*k) {
                choices.push((pane, *k));
            }
        }
    }
    let (pane, kind) = match (kind, choices.as_slice()) {
        (_, []) => {
            return Err(Failed::new(
                Exit::Failure,
                format!(
                    "{} creates no {} here",
                    tenant.platform().label(),
                    noun.word()
                ),
            ));
        }
        (None, [one]) => *one,
        (None, many) => {
            let names: Vec<String> = many.iter().map(|(_, k)| slug(*k)).collect();
            return Err(Failed::new(
                Exit::Usage,
                format!("pick one with --type: {}", names.join(", ")),
            ));
        }
        (Some(text), many) => {
            let kinds: Vec<Kind> = many.iter().map(|(_, k)| *k).collect();
            let k = parse_kind(text, &kinds).ok_or_else(|| {
                let names: Vec<String> = kinds.iter().map(|k| slug(*k)).collect();
                Failed::new(
                    Exit::Usage,
                    format!("--type is one of {}", names.join(", ")),
                )
            })?;
            many.iter()
                .copied()
                .find(|(_, c)| *c == k)
                .unwrap_or((Pane::Projects, k))
        }
    };
    let fields = caps
        .kind(kind)
        .and_then(|s| s.create.clone())
        .ok_or_else(|| {
            Failed::new(
                Exit::Failure,
                format!("a {} cannot be created here", kind.label()),
            )
        })?;
    let parent = match (caps.pane(pane).body(), parent) {
        (
            PaneBody::List {
                scope: Some(scope), ..
            },
            Some(wanted),
        ) => {
            let found = everything(&tenant)
                .await
                .map_err(|e| Failed::platform(tenant.name(), &e))?;
            let hit = found
                .iter()
                .filter(|f| f.pane == *scope)
                .find(|f| f.resource.id == wanted)
                .or_else(|| {
                    found
                        .iter()
                        .filter(|f| f.pane == *scope)
                        .find(|f| f.resource.name == wanted)
                })
                .ok_or_else(|| {
                    Failed::new(
                        Exit::NotFound,
                        format!(
                            "{}: no {} {wanted:?}",
                            tenant.name(),
                            caps.pane(*scope).title()
                        ),
                    )
                })?;
            Some(hit.resource.id.clone())
        }
        (
            PaneBody::List {
                scope: Some(scope), ..
            },
            None,
        ) => {
            return Err(Failed::new(
                Exit::Usage,
                format!(
                    "a {} is created under one of {}: pass --parent",
                    kind.label(),
                    caps.pane(*scope).title()
                ),
            ));
        }
        _ => None,
    };
    let form = form(fields, set, |_| None, Intent::Create { kind, parent })?;
    let op = form.operation().map_err(|p| Failed::new(Exit::Usage, p))?;
    change(ctx, &tenant, vec![op], Some(secrets), false, fmt).await
}

/// Sends `ops` down the console's one path and reports the outcome.
async fn change(
    ctx: &Context,
    tenant: &Tenant,
    ops: Vec<Operation>,
    secrets: Option<&Secrets>,
    finish: bool,
    fmt: Format,
) -> Result<Exit, Failed> {
    let stores = ctx.checked_stores()?;
    let (result, saved) = perform_once(tenant, &ops, stores).await;
    let outcome = result.map_err(|f| failed(tenant, &f))?;
    let mut exit = if outcome.checks.iter().all(|c| c.passed) {
        Exit::Ok
    } else {
        Exit::Partial
    };
    let mut report = report(tenant, &ops, &outcome);
    eprintln!("{}", crate::ui::text::inert(&outcome.summary));
    for check in &outcome.checks {
        let mark = if check.passed { "ok" } else { "FAILED" };
        eprintln!("  {mark}: {}", crate::ui::text::inert(&check.label));
    }
    let mut secret_line = None;
    if let Some(issued) = &outcome.secret {
        let stored = match &saved {
            Some(Ok(path)) => {
                eprintln!(
                    "new {} stored, pending, in {} (`portico secrets pending`)",
                    issued.label,
                    path.display()
                );
                true
            }
            Some(Err(err)) => {
                eprintln!("new {} could NOT be stored: {err}", issued.label);
                exit = Exit::Partial;
                false
            }
            // Read back from a platform that shows it again: never stored.
            None => outcome.rereadable,
        };
        let policy = secrets.map_or(ShowSecret::Auto, |s| s.show_secret);
        // A secret that could not be stored is shown unless told never:
        // it exists nowhere else.
        let show = match policy {
            ShowSecret::Always => true,
            ShowSecret::Never => false,
            ShowSecret::Auto => !stdout_is_tty() || !stored,
        };
        let mut about = json!({
            "label": issued.label,
            "public_id": issued.public_id,
            "stored": stored,
        });
        if show {
            about["value"] = json!(issued.secret.expose());
            secret_line = Some(issued.secret.expose().to_string());
        } else {
            eprintln!("the secret is not printed: pass --show-secret to print it");
        }
        report["secret"] = about;
    }
    if let Some(follow) = &outcome.follow_up {
        if finish {
            let (second, _) = perform_once(tenant, std::slice::from_ref(&follow.op), stores).await;
            match second {
                Ok(done) => {
                    eprintln!("{}", crate::ui::text::inert(&done.summary));
                    report["follow_up"] = json!({"summary": done.summary, "done": true});
                }
                Err(f) => {
                    eprintln!("portico: {}", failed(tenant, &f).message);
                    report["follow_up"] = json!({"summary": f.to_string(), "done": false});
                    exit = Exit::Partial;
                }
            }
        } else {
            eprintln!("{}", crate::ui::text::inert(&follow.abort_note));
            report["follow_up"] = json!({"summary": follow.prompt, "done": false});
        }
    }
    let stdout = &mut std::io::stdout().lock();
    match fmt {
        Format::Json | Format::Yaml => {
            document(fmt, &report, stdout).map_err(Failed::output)?;
        }
        Format::Table | Format::Csv => {
            if let Some(line) = secret_line {
                writeln!(stdout, "{line}").map_err(Failed::output)?;
            }
        }
    }
    Ok(exit)
}

fn report(tenant: &Tenant, ops: &[Operation], outcome: &Outcome) -> Value {
    let verbs: Vec<&str> = ops.iter().map(Operation::verb).collect();
    json!({
        "tenant": tenant.name(),
        "platform": tenant.platform().as_str(),
        "verb": verbs.join(","),
        "summary": outcome.summary,
        "created": outcome.created,
        "checks": outcome
            .checks
            .iter()
            .map(|c| json!({"label": c.label, "passed": c.passed}))
            .collect::<Vec<_>>(),
        "secret": Value::Null,
        "follow_up": Value::Null,
    })
}

fn failed(tenant: &Tenant, failure: &Failure) -> Failed {
    match failure {
        Failure::ReadOnly(text) => Failed::new(Exit::ReadOnly, text.clone()),
        Failure::Platform { error, text } => {
            Failed::new(Exit::of(error), format!("{}: {text}", tenant.name()))
        }
    }
}
