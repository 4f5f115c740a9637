//! Parsing and validation behaviour seen through the public API.

use std::time::Duration;

use ratatui::style::Color;

use super::*;

#[test]
fn a_password_in_a_base_url_is_never_printed() {
    for url in [
        "https://ops:hunter2pass@p44.example.com/api",
        "https://ops:hunter2pass@p44 example.com",
        "ftp://ops:hunter2pass@p44.example.com",
    ] {
        let text = format!(
            "[[tenants]]\nname = \"t\"\nplatform = \"project44\"\nbase_url = \"{url}\"\n\n[tenants.auth]\nusername = \"u\"\npassword = \"p\"\n"
        );
        let err = parse_err(&text).to_string();
        assert!(!err.contains("hunter2pass"), "{err}");
        assert!(err.contains("ops:***@"), "{err}");
    }
    assert_eq!(
        super::load::redacted("http://a@b/c:d@e"),
        "http://a@b/c:d@e",
        "only the authority is masked"
    );
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, "config.toml")
}

fn parse_err(text: &str) -> ConfigError {
    match parse(text) {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(err) => err,
    }
}

/// The shape `portico sim --print-config` prints for each vendor.
fn demo_text(base: &str) -> String {
    format!(
        r#"# Tenants served by `portico sim`. Credentials are the simulator's demo users.

[[tenants]]
name = "p44-na"
platform = "project44"
base_url = "{base}/project44/na"
color = "cyan"

[tenants.auth]
username = "admin@na.portico.demo"
password = "portico-demo-na"

[[tenants]]
name = "p44-eu"
platform = "project44"
base_url = "{base}/project44/eu"
color = "blue"

[tenants.auth]
username = "admin@eu.portico.demo"
password = "portico-demo-eu"

[[tenants]]
name = "losant-demo"
platform = "losant"
base_url = "{base}/losant"
color = "green"

[tenants.auth]
email = "admin@losant.portico.demo"
password = "portico-demo-losant"

[[tenants]]
name = "kitsu-demo"
platform = "kitsu"
base_url = "{base}/kitsu/api"
color = "magenta"

[tenants.auth]
email = "admin@kitsu.portico.demo"
password = "portico-demo-kitsu"
"#
    )
}

#[test]
fn accepts_the_simulator_demo_config() {
    let config = Config::parse(&demo_text("http://127.0.0.1:41234"), "<demo>").unwrap();
    assert_eq!(config.origin(), "<demo>");
    assert_eq!(config.path(), None);
    let names: Vec<&str> = config.tenants().iter().map(Tenant::name).collect();
    assert_eq!(names, ["p44-na", "p44-eu", "losant-demo", "kitsu-demo"]);

    let na = config.tenant("p44-na").unwrap();
    assert_eq!(na.platform().as_str(), "project44");
    assert_eq!(na.base_url(), "http://127.0.0.1:41234/project44/na");
    assert_eq!(na.color(), Some(Color::Cyan));
    assert_eq!(na.color_spec(), Some("cyan"));
    assert!(!na.read_only());
    assert!(!na.protected());
    assert_eq!(na.timeout(), Duration::from_secs(20));
    assert_eq!(
        na.auth().keys().collect::<Vec<_>>(),
        ["username", "password"]
    );
    assert_eq!(
        na.auth()
            .get("password")
            .unwrap()
            .resolve()
            .unwrap()
            .as_str(),
        "portico-demo-na"
    );

    let kitsu = config.tenant("kitsu-demo").unwrap();
    assert_eq!(kitsu.platform().as_str(), "kitsu");
    assert_eq!(kitsu.base_url(), "http://127.0.0.1:41234/kitsu/api");
    assert!(config.tenant("nope").is_none());
}

#[test]
fn demo_config_debug_output_hides_passwords() {
    let config = Config::parse(&demo_text("http://127.0.0.1:1"), "<demo>").unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains("portico-demo"), "{debug}");
    assert!(debug.contains("p44-na"), "{debug}");
}

const P44_AUTH: &str = "[tenants.auth]\nusername = \"u\"\npassword = \"p\"\n";

fn p44(extra: &str) -> String {
    format!("[[tenants]]\nname = \"t\"\nplatform = \"project44\"\n{extra}\n{P44_AUTH}")
}

#[test]
fn region_picks_the_address_and_base_url_overrides_it() {
    let cases = [
        ("region = \"na\"", "https://na12.api.project44.com"),
        ("region = \"eu\"", "https://eu12.api.project44.com"),
        ("region = \"sandbox\"", "https://na12.api.sandbox.p-44.com"),
        (
            "region = \"eu\"\nbase_url = \"https://proxy.example.com/p44//\"",
            "https://proxy.example.com/p44",
        ),
        ("base_url = \"http://[::1]:8080/\"", "http://[::1]:8080"),
    ];
    for (extra, url) in cases {
        let config = parse(&p44(extra)).unwrap_or_else(|e| panic!("{extra}: {e}"));
        assert_eq!(config.tenants()[0].base_url(), url, "{extra}");
    }
    let config = parse(&p44("region = \"eu\"\nbase_url = \"https://x.example\"")).unwrap();
    assert_eq!(config.tenants()[0].region(), Some("eu"));
}

#[test]
fn platform_defaults_apply_without_region_or_base_url() {
    let text = r#"
[[tenants]]
name = "l"
platform = "losant"
auth = { token = "t" }

[[tenants]]
name = "m"
platform = "mashery"
auth = { api_key = "k", api_secret = "s", username = "u", password = "p", area_id = "a" }

[[tenants]]
name = "e"
platform = "evrythng"
region = "eu"
auth = { api_key = "k" }
"#;
    let config = parse(text).unwrap();
    let urls: Vec<&str> = config.tenants().iter().map(Tenant::base_url).collect();
    assert_eq!(
        urls,
        [
            "https://api.losant.com",
            "https://api.mashery.com",
            "https://api-eu.evrythng.com"
        ]
    );
}

#[test]
fn flags_colors_and_timeout_are_read() {
    let config = parse(&p44(
        "region = \"na\"\ncolor = \"#ff8800\"\nread_only = true\nprotected = true\ntimeout_secs = 300",
    ))
    .unwrap();
    let t = &config.tenants()[0];
    assert_eq!(t.color(), Some(Color::Rgb(0xff, 0x88, 0x00)));
    assert!(t.read_only());
    assert!(t.protected());
    assert_eq!(t.timeout(), Duration::from_mins(5));
}

#[test]
fn credential_forms_are_kept_unresolved() {
    let text = r#"
[[tenants]]
name = "t"
platform = "project44"
region = "na"
[tenants.auth]
username = { env = "PORTICO_UNSET_AT_PARSE_TIME" }
password = { command = "pass show p44" }
"#;
    let config = parse(text).unwrap();
    let auth = config.tenants()[0].auth();
    assert_eq!(
        auth.get("username"),
        Some(&Credential::Env("PORTICO_UNSET_AT_PARSE_TIME".into()))
    );
    assert_eq!(
        auth.get("password"),
        Some(&Credential::Command("pass show p44".into()))
    );
}

#[test]
fn error_display_is_file_line_column_key_message() {
    let text = "[[tenants]]\nname = \"a\"\nplatform = \"mashry\"\n";
    let err = parse_err(text);
    assert_eq!(
        err.to_string(),
        "config.toml:3:1: tenants[0].platform: unknown platform \"mashry\" \
         (expected one of project44, mashery, kitsu, evrythng, losant)"
    );
    assert_eq!(err.line(), Some(3));
    assert_eq!(err.column(), Some(1));
    assert_eq!(err.key(), Some("tenants[0].platform"));
    assert_eq!(err.file(), "config.toml");
}

#[test]
fn syntax_errors_have_a_position_but_no_key() {
    let err = parse_err("[[tenants]]\nname = \"a\nplatform = \"x\"\n");
    assert!(matches!(err, ConfigError::Syntax { .. }), "{err:?}");
    assert_eq!(err.line(), Some(2));
    assert_eq!(err.key(), None);
    assert!(err.to_string().starts_with("config.toml:2:"), "{err}");
}

#[test]
fn duplicate_names_point_at_the_second_tenant() {
    let text = format!("{}\n{}", p44("region = \"na\""), p44("region = \"eu\""));
    let err = parse_err(&text);
    assert_eq!(err.key(), Some("tenants[1].name"));
    assert_eq!(err.line(), Some(10));
    assert!(
        err.message().contains("already used by tenants[0]"),
        "{err}"
    );
}

#[test]
fn missing_keys_point_at_the_table_header() {
    let err = parse_err("\n[[tenants]]\nplatform = \"losant\"\n");
    assert_eq!(
        err.to_string(),
        "config.toml:2:1: tenants[0].name: missing required key"
    );
    let err = parse_err("[[tenants]]\nname = \"x\"\nplatform = \"losant\"\n");
    assert_eq!(err.key(), Some("tenants[0].auth"));
    assert_eq!((err.line(), err.column()), (Some(1), Some(1)));
}

#[test]
fn auth_groups_must_be_complete_and_not_mixed() {
    let losant = |auth: &str| {
        format!("[[tenants]]\nname = \"l\"\nplatform = \"losant\"\n[tenants.auth]\n{auth}\n")
    };
    let err = parse_err(&losant("email = \"e\""));
    assert_eq!(err.key(), Some("tenants[0].auth.password"));
    assert_eq!(err.line(), Some(4));
    assert!(
        err.message()
            .contains("losant auth takes either token, or email and password"),
        "{err}"
    );

    let err = parse_err(&losant("email = \"e\"\ntoken = \"t\""));
    assert_eq!(err.key(), Some("tenants[0].auth.token"));
    assert_eq!(err.line(), Some(6));
    assert!(
        err.message().starts_with("cannot be combined with email"),
        "{err}"
    );

    let err = parse_err(&losant(""));
    assert_eq!(err.key(), Some("tenants[0].auth"));
    assert!(err.message().starts_with("no credentials"), "{err}");

    assert!(parse(&losant("email = \"e\"\npassword = \"p\"")).is_ok());
    assert!(parse(&losant("token = \"t\"")).is_ok());
}

#[test]
fn credential_values_must_have_one_of_three_forms() {
    let cases = [
        (
            "password = 5",
            "tenants[0].auth.password",
            "found an integer",
        ),
        (
            "password = [\"a\"]",
            "tenants[0].auth.password",
            "found an array",
        ),
        (
            "password = {}",
            "tenants[0].auth.password",
            "found an empty table",
        ),
        (
            "password = \"\"",
            "tenants[0].auth.password",
            "must not be empty",
        ),
        (
            "password = { file = \"x\" }",
            "tenants[0].auth.password.file",
            "unknown key \"file\"",
        ),
        (
            "password = { env = \"A\", command = \"b\" }",
            "tenants[0].auth.password",
            "either env or command, not both",
        ),
        (
            "password = { env = 1 }",
            "tenants[0].auth.password.env",
            "expected a string",
        ),
        (
            "password = { env = \"\" }",
            "tenants[0].auth.password.env",
            "not a valid",
        ),
        (
            "password = { command = \"  \" }",
            "tenants[0].auth.password.command",
            "must not be empty",
        ),
    ];
    for (line, key, message) in cases {
        let text = format!(
            "[[tenants]]\nname = \"t\"\nplatform = \"project44\"\nregion = \"na\"\n\
             [tenants.auth]\nusername = \"u\"\n{line}\n"
        );
        let err = parse_err(&text);
        assert_eq!(err.key(), Some(key), "{line}: {err}");
        assert_eq!(err.line(), Some(7), "{line}: {err}");
        assert!(err.message().contains(message), "{line}: {err}");
    }
}

#[test]
fn base_url_rules() {
    let bad = [
        ("ftp://example.com", "scheme must be http or https"),
        ("example.com", "must start with http:// or https://"),
        ("https://user:pw@example.com", "not in the URL"),
        ("https://example.com/?a=1", "no query or fragment"),
        ("https://exa mple.com", "whitespace"),
        ("", "invalid URL"),
    ];
    for (url, message) in bad {
        let err = parse_err(&p44(&format!("base_url = {url:?}")));
        assert_eq!(err.key(), Some("tenants[0].base_url"), "{url}");
        assert!(err.message().contains(message), "{url}: {err}");
        assert!(!err.message().contains("pw@") || message == "not in the URL");
    }
}

#[test]
fn addresses_are_required_where_there_is_no_default() {
    let err = parse_err(&p44(""));
    assert_eq!(err.key(), Some("tenants[0].region"));
    assert!(
        err.message()
            .contains("needs a region (na, eu, sandbox) or a base_url")
    );

    let err =
        parse_err("[[tenants]]\nname = \"k\"\nplatform = \"kitsu\"\nauth = { token = \"t\" }\n");
    assert_eq!(err.key(), Some("tenants[0].base_url"));
    assert_eq!(err.message(), "kitsu has no default address; set base_url");

    let err = parse_err(
        "[[tenants]]\nname = \"k\"\nplatform = \"losant\"\nregion = \"us\"\nauth = { token = \"t\" }\n",
    );
    assert_eq!(err.key(), Some("tenants[0].region"));
    assert!(err.message().contains("losant has no regions"), "{err}");
}

#[test]
fn names_must_be_printable_and_non_empty() {
    for (name, message) in [
        ("\"\"", "must not be empty"),
        ("\"  \"", "must not be empty"),
        ("\"a\\tb\"", "control characters"),
    ] {
        let err = parse_err(&format!(
            "[[tenants]]\nname = {name}\nplatform = \"losant\"\nauth = {{ token = \"t\" }}\n"
        ));
        assert_eq!(err.key(), Some("tenants[0].name"));
        assert!(err.message().contains(message), "{name}: {err}");
    }
}

#[test]
fn odd_keys_are_quoted_in_paths() {
    let err = parse_err("\"odd key\" = 1\n");
    assert_eq!(err.key(), Some("\"odd key\""));
    let err = parse_err(&p44("region = \"na\"\n\"x.y\" = 1"));
    assert_eq!(err.key(), Some("tenants[0].\"x.y\""));
}

#[test]
fn tenants_must_be_an_array_of_tables() {
    let err = parse_err("[tenants]\nname = \"x\"\n");
    assert_eq!(err.key(), Some("tenants"));
    assert!(err.message().contains("found a table"), "{err}");
    let err = parse_err("tenants = [1]\n");
    assert_eq!(err.key(), Some("tenants[0]"));
    let err = parse_err("");
    assert_eq!(
        err.to_string(),
        "config.toml:1:1: tenants: no tenants; add at least one [[tenants]] table"
    );
}

#[test]
fn huge_timeouts_are_out_of_range_not_a_type_error() {
    let err = parse_err(&p44("region = \"na\"\ntimeout_secs = 99999999999999999999"));
    assert_eq!(err.line(), Some(5), "{err}");
    assert_eq!(
        err.message(),
        "timeout_secs must be between 1 and 300 seconds"
    );
    let err = parse_err(&p44("region = \"na\"\ntimeout_secs = 0"));
    assert_eq!(
        err.message(),
        "timeout_secs must be between 1 and 300 seconds"
    );
    let err = parse_err(&p44("region = \"na\"\ntimeout_secs = 2.5"));
    assert_eq!(err.message(), "expected an integer, found a float");
}

#[test]
fn load_names_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.toml");
    let err = Config::load(&path).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with(&path.display().to_string()),
        "{err}"
    );
    assert_eq!(err.line(), None);
}

#[test]
fn load_records_the_path_and_uses_it_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portico.toml");
    std::fs::write(&path, demo_text("http://127.0.0.1:9")).unwrap();
    let config = Config::load(&path).unwrap();
    assert_eq!(config.path(), Some(path.as_path()));
    assert_eq!(config.origin(), path.display().to_string());

    std::fs::write(&path, "[[tenants]]\nname = 1\n").unwrap();
    let err = Config::load(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:2:1: tenants[0].name: expected a string, found an integer",
            path.display()
        )
    );
}

#[test]
fn body_cap_defaults_to_8_mib_and_is_validated() {
    let cfg = parse(&p44("region = \"na\"")).expect("valid");
    assert_eq!(cfg.tenants()[0].max_body(), 8 << 20);
    let cfg = parse(&p44("region = \"na\"\nmax_body_mib = 64")).expect("valid");
    assert_eq!(cfg.tenants()[0].max_body(), 64 << 20);
    for bad in ["0", "1025", "-1"] {
        let err = parse_err(&p44(&format!("region = \"na\"\nmax_body_mib = {bad}")));
        assert_eq!(
            err.message(),
            "max_body_mib must be between 1 and 1024",
            "{bad}"
        );
    }
}

fn with_deliveries(extra: &str) -> String {
    format!(
        "[[tenants]]\nname = \"t\"\nplatform = \"project44\"\nregion = \"na\"\n\n{P44_AUTH}\n{extra}"
    )
}

#[test]
fn deliveries_by_pattern_win_over_the_tenant_wide_one() {
    let text = with_deliveries(
        "[tenants.delivery]\ncommand = \"pass insert -m p44/$PORTICO_RESOURCE_NAME\"\n\n\
         [[tenants.deliveries]]\nmatch = \"ci-*\"\ncommand = \"gh secret set P44\"\ntimeout_secs = 5\n",
    );
    let config = parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let tenant = &config.tenants()[0];
    let ci = tenant.delivery_for("ci-robot").expect("pattern");
    assert_eq!(ci.command(), "gh secret set P44");
    assert_eq!(ci.timeout(), Duration::from_secs(5));
    assert_eq!(ci.pattern(), Some("ci-*"));
    let other = tenant.delivery_for("billing").expect("tenant-wide");
    assert!(other.command().starts_with("pass insert"));
    assert_eq!(other.timeout(), Duration::from_secs(30));
    let none = parse(&with_deliveries("")).unwrap_or_else(|e| panic!("{e}"));
    assert!(none.tenants()[0].delivery_for("x").is_none());
}

#[test]
fn delivery_mistakes_point_at_their_key() {
    let cases = [
        (
            "[tenants.delivery]\ntimeout_secs = 5\n",
            "config.toml:10:1: tenants[0].delivery.command: missing required key",
        ),
        (
            "[tenants.delivery]\nmatch = \"x\"\ncommand = \"true\"\n",
            "config.toml:11:1: tenants[0].delivery.match: a pattern belongs in \
             [[tenants.deliveries]]; [tenants.delivery] covers every resource of the tenant",
        ),
        (
            "[[tenants.deliveries]]\ncommand = \"true\"\n",
            "config.toml:10:1: tenants[0].deliveries[0].match: missing required key",
        ),
        (
            "[[tenants.deliveries]]\nmatch = \"a\"\ncommand = \" \"\n",
            "config.toml:12:1: tenants[0].deliveries[0].command: command must not be empty",
        ),
        (
            "[tenants.delivery]\ncommand = \"true\"\ntimeout_secs = 0\n",
            "config.toml:12:1: tenants[0].delivery.timeout_secs: timeout must be between 1 and 600 seconds",
        ),
        (
            "[tenants.delivery]\ncommand = \"true\"\nargs = []\n",
            "config.toml:12:1: tenants[0].delivery.args: unknown key \"args\" \
             (expected one of command, timeout_secs)",
        ),
    ];
    for (extra, expected) in cases {
        let err = parse_err(&with_deliveries(extra)).to_string();
        assert_eq!(err, expected, "{extra}");
    }
    let err = parse_err(&format!(
        "[[tenants]]\nname = \"t\"\nplatform = \"project44\"\nregion = \"na\"\ndelivery = \"pass\"\n\n{P44_AUTH}"
    ));
    assert_eq!(err.key(), Some("tenants[0].delivery"));
    assert!(err.message().contains("expected a table"), "{err}");
}

#[test]
fn page_size_is_optional_and_validated() {
    let cfg = parse(&p44("region = \"na\"")).expect("valid");
    assert_eq!(cfg.tenants()[0].page_size(), None);
    let cfg = parse(&p44("region = \"na\"\npage_size = 250")).expect("valid");
    assert_eq!(cfg.tenants()[0].page_size(), Some(250));
    for bad in ["0", "1001", "-5"] {
        let err = parse_err(&p44(&format!("region = \"na\"\npage_size = {bad}")));
        assert_eq!(
            err.message(),
            "page_size must be between 1 and 1000",
            "{bad}"
        );
        assert_eq!(err.key(), Some("tenants[0].page_size"), "{bad}");
    }
}

#[test]
fn qps_is_optional_and_refused_unless_positive() {
    let cfg = parse(&p44("region = \"na\"")).expect("valid");
    assert_eq!(cfg.tenants()[0].qps(), None);
    let cfg = parse(&p44("region = \"na\"\nqps = 5")).expect("valid");
    assert_eq!(cfg.tenants()[0].qps(), Some(5));
    for bad in ["0", "-2", "1001"] {
        let err = parse_err(&p44(&format!("region = \"na\"\nqps = {bad}")));
        assert_eq!(
            err.to_string(),
            "config.toml:5:1: tenants[0].qps: qps must be between 1 and 1000 calls a second",
            "{bad}"
        );
    }
    let err = parse_err(&p44("region = \"na\"\nqps = 2.5"));
    assert_eq!(err.key(), Some("tenants[0].qps"));
    assert!(err.message().contains("expected an integer"), "{err}");
}

const ONE_TENANT: &str = "[[tenants]]\nname = \"t\"\nplatform = \"project44\"\nregion = \"na\"\n\n[tenants.auth]\nusername = \"u\"\npassword = \"p\"\n";

#[test]
fn the_console_table_is_optional_and_defaults_to_mouse_on_and_a_timed_clear() {
    let config = parse(ONE_TENANT).expect("valid");
    assert!(config.console().mouse());
    assert_eq!(
        config.console().clipboard_clear_after(),
        Some(Duration::from_secs(30))
    );
    let text = format!("[console]\nmouse = false\nclipboard_clear_secs = 0\n\n{ONE_TENANT}");
    let config = parse(&text).expect("valid");
    assert!(!config.console().mouse());
    assert_eq!(config.console().clipboard_clear_after(), None);
}

#[test]
fn console_keys_are_checked_with_their_place() {
    let text = format!(
        "{ONE_TENANT}\n[console]\nmouse = \"no\"\nclipboard_clear_secs = 7200\nwheel = 1\n"
    );
    let errors = Config::parse_all(&text, "config.toml").expect_err("invalid");
    let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all[0].contains("console.wheel: unknown key"), "{all:?}");
    assert!(
        all[1].contains("console.mouse: expected true or false"),
        "{all:?}"
    );
    assert!(
        all[2].contains("clipboard_clear_secs must be between 0 and 3600"),
        "{all:?}"
    );
    assert!(all[2].starts_with("config.toml:12:"), "{all:?}");
}
