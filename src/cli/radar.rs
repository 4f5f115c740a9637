//! `portico find` and `portico expiring`: every tenant at once, each on
//! its own task, so one that is down or slow never holds up the rest.

use std::time::Duration;

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::args::Format;
use super::exit::{Exit, Failed};
use super::output::{Column, Sink, document};
use super::record::{Origin, expiry_record, record};
use super::verbs::format;
use super::{Context, everything, pane_title};
use crate::config::Tenant;
use crate::platform::crawl::{Answer, expiry_watched, matches, within};

/// How one tenant answered, for the JSON document and the problem rows.
fn status(answer: &Answer) -> Value {
    match answer {
        Answer::Listed(_) => json!({"status": "ok", "error": null}),
        Answer::Down(err) => json!({"status": "down", "error": err.to_string()}),
        Answer::Slow(after) => json!({
            "status": "slow",
            "error": format!("no answer within {}s", after.as_secs()),
        }),
    }
}

/// Asks every tenant at once; answers arrive in the order they finish.
fn ask_all(
    tenants: &[Tenant],
    deadline: Duration,
) -> tokio::sync::mpsc::UnboundedReceiver<(usize, Answer)> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    for (index, tenant) in tenants.iter().enumerate() {
        let (tx, tenant) = (tx.clone(), tenant.clone());
        tokio::spawn(async move {
            let answer = within(deadline, everything(&tenant)).await;
            let _ = tx.send((index, answer));
        });
    }
    rx
}

/// A row saying a tenant did not answer, for the table and CSV.
fn problem_row(tenant: &Tenant, status: &Value) -> Value {
    json!({
        "tenant": tenant.name(),
        "platform": tenant.platform().as_str(),
        "kind": status["status"],
        "name": status["error"],
    })
}

#[allow(
    clippy::future_not_send,
    reason = "driven by block_on on the calling thread"
)]
pub(super) async fn find(
    ctx: &Context,
    text: &str,
    deadline: Duration,
    chosen: Option<Format>,
) -> Result<Exit, Failed> {
    let fmt = format(chosen);
    let tenants = ctx.tenants();
    let columns: Vec<Column> = vec![
        ("TENANT", "tenant"),
        ("PLATFORM", "platform"),
        ("KIND", "kind"),
        ("ID", "id"),
        ("NAME", "name"),
        ("STATE", "state"),
        ("PANE", "pane"),
    ];
    let mut sink = Sink::new(fmt, columns, true);
    let stdout = &mut std::io::stdout().lock();
    let mut answers = ask_all(&tenants, deadline);
    let mut results = Vec::new();
    let mut statuses = Vec::new();
    let mut troubled = 0;
    while let Some((index, answer)) = answers.recv().await {
        let Some(tenant) = tenants.get(index) else {
            continue;
        };
        let mut status = status(&answer);
        status["tenant"] = json!(tenant.name());
        match &answer {
            Answer::Listed(found) => {
                for f in found.iter().filter(|f| matches(&f.resource, text)) {
                    let row = record(&Origin::of(tenant, pane_title(tenant, f)), f);
                    if matches!(fmt, Format::Table | Format::Csv) {
                        sink.row(stdout, row).map_err(Failed::output)?;
                    } else {
                        results.push(row);
                    }
                }
            }
            Answer::Down(_) | Answer::Slow(_) => {
                troubled += 1;
                eprintln!(
                    "portico: {}: {}: {}",
                    tenant.name(),
                    status["status"].as_str().unwrap_or_default(),
                    status["error"].as_str().unwrap_or_default()
                );
                if matches!(fmt, Format::Table | Format::Csv) {
                    sink.row(stdout, problem_row(tenant, &status))
                        .map_err(Failed::output)?;
                }
            }
        }
        statuses.push(status);
    }
    match fmt {
        Format::Json | Format::Yaml => {
            document(
                fmt,
                &json!({"results": results, "tenants": statuses}),
                stdout,
            )
            .map_err(Failed::output)?;
        }
        _ => sink.finish(stdout).map_err(Failed::output)?,
    }
    Ok(if troubled == 0 {
        Exit::Ok
    } else {
        Exit::Partial
    })
}

pub(super) async fn expiring(
    ctx: &Context,
    within: Duration,
    deadline: Duration,
    chosen: Option<Format>,
) -> Result<Exit, Failed> {
    let fmt = format(chosen);
    let tenants = ctx.tenants();
    let now = OffsetDateTime::now_utc();
    let horizon = now + within;
    let mut answers = ask_all(&tenants, deadline);
    let mut due: Vec<(OffsetDateTime, Value)> = Vec::new();
    let mut statuses = Vec::new();
    let mut problems = Vec::new();
    while let Some((index, answer)) = answers.recv().await {
        let Some(tenant) = tenants.get(index) else {
            continue;
        };
        let mut status = status(&answer);
        status["tenant"] = json!(tenant.name());
        match &answer {
            Answer::Listed(found) => {
                for f in found {
                    let Some(at) = f.resource.expires else {
                        continue;
                    };
                    if expiry_watched(f.resource.kind) && at <= horizon {
                        let origin = Origin::of(tenant, pane_title(tenant, f));
                        due.push((at, expiry_record(&origin, f, now)));
                    }
                }
            }
            Answer::Down(_) | Answer::Slow(_) => {
                eprintln!(
                    "portico: {}: {}: {}",
                    tenant.name(),
                    status["status"].as_str().unwrap_or_default(),
                    status["error"].as_str().unwrap_or_default()
                );
                problems.push(problem_row(tenant, &status));
            }
        }
        statuses.push(status);
    }
    due.sort_by_key(|d| d.0);
    let found_any = !due.is_empty();
    let rows: Vec<Value> = due.into_iter().map(|(_, row)| row).collect();
    let stdout = &mut std::io::stdout().lock();
    match fmt {
        Format::Json | Format::Yaml => {
            let doc = json!({
                "within_days": within.as_secs() / 86_400,
                "results": rows,
                "tenants": statuses,
            });
            document(fmt, &doc, stdout).map_err(Failed::output)?;
        }
        _ => {
            let columns: Vec<Column> = vec![
                ("TENANT", "tenant"),
                ("PLATFORM", "platform"),
                ("KIND", "kind"),
                ("NAME", "name"),
                ("EXPIRES", "expires"),
                ("DAYS LEFT", "days_left"),
            ];
            let mut sink = Sink::new(fmt, columns, false);
            let troubled = problems.len();
            for row in rows.into_iter().chain(problems) {
                sink.row(stdout, row).map_err(Failed::output)?;
            }
            sink.finish(stdout).map_err(Failed::output)?;
            if troubled > 0 && !found_any {
                return Ok(Exit::Partial);
            }
        }
    }
    let troubled = statuses.iter().any(|s| s["status"] != "ok");
    Ok(match (found_any, troubled) {
        (true, _) => Exit::Expiring,
        (false, true) => Exit::Partial,
        (false, false) => Exit::Ok,
    })
}
