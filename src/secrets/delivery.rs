//! Hands a new secret to where it is used: the command the config names
//! gets the secret on stdin, never in its arguments or environment, and
//! what it is about in `PORTICO_*` variables. Its exit code decides; its
//! stderr comes back with the secret cut out.

use zeroize::Zeroizing;

use crate::config::Delivery;
use crate::model::IssuedSecret;
use crate::subprocess::{self, RunError};

/// What the delivery command is told about the secret.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    pub tenant: &'a str,
    pub platform: &'a str,
    pub resource_id: &'a str,
    pub resource_name: &'a str,
}

/// Why a delivery did not happen. Never holds the secret.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("delivery {what} {why}")]
    Run { what: String, why: RunError },
    #[error("delivery {what} {status}{}", stderr_suffix(.stderr))]
    Failed {
        what: String,
        status: String,
        stderr: String,
    },
}

fn stderr_suffix(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

/// Runs `delivery` for `issued`. Blocking: call it from a blocking task.
pub fn deliver(
    delivery: &Delivery,
    about: About<'_>,
    issued: &IssuedSecret,
) -> Result<(), DeliveryError> {
    let what = delivery.describe();
    let env = [
        ("PORTICO_TENANT", about.tenant.to_string()),
        ("PORTICO_PLATFORM", about.platform.to_string()),
        ("PORTICO_RESOURCE_ID", about.resource_id.to_string()),
        ("PORTICO_RESOURCE_NAME", about.resource_name.to_string()),
        ("PORTICO_SECRET_LABEL", issued.label.clone()),
        (
            "PORTICO_SECRET_ID",
            issued.public_id.clone().unwrap_or_default(),
        ),
    ];
    let input = Zeroizing::new(issued.secret.expose().as_bytes().to_vec());
    let done = subprocess::run(delivery.command(), &env, Some(input), delivery.timeout()).map_err(
        |why| DeliveryError::Run {
            what: what.clone(),
            why,
        },
    )?;
    if done.status.success() {
        return Ok(());
    }
    let status = match done.status.code() {
        Some(code) => format!("exited with status {code}"),
        None => "was killed by a signal".to_string(),
    };
    Err(DeliveryError::Failed {
        what,
        status,
        stderr: without(&done.stderr, issued.secret.expose()),
    })
}

/// The command's stderr, cleaned for the screen, with every copy of the
/// secret masked.
fn without(stderr: &[u8], secret: &str) -> String {
    let text = Zeroizing::new(String::from_utf8_lossy(stderr).into_owned());
    let masked = if secret.is_empty() {
        Zeroizing::new(text.to_string())
    } else {
        Zeroizing::new(text.replace(secret, "***"))
    };
    crate::config::clean_stderr(masked.as_bytes())
}

#[cfg(all(test, unix))]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::model::Secret;

    #[test]
    fn a_failed_delivery_shows_its_stderr_without_the_secret() {
        let issued = IssuedSecret {
            label: "client secret".into(),
            public_id: None,
            secret: Secret::new("TopSecret-123"),
        };
        let d = crate::config::Config::parse(
            "[[tenants]]\nname = \"t\"\nplatform = \"project44\"\nregion = \"na\"\n\
             [tenants.auth]\nusername = \"u\"\npassword = \"p\"\n\
             [tenants.delivery]\ncommand = \"echo \\\"refused $(cat)\\\" >&2; exit 4\"\ntimeout_secs = 5\n",
            "<t>",
        )
        .expect("config");
        let delivery = d.tenants()[0].delivery_for("x").expect("delivery").clone();
        assert_eq!(delivery.timeout(), Duration::from_secs(5));
        let about = About {
            tenant: "t",
            platform: "project44",
            resource_id: "id",
            resource_name: "x",
        };
        let err = deliver(&delivery, about, &issued).expect_err("failed");
        let text = err.to_string();
        assert!(!text.contains("TopSecret-123"), "{text}");
        assert!(text.contains("exited with status 4: refused ***"), "{text}");
    }
}
