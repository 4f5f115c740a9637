//! The real binary on Losant tenants: upload a certificate from a file, see
//! its expiry coloured, disable it; renew one in place; and a read-only
//! API token that is shown what it may not do and sends no change.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod support;

use rcgen::{CertificateParams, DnType, KeyPair};
use serde_json::{Value, json};
use support::pty::{Pty, find};
use support::sim::Standalone;
use time::OffsetDateTime;

const CN: &str = "pty-gw-01.test";
/// ratatui's `Color::Yellow` is ANSI colour 3: under 30 days left.
const YELLOW: vt100::Color = vt100::Color::Idx(3);

/// A device certificate that expires in ten days, and that day.
fn expiring_pem() -> (String, String) {
    pem_for(CN, 10)
}

/// A self-signed certificate for `cn` valid from yesterday for `days`
/// more days, and its last day.
fn pem_for(cn: &str, days: i64) -> (String, String) {
    let mut params = CertificateParams::new(vec![cn.to_string()]).expect("params");
    params.distinguished_name.push(DnType::CommonName, cn);
    let now = OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(days);
    let key = KeyPair::generate().expect("key");
    let day = params.not_after.date().to_string();
    (params.self_signed(&key).expect("cert").pem(), day)
}

/// The id the detail view shows for the selection.
fn shown_id(screen: &vt100::Screen) -> Option<String> {
    screen.contents().lines().find_map(|line| {
        let at = line.find("id: ")? + 4;
        let id: String = line[at..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        (id.len() == 24).then_some(id)
    })
}

/// Opens the Losant tenant of the demo on Fleet Telematics' credentials.
fn fleet_credentials(pty: &mut Pty) {
    pty.wait_for("DEMO");
    pty.send("t");
    pty.wait_for("losant");
    pty.send("losant\r");
    pty.wait_for("Cold Chain Monitoring");
    pty.wait_for("not on Losant");
    pty.send("j");
    pty.wait_for("van-0142.fleet");
    pty.send("\t");
    pty.wait_until("the Certificates pane in focus", |s| {
        s.contents().contains("  certificate ")
    });
}

/// The foreground colour where `text` starts on screen.
fn colour_of(pty: &Pty, text: &str) -> vt100::Color {
    pty.with_screen(|screen| {
        let (row, col) = find(screen, text).unwrap_or_else(|| panic!("{text} not on screen"));
        screen.cell(row, col).expect("cell").fgcolor()
    })
}

/// The row of the Certificates pane that starts with `name`.
fn row_of(screen: &vt100::Screen, name: &str) -> Option<String> {
    screen
        .contents()
        .lines()
        .find(|line| line.contains(&format!("┃{name}")))
        .map(str::to_string)
}

#[test]
fn a_certificate_uploaded_from_a_file_shows_its_expiry_and_toggles() {
    let home = tempfile::tempdir().expect("tempdir");
    let pem_path = home.path().join("pty-gw-01.pem");
    let (pem, expiry) = expiring_pem();
    std::fs::write(&pem_path, pem).expect("write pem");
    let mut pty = Pty::portico(&["--demo"], home.path(), &[], 45, 160);
    pty.wait_for("DEMO");

    // The tenant picker finds Losant by name, whatever its number.
    pty.send("t");
    pty.wait_for("losant");
    pty.send("losant\r");
    pty.wait_for("Cold Chain Monitoring");
    pty.wait_for("not on Losant");

    // The second application, then its certificates.
    pty.send("j");
    pty.wait_for("van-0142.fleet");
    pty.send("\t");
    pty.wait_until("the Certificates pane in focus", |s| {
        s.contents().contains("  certificate ")
    });

    pty.send("n");
    pty.wait_for("Create which?");
    pty.send("\r");
    pty.wait_for("New certificate");
    pty.send(&format!("{}\r", pem_path.display()));
    pty.wait_for(&format!("uploaded certificate \"{CN}\""));
    pty.wait_until("the new certificate listed", |s| row_of(s, CN).is_some());

    // Ten days left: yellow, unlike a certificate good for a year.
    pty.wait_until("the expiry date", |s| {
        row_of(s, CN).is_some_and(|row| row.contains(&expiry))
    });
    assert_eq!(colour_of(&pty, CN), YELLOW);
    assert_ne!(colour_of(&pty, "van-0142.fleet"), YELLOW);
    let row = pty.with_screen(|s| row_of(s, CN)).expect("row");
    assert!(row.contains("active") && !row.contains("inactive"), "{row}");

    // Filter down to it so it is the selection, then disable it.
    pty.send("/pty-gw\r");
    pty.wait_until("only the new certificate", |s| {
        row_of(s, CN).is_some() && row_of(s, "van-0142").is_none()
    });
    pty.send("a");
    pty.wait_for(&format!("disabled certificate \"{CN}\""));
    pty.wait_until("the status inactive", |s| {
        row_of(s, CN).is_some_and(|row| row.contains("inactive"))
    });
    // A disabled certificate is no longer flagged as expiring.
    assert_ne!(colour_of(&pty, CN), YELLOW);
    pty.send("a");
    pty.wait_for(&format!("enabled certificate \"{CN}\""));
    pty.wait_until("the status active again", |s| {
        row_of(s, CN).is_some_and(|row| row.contains("active") && !row.contains("inactive"))
    });
    assert_eq!(colour_of(&pty, CN), YELLOW, "enabled again, flagged again");

    pty.send("q");
    let (ok, _) = pty.wait_exit();
    assert!(ok, "portico exits with success");
}

const VAN: &str = "van-0142.fleet.portico.demo";

/// Filters down to `VAN`, which ranks first and so is selected: the
/// detail view then shows it. (The fuzzy filter may keep other rows whose
/// random ids happen to match.)
fn select_van(pty: &mut Pty) {
    pty.send("/van-0142\r");
    pty.wait_until("van 142 selected", selected_van);
}

fn selected_van(screen: &vt100::Screen) -> bool {
    screen.contents().contains(&format!("│{VAN}  certificate"))
}

/// Renews `VAN` from the PEM at `path`: form, preview, confirmation.
fn renew(pty: &mut Pty, path: &std::path::Path) {
    pty.send("R");
    pty.wait_for("Renewed certificate");
    pty.send(&format!("{}\r", path.display()));
    // The preview reads the file and the current certificate first.
    pty.wait_for("subject matches the current certificate");
    pty.wait_for("in place (same id)");
    pty.send("y");
    pty.wait_for(&format!("renewed certificate \"{VAN}\""));
}

#[test]
fn renewing_a_certificate_in_place_flags_its_row_then_clears_it() {
    let home = tempfile::tempdir().expect("tempdir");
    let soon = home.path().join("van-5-days.pem");
    let (pem, soon_day) = pem_for(VAN, 5);
    std::fs::write(&soon, pem).expect("write pem");
    let later = home.path().join("van-2-years.pem");
    let (pem, later_day) = pem_for(VAN, 730);
    std::fs::write(&later, pem).expect("write pem");

    let mut pty = Pty::portico(&["--demo"], home.path(), &[], 45, 160);
    fleet_credentials(&mut pty);
    select_van(&mut pty);
    pty.wait_until("its id in the detail", |s| shown_id(s).is_some());
    let id = pty.with_screen(shown_id).expect("id");
    let before = colour_of(&pty, VAN);
    assert!(before != YELLOW, "a year left: not flagged, not {before:?}");

    renew(&mut pty, &soon);
    pty.wait_until("the five-day expiry listed", |s| {
        row_of(s, VAN).is_some_and(|row| row.contains(&soon_day))
    });
    // Five days is inside the console's 7-day tier, which is drawn a step
    // past the 30-day yellow.
    assert_eq!(colour_of(&pty, VAN), YELLOW, "five days left: flagged");
    assert!(pty.with_screen(selected_van));
    assert_eq!(pty.with_screen(shown_id).as_deref(), Some(id.as_str()));
    // The checks of Losant's answer against the file all passed.
    assert!(
        !pty.contents().contains("check(s) failed"),
        "{}",
        pty.contents()
    );

    renew(&mut pty, &later);
    pty.wait_until("the two-year expiry listed", |s| {
        row_of(s, VAN).is_some_and(|row| row.contains(&later_day))
    });
    let normal = colour_of(&pty, VAN);
    assert!(
        normal != YELLOW,
        "two years left: normal again, not {normal:?}"
    );
    assert!(pty.with_screen(selected_van));
    assert_eq!(pty.with_screen(shown_id).as_deref(), Some(id.as_str()));
    assert!(
        !pty.contents().contains("check(s) failed"),
        "{}",
        pty.contents()
    );

    pty.send("q");
    let (ok, _) = pty.wait_exit();
    assert!(ok, "portico exits with success");
}

/// The `base_url` of the tenant named `name` in a printed config.
fn base_url_of(config: &str, name: &str) -> String {
    let block = config
        .split("[[tenants]]")
        .find(|b| b.contains(&format!("name = \"{name}\"")))
        .expect("the tenant's block");
    let line = block
        .lines()
        .find(|l| l.starts_with("base_url = "))
        .expect("base_url");
    line.trim_start_matches("base_url = ")
        .trim_matches('"')
        .to_string()
}

/// Logs the demo user in and makes an API token for `app_name` with
/// `scope`; returns the token and the application's id.
async fn scoped_token(base: &str, app_name: &str, scope: &[&str]) -> (String, String) {
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/auth/user"))
        .json(&json!({"email": "admin@losant.portico.demo", "password": "portico-demo-losant"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login json");
    let user = login["token"].as_str().expect("token").to_string();
    let apps: Value = http
        .get(format!("{base}/applications"))
        .bearer_auth(&user)
        .send()
        .await
        .expect("apps")
        .json()
        .await
        .expect("apps json");
    let app = apps["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["name"] == app_name)
        .expect("the application")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let made: Value = http
        .post(format!("{base}/applications/{app}/tokens"))
        .bearer_auth(&user)
        .json(&json!({"name": "PTY read-only", "scope": scope}))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token json");
    (made["token"].as_str().expect("token").to_string(), app)
}

/// `GET /_sim/requests`: every request the tenant saw, as (method, path).
async fn requests(base: &str) -> Vec<(String, String)> {
    let log: Value = reqwest::get(format!("{base}/_sim/requests"))
        .await
        .expect("log")
        .json()
        .await
        .expect("log json");
    log["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| {
            (
                r["method"].as_str().expect("method").to_string(),
                r["path"].as_str().expect("path").to_string(),
            )
        })
        .collect()
}

/// ratatui's `Color::Cyan`, the dark theme's key colour, is ANSI colour 6.
const CYAN: vt100::Color = vt100::Color::Idx(6);

/// The van's changes a read-only token may not make, as the hint bar
/// shows them: dimmed, each label followed by a cross.
const REFUSED: [&str; 5] = ["n new✗", "e edit✗", "d delete✗", "R rotate✗", "a disable✗"];

/// What the token may still do there, filtered to the van.
const ALLOWED: &[&str] = &[" y copy id ", " Esc clear filter ", " s sort ", " q quit "];

/// The bottom row: the hint bar.
fn hint_row(screen: &vt100::Screen) -> String {
    let (rows, cols) = screen.size();
    screen
        .rows(0, cols.get())
        .nth(usize::from(rows.get() - 1))
        .unwrap_or_default()
}

/// The (row, col) of `hint` in the hint bar.
fn hint_at(screen: &vt100::Screen, hint: &str) -> (u16, u16) {
    let bar = hint_row(screen);
    let byte = bar
        .find(hint)
        .unwrap_or_else(|| panic!("no {hint:?} in the hint bar {bar:?}"));
    let col = u16::try_from(bar[..byte].chars().count()).expect("fits");
    (screen.size().0.get() - 1, col)
}

/// The cell of `hint`'s key, its first character.
fn hint_cell<'s>(screen: &'s vt100::Screen, hint: &str) -> &'s vt100::Cell {
    let (row, col) = hint_at(screen, hint);
    screen.cell(row, col).expect("cell")
}

/// A left click at (row, col) as an SGR mouse report: press, release.
fn click(row: u16, col: u16) -> String {
    format!("\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m", x = col + 1, y = row + 1)
}

#[test]
fn a_read_only_token_is_shown_what_it_may_not_do_and_sends_no_change() {
    let sim = Standalone::start(&[]);
    let base = base_url_of(sim.config(), "losant");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    // reqwest is built without a crypto provider of its own.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (token, _) = rt.block_on(scoped_token(
        &base,
        "Fleet Telematics",
        &["all.Application.read"],
    ));
    let before = rt.block_on(requests(&base)).len();

    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[tenants]]\nname = \"losant-ro\"\nplatform = \"losant\"\nbase_url = \"{base}\"\n\n\
             [tenants.auth]\ntoken = \"{token}\"\n"
        ),
    )
    .expect("write config");
    let config = config.to_string_lossy().into_owned();
    let mut pty = Pty::portico(&["--config", &config], home.path(), &[], 45, 160);
    // The token's application is the only one it sees.
    pty.wait_for("Fleet Telematics");
    pty.wait_until("nothing to create under it", |s| {
        s.contents().contains("not allowed") && s.contents().contains("create credentials")
    });
    pty.send("\t");
    pty.wait_for("van-0142.fleet");
    select_van(&mut pty);
    // The detail says which changes the token may not make, and why.
    pty.wait_until("the refused changes in the detail", |s| {
        let text = s.contents();
        [
            "not allowed:",
            "enable/disable,",
            "renew:",
            "applicationCertificate.patch;",
        ]
        .iter()
        .all(|word| text.contains(word))
    });
    let contents = pty.contents();
    assert!(
        contents.contains("applicationCertificate.delete"),
        "{contents}"
    );
    // The hint bar is the last row drawn, so it is waited for in its own
    // right: the detail above it can show the new selection while the
    // bar still holds the previous frame's keys.
    pty.wait_until("the van's hints", |s| {
        let bar = hint_row(s);
        REFUSED.iter().chain(ALLOWED).all(|hint| bar.contains(hint))
    });
    // The refused changes stay in the bar, dimmed and marked; what the
    // token may do is drawn as usual.
    pty.with_screen(|s| {
        let bar = hint_row(s);
        for hint in REFUSED {
            let key = hint_cell(s, hint);
            assert!(key.dim(), "{hint:?} is dimmed: {bar:?}");
            assert_eq!(key.fgcolor(), vt100::Color::Default, "{hint:?}: {bar:?}");
        }
        for hint in ALLOWED {
            let key = hint_cell(s, hint.trim_start());
            assert!(!key.dim(), "{hint:?} is not dimmed: {bar:?}");
            assert_eq!(
                key.fgcolor(),
                CYAN,
                "{hint:?} is in the key colour: {bar:?}"
            );
        }
    });

    // Pressed anyway, each change is refused with its reason and opens
    // nothing; the reasons alternate, so each press is seen to answer.
    for (key, call) in [
        ("e", "patch"),
        ("d", "delete"),
        ("R", "patch"),
        ("d", "delete"),
        ("a", "patch"),
    ] {
        pty.send(key);
        let said = format!(
            "not allowed: the API token's scopes (all.Application.read) do not allow applicationCertificate.{call}"
        );
        pty.wait_until(&said, |s| s.contents().lines().any(|l| l.contains(&said)));
        let contents = pty.contents();
        assert!(
            !contents.contains("Renewed certificate") && !contents.contains("Delete certificate"),
            "a refused change opened a dialog:\n{contents}"
        );
    }
    // A click on a dimmed hint answers as its key does, and sends nothing;
    // the last press was refused for a patch, so this answer is new.
    let (row, col) = pty.with_screen(|s| hint_at(s, "d delete✗"));
    pty.send(&click(row, col));
    let said = "not allowed: the API token's scopes (all.Application.read) do not allow applicationCertificate.delete";
    pty.wait_until(said, |s| s.contents().lines().any(|l| l.contains(said)));
    assert!(
        !pty.contents().contains("Delete certificate"),
        "a refused click opened a dialog:\n{}",
        pty.contents()
    );
    pty.send("q");
    let (ok, _) = pty.wait_exit();
    assert!(ok, "portico exits with success");

    let seen = rt.block_on(requests(&base));
    let console = &seen[before..];
    assert!(
        console
            .iter()
            .any(|(m, p)| m == "GET" && p.ends_with("/certificates")),
        "the console listed the certificates: {console:?}"
    );
    let changes: Vec<_> = console.iter().filter(|(m, _)| m != "GET").collect();
    assert!(changes.is_empty(), "the read-only token sent {changes:?}");
}

#[test]
fn a_refused_field_is_marked_in_the_form_which_keeps_the_input() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut pty = Pty::portico(&["--demo"], home.path(), &[], 45, 160);
    fleet_credentials(&mut pty);
    pty.send("n");
    pty.wait_for("Create which?");
    pty.send("jj\r");
    pty.wait_for("Only these device ids");
    pty.send("gw-bad-device");
    // Name, description, filter, publish, subscribe, then the devices.
    pty.send("\t\t\t\t\t");
    pty.send("not-an-object-id\r");
    // Losant's own complaint, under the field it names, in red.
    pty.wait_until("the complaint under the devices field", |s| {
        s.contents()
            .lines()
            .any(|l| l.contains("✗ ") && l.contains("\"not-an-object-id\" does not match"))
    });
    let contents = pty.contents();
    let lines: Vec<&str> = contents.lines().collect();
    let label = lines
        .iter()
        .position(|l| l.contains("Only these device ids"))
        .expect("the devices field");
    assert!(lines[label + 1].contains("not-an-object-id"), "{contents}");
    assert!(lines[label + 2].contains("✗ "), "{contents}");
    let (row, col) = pty
        .with_screen(|s| find(s, "\"not-an-object-id\" does not match"))
        .expect("complaint");
    let red = pty.with_screen(|s| s.cell(row, col).expect("cell").fgcolor());
    assert_eq!(red, vt100::Color::Idx(1), "drawn in red");
    // What was typed elsewhere stays too, and no other field is blamed.
    assert!(contents.contains("gw-bad-device"), "{contents}");
    assert_eq!(
        lines.iter().filter(|l| l.contains("   ✗ ")).count(),
        1,
        "{contents}"
    );

    // Fixed and sent again, the complaint goes and the key is made.
    pty.send("\x7f".repeat(16).as_str());
    pty.send("\r");
    pty.wait_for("created access key");
    pty.wait_gone("does not match");
    // The new secret is shown once; Enter says it is stored.
    pty.wait_for("access key secret");
    pty.send("\r");
    pty.wait_gone("access key secret");
    pty.send("q");
    let (ok, _) = pty.wait_exit();
    assert!(ok, "portico exits with success");
}
