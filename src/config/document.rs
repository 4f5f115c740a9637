//! The shape of `config.toml` as a JSON Schema, for editors (taplo, Even
//! Better TOML) and for `portico config check`.
//!
//! The loader (`load.rs`) walks the spanned TOML by hand so every error has
//! a position; these types only describe the document for schemars. A test
//! compares their keys with the ones the loader accepts, so the two cannot
//! drift apart. What depends on the platform (its regions and credential
//! keys) comes from the platform registry, as in the loader.

use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings, json_schema};
use serde_json::{Map, Value, json};

use super::schema::PlatformKind;
use crate::platform::registry::auth_key;

/// A Portico configuration: the tenants to administer, and how the console behaves.
#[derive(JsonSchema)]
#[schemars(title = "Portico configuration", deny_unknown_fields)]
#[allow(dead_code)] // read by the derive only
struct ConfigFile {
    /// One `[[tenants]]` table per platform account.
    #[schemars(length(min = 1))]
    tenants: Vec<TenantDoc>,
    console: Option<ConsoleDoc>,
}

/// A platform account Portico administers.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct TenantDoc {
    /// Shown in the tenant picker and status line; unique, no control characters.
    #[schemars(length(min = 1))]
    name: String,
    /// Which platform the tenant is on.
    #[schemars(schema_with = "platform_schema")]
    platform: String,
    /// Picks the API address, where the platform has regions.
    region: Option<Region>,
    /// An http:// or https:// address; it wins over `region`.
    #[schemars(regex(pattern = r"^https?://"))]
    base_url: Option<String>,
    /// A colour name (red, light-blue, ...) or `#rrggbb`, used in the tenant's chrome.
    color: Option<String>,
    /// Refuse every change.
    read_only: Option<bool>,
    /// Confirm destructive actions by typing the resource's name.
    protected: Option<bool>,
    /// Per-request timeout in seconds (default 20).
    #[schemars(range(min = 1, max = 300))]
    timeout_secs: Option<u32>,
    /// The largest answer read, in MiB (default 8).
    #[schemars(range(min = 1, max = 1024))]
    max_body_mib: Option<u32>,
    /// Rows asked for per list request (default: the platform's own).
    #[schemars(range(min = 1, max = 1000))]
    page_size: Option<u32>,
    /// Calls a second the tenant's API key may make.
    #[schemars(range(min = 1, max = 1000))]
    qps: Option<u32>,
    /// The credentials; which keys depends on `platform`.
    #[schemars(schema_with = "auth_schema")]
    auth: Value,
    /// Where a newly issued secret goes, for every resource of the tenant.
    delivery: Option<DeliveryDoc>,
    /// Deliveries by resource name pattern; the first match wins.
    deliveries: Option<Vec<PatternDeliveryDoc>>,
}

/// The `[console]` table.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct ConsoleDoc {
    /// Read clicks and the wheel (default true).
    mouse: Option<bool>,
    /// Seconds a copied secret stays on the desktop clipboard; 0 never clears (default 30).
    #[schemars(range(min = 0, max = 3600))]
    clipboard_clear_secs: Option<u32>,
}

/// A command that reads the new secret on stdin.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct DeliveryDoc {
    /// Run with `sh -c`; the secret arrives on stdin.
    #[schemars(length(min = 1))]
    command: String,
    /// Seconds before the command is killed (default 30).
    #[schemars(range(min = 1, max = 600))]
    timeout_secs: Option<u32>,
}

/// A delivery for the resources whose name matches.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct PatternDeliveryDoc {
    /// A resource name pattern: `*` any run, `?` one character.
    #[serde(rename = "match")]
    #[schemars(length(min = 1))]
    pattern: String,
    /// Run with `sh -c`; the secret arrives on stdin.
    #[schemars(length(min = 1))]
    command: String,
    /// Seconds before the command is killed (default 30).
    #[schemars(range(min = 1, max = 600))]
    timeout_secs: Option<u32>,
}

fn platform_schema(_: &mut SchemaGenerator) -> Schema {
    let names: Vec<&str> = PlatformKind::all().map(PlatformKind::as_str).collect();
    json_schema!({ "type": "string", "enum": names })
}

/// A region name; an optional field of this type stays optional, which a
/// field-level `schema_with` would not.
struct Region;

impl JsonSchema for Region {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Region".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        region_schema(generator)
    }
}

fn region_schema(_: &mut SchemaGenerator) -> Schema {
    let mut names: Vec<&str> = PlatformKind::all()
        .flat_map(|p| p.regions().iter().map(|(r, _)| *r))
        .collect();
    names.sort_unstable();
    names.dedup();
    json_schema!({ "type": "string", "enum": names })
}

/// Every platform's credential keys; the per-platform groups are added
/// to the tenant as `if platform = X then auth takes one of its groups`.
fn auth_schema(_: &mut SchemaGenerator) -> Schema {
    let mut keys: Vec<&str> = PlatformKind::all()
        .flat_map(|p| p.auth_groups().iter().flat_map(|g| g.iter()))
        .map(|k| auth_key(k).0)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let properties: Map<String, Value> = keys
        .iter()
        .map(|k| {
            (
                (*k).to_owned(),
                json!({ "$ref": "#/definitions/Credential" }),
            )
        })
        .collect();
    json_schema!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    })
}

fn credential() -> Value {
    let form = |key: &str, what: &str| {
        json!({
            "type": "object",
            "properties": { key: { "type": "string", "minLength": 1, "description": what } },
            "required": [key],
            "additionalProperties": false,
        })
    };
    json!({
        "description": "The secret itself, an environment variable, or a command's trimmed stdout.",
        "oneOf": [
            { "type": "string" },
            form("env", "Read from this environment variable when the tenant is used."),
            form("command", "The trimmed stdout of `sh -c COMMAND`, run when the tenant is used."),
        ],
    })
}

/// `if platform = X then auth holds one complete credential group of X`.
fn per_platform_auth() -> Value {
    let rules: Vec<Value> = PlatformKind::all()
        .map(|p| {
            let groups: Vec<Value> = p
                .auth_groups()
                .iter()
                .map(|group| {
                    let required: Vec<&str> = group
                        .iter()
                        .map(|k| auth_key(k))
                        .filter(|(_, needed)| *needed)
                        .map(|(k, _)| k)
                        .collect();
                    let allowed: Map<String, Value> = group
                        .iter()
                        .map(|k| (auth_key(k).0.to_owned(), json!(true)))
                        .collect();
                    json!({ "required": required, "properties": allowed, "additionalProperties": false })
                })
                .collect();
            let regions: Vec<&str> = p.regions().iter().map(|(r, _)| *r).collect();
            json!({
                "if": { "properties": { "platform": { "const": p.as_str() } }, "required": ["platform"] },
                "then": {
                    "properties": {
                        "auth": { "anyOf": groups },
                        "region": { "enum": regions },
                    }
                }
            })
        })
        .collect();
    Value::Array(rules)
}

/// TOML has no null: an absent key is how a value is left out.
fn drop_null_types(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    let only = only.clone();
                    map.insert("type".into(), only);
                }
            }
            // `Option<Struct>` is `anyOf: [{$ref}, {type: null}]`: keep the ref alone.
            if let Some(Value::Array(options)) = map.get_mut("anyOf") {
                options.retain(|o| o != &json!({ "type": "null" }));
                if let [Value::Object(only)] = options.as_slice() {
                    let only = only.clone();
                    map.remove("anyOf");
                    map.extend(only);
                }
            }
            map.values_mut().for_each(drop_null_types);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_types),
        _ => {}
    }
}

/// The config file's schema (draft 7, which TOML language servers read).
pub fn json_schema() -> Value {
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<ConfigFile>();
    let mut value = schema.to_value();
    drop_null_types(&mut value);
    if let Some(root) = value.as_object_mut() {
        let definitions = root
            .entry("definitions")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(defs) = definitions.as_object_mut() {
            defs.insert("Credential".into(), credential());
            if let Some(Value::Object(tenant)) = defs.get_mut("TenantDoc") {
                tenant.insert("allOf".into(), per_platform_auth());
            }
        }
    }
    value
}

/// The schema as committed in `assets/config.schema.json`.
pub fn json_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&json_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// What the schema says is wrong with config text, each as
/// `key.path: message`; empty when it conforms or is not TOML at all
/// (the loader reports syntax with its position).
pub fn schema_violations(text: &str) -> Vec<String> {
    let Ok(document) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let Ok(instance) = serde_json::to_value(document) else {
        return Vec::new();
    };
    let validator = match jsonschema::validator_for(&json_schema()) {
        Ok(validator) => validator,
        Err(err) => return vec![format!("the built-in schema is invalid: {err}")],
    };
    let mut out: Vec<String> = validator
        .iter_errors(&instance)
        .map(|err| {
            let path = key_path(&err.instance_path.to_string());
            let at = if path.is_empty() {
                "(top level)"
            } else {
                &path
            };
            // A table or array may hold credentials, and so may anything
            // under `auth`: those are never echoed, only a plain value elsewhere.
            let secretive = path.split('.').any(|k| k == "auth")
                || err.instance.is_object()
                || err.instance.is_array();
            if secretive {
                format!("{at}: {}", err.masked())
            } else {
                format!("{at}: {err}")
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `/tenants/0/auth` to `tenants[0].auth`, as the loader names keys.
fn key_path(pointer: &str) -> String {
    let mut out = String::new();
    for part in pointer.split('/').filter(|p| !p.is_empty()) {
        let part = part.replace("~1", "/").replace("~0", "~");
        if part.chars().all(|c| c.is_ascii_digit()) {
            out.push('[');
            out.push_str(&part);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn properties<'a>(schema: &'a Value, def: &str) -> Vec<&'a str> {
        let mut keys: Vec<&str> = schema["definitions"][def]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys
    }

    /// The keys the loader accepts, read from its "expected one of" message.
    fn loader_keys(text: &str, key: &str) -> Vec<String> {
        let errors = super::super::Config::parse_all(text, "t").unwrap_err();
        let message = errors
            .iter()
            .map(ToString::to_string)
            .find(|e| e.contains(&format!("{key}: unknown key")))
            .unwrap_or_else(|| panic!("no unknown-key error for {key}: {errors:?}"));
        let list = message.split("expected one of ").nth(1).unwrap();
        let mut keys: Vec<String> = list
            .trim_end_matches(')')
            .split(", ")
            .map(str::to_owned)
            .collect();
        keys.sort();
        keys
    }

    const TENANT: &str =
        "[[tenants]]\nname = \"a\"\nplatform = \"losant\"\n[tenants.auth]\ntoken = \"t\"\n";

    #[test]
    fn schema_keys_are_the_loaders_keys() {
        let schema = json_schema();
        let tenant = loader_keys(&format!("{TENANT}\n[[tenants]]\nzz = 1\n"), "tenants[1].zz");
        assert_eq!(properties(&schema, "TenantDoc"), tenant);
        let console = loader_keys(&format!("{TENANT}[console]\nzz = 1\n"), "console.zz");
        assert_eq!(properties(&schema, "ConsoleDoc"), console);
        let delivery = loader_keys(
            &format!("{TENANT}[[tenants.deliveries]]\nmatch = \"x\"\ncommand = \"c\"\nzz = 1\n"),
            "tenants[0].deliveries[0].zz",
        );
        assert_eq!(properties(&schema, "PatternDeliveryDoc"), delivery);
    }

    #[test]
    fn the_example_config_conforms() {
        let text = std::fs::read_to_string("config.example.toml").unwrap();
        assert_eq!(schema_violations(&text), Vec::<String>::new());
    }

    #[test]
    fn violations_name_the_key_path() {
        let text = "[[tenants]]\nname = \"a\"\nplatform = \"losant\"\ntimeout_secs = 0\n\
                    [tenants.auth]\ntoken = \"t\"\n[console]\nmouse = \"yes\"\n";
        let found = schema_violations(text);
        assert!(
            found
                .iter()
                .any(|v| v.starts_with("tenants[0].timeout_secs: ")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|v| v.starts_with("console.mouse: ")),
            "{found:?}"
        );
        let wrong_auth = "[[tenants]]\nname = \"a\"\nplatform = \"project44\"\nregion = \"na\"\n[tenants.auth]\ntoken = \"t\"\n";
        let found = schema_violations(wrong_auth);
        assert!(
            found.iter().any(|v| v.starts_with("tenants[0].auth: ")),
            "{found:?}"
        );
        assert!(
            found.iter().all(|v| !v.contains("\"t\"")),
            "a credential was echoed: {found:?}"
        );
        assert_eq!(
            key_path("/tenants/12/deliveries/0/match"),
            "tenants[12].deliveries[0].match"
        );
    }
}
