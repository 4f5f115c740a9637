//! Parsing and validation: TOML text to [`Config`], with every error pointing
//! at a line, a column and a key.
//!
//! The document is parsed into toml's spanned tree (`DeTable`) and walked by
//! hand rather than deserialized with serde: serde would stop at the first
//! unknown field with a generic message, while here every rule can name the
//! exact key and the exact place.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::str::FromStr;
use std::time::Duration;

use ratatui::style::Color;
use reqwest::Url;
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};
use zeroize::Zeroizing;

use super::Config;
use super::console::Console;
use super::credential::Credential;
use super::delivery::{self, Delivery};
use super::error::ConfigError;
use super::schema::{Auth, PlatformKind, Tenant};
use crate::platform::registry::auth_key;

const TENANT_KEYS: [&str; 15] = [
    "name",
    "platform",
    "region",
    "base_url",
    "color",
    "read_only",
    "protected",
    "timeout_secs",
    "max_body_mib",
    "page_size",
    "qps",
    "refresh_secs",
    "auth",
    "delivery",
    "deliveries",
];

const CONSOLE_KEYS: [&str; 3] = ["mouse", "clipboard_clear_secs", "theme"];
/// Up to an hour: longer than that is "never", which is 0.
const CLIPBOARD_CLEAR_RANGE: std::ops::RangeInclusive<i64> = 0..=3600;

const DELIVERY_KEYS: [&str; 3] = ["match", "command", "timeout_secs"];
const DELIVERY_TIMEOUT_RANGE: std::ops::RangeInclusive<i64> = 1..=600;

const TIMEOUT_RANGE: std::ops::RangeInclusive<i64> = 1..=300;
const DEFAULT_TIMEOUT_SECS: u64 = 20;
/// A larger answer is refused rather than held: a list page is far smaller.
const MAX_BODY_RANGE: std::ops::RangeInclusive<i64> = 1..=1024;
const DEFAULT_MAX_BODY_MIB: usize = 8;
/// Rows asked for per list request; unset leaves each adapter its own default.
const PAGE_SIZE_RANGE: std::ops::RangeInclusive<i64> = 1..=1000;
/// Calls a second; unset leaves each adapter its gateway's default.
const QPS_RANGE: std::ops::RangeInclusive<i64> = 1..=1000;
/// Seconds between automatic refreshes: faster than 5 s mostly spends
/// the tenant's rate limit, slower than a day is not "automatic".
const REFRESH_RANGE: std::ops::RangeInclusive<i64> = 5..=86_400;

type Entry<'a, 'i> = (&'a Spanned<DeString<'i>>, &'a Spanned<DeValue<'i>>);

/// Parses and validates `text`; `origin` names it in error messages.
/// Every error found is returned, tenant by tenant in file order, each
/// tenant's keys in the order they are checked: a rule broken in one
/// place does not hide the next. A TOML syntax error stops at once, as
/// nothing after it can be read reliably.
pub(super) fn parse(text: &str, origin: &str) -> Result<Config, Vec<ConfigError>> {
    let root = DeTable::parse(text)
        .map_err(|err| vec![ConfigError::syntax(origin, text, err.span(), err.message())])?;
    let ctx = Ctx {
        text,
        origin,
        errors: RefCell::new(Vec::new()),
    };
    let (tenants, console) = ctx.root(root.get_ref());
    let errors = ctx.errors.into_inner();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Config {
        tenants,
        console,
        origin: origin.to_owned(),
        path: None,
    })
}

struct Ctx<'t> {
    text: &'t str,
    origin: &'t str,
    /// Every rule broken so far; checking goes on after each.
    errors: RefCell<Vec<ConfigError>>,
}

impl Ctx<'_> {
    /// Records a failed check and goes on without its value.
    fn keep<T>(&self, result: Result<T, ConfigError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.errors.borrow_mut().push(err);
                None
            }
        }
    }

    fn record(&self, err: ConfigError) {
        self.errors.borrow_mut().push(err);
    }

    fn error_count(&self) -> usize {
        self.errors.borrow().len()
    }

    fn err(&self, span: &Range<usize>, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::invalid(
            self.origin,
            self.text,
            span.start,
            key.to_owned(),
            message.into(),
        )
    }

    fn root(&self, root: &DeTable<'_>) -> (Vec<Tenant>, Console) {
        let mut tenants_entry = None;
        let mut console = Console::default();
        for (key, value) in in_file_order(root) {
            match key.get_ref().as_ref() {
                "tenants" => tenants_entry = Some((key, value)),
                "console" => console = self.console(key, value),
                other => self.record(self.err(
                    &key.span(),
                    &path_child("", other),
                    format!(
                        "unknown key {other:?} (the top level holds only [[tenants]] and [console])"
                    ),
                )),
            }
        }
        (self.tenants(tenants_entry), console)
    }

    /// The `[console]` table; a broken key is recorded and keeps its default.
    fn console(&self, key: &Spanned<DeString<'_>>, value: &Spanned<DeValue<'_>>) -> Console {
        let mut console = Console::default();
        let DeValue::Table(table) = value.get_ref() else {
            self.record(self.err(
                &key.span(),
                "console",
                format!("expected a table, found {}", describe_type(value.get_ref())),
            ));
            return console;
        };
        let mut fields: HashMap<&str, Entry<'_, '_>> = HashMap::new();
        for (key, value) in in_file_order(table) {
            let name = key.get_ref().as_ref();
            match CONSOLE_KEYS.iter().find(|k| **k == name) {
                Some(known) => {
                    fields.insert(known, (key, value));
                }
                None => self.record(self.err(
                    &key.span(),
                    &path_child("console", name),
                    format!(
                        "unknown key {name:?} (expected one of {})",
                        CONSOLE_KEYS.join(", ")
                    ),
                )),
            }
        }
        if fields.contains_key("mouse")
            && let Some(mouse) = self.keep(self.flag(&fields, "console", "mouse"))
        {
            console.mouse = mouse;
        }
        if let Some(&(key, value)) = fields.get("clipboard_clear_secs") {
            let key_path = path_child("console", "clipboard_clear_secs");
            let secs = self.keep(self.integer(key, value, &key_path).and_then(|secs| {
                secs.filter(|s| CLIPBOARD_CLEAR_RANGE.contains(s))
                    .and_then(|s| u64::try_from(s).ok())
                    .ok_or_else(|| {
                        self.err(
                            &key.span(),
                            &key_path,
                            format!(
                                "clipboard_clear_secs must be between {} and {} (0 never clears)",
                                CLIPBOARD_CLEAR_RANGE.start(),
                                CLIPBOARD_CLEAR_RANGE.end()
                            ),
                        )
                    })
            }));
            if let Some(secs) = secs {
                console.clipboard_clear_secs = secs;
            }
        }
        if let Some(&(key, value)) = fields.get("theme") {
            let key_path = path_child("console", "theme");
            let name = self.keep(self.string(key, value, &key_path).and_then(|name| {
                // The name becomes a file name under the config directory.
                let plain = !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if plain {
                    Ok(name.to_owned())
                } else {
                    Err(self.err(
                        &value.span(),
                        &key_path,
                        format!(
                            "theme {name:?} is not a theme name (letters, digits, - and _; \
                             built in: dark, light, high-contrast)"
                        ),
                    ))
                }
            }));
            if let Some(name) = name {
                console.theme = name;
            }
        }
        console
    }

    fn tenants(&self, tenants_entry: Option<Entry<'_, '_>>) -> Vec<Tenant> {
        let Some((key, value)) = tenants_entry else {
            self.record(self.err(
                &(0..0),
                "tenants",
                "no tenants; add at least one [[tenants]] table",
            ));
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.record(self.err(
                &key.span(),
                "tenants",
                format!(
                    "expected an array of tables ([[tenants]]), found {}",
                    describe_type(value.get_ref())
                ),
            ));
            return Vec::new();
        };
        if items.is_empty() {
            self.record(self.err(
                &key.span(),
                "tenants",
                "no tenants; add at least one [[tenants]] table",
            ));
        }
        let mut tenants: Vec<Tenant> = Vec::with_capacity(items.len());
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (index, item) in items.iter().enumerate() {
            let path = format!("tenants[{index}]");
            let DeValue::Table(table) = item.get_ref() else {
                self.record(self.err(
                    &item.span(),
                    &path,
                    format!("expected a table, found {}", describe_type(item.get_ref())),
                ));
                continue;
            };
            if let Some(tenant) = self.tenant(table, &item.span(), &path, &mut seen, index) {
                tenants.push(tenant);
            }
        }
        tenants
    }

    /// One `[[tenants]]` table; `None` when any of its keys is wrong (each
    /// recorded). Keys that depend on a broken one (a region of an unknown
    /// platform) are not judged.
    fn tenant(
        &self,
        table: &DeTable<'_>,
        header: &Range<usize>,
        path: &str,
        seen: &mut HashMap<String, usize>,
        index: usize,
    ) -> Option<Tenant> {
        let before = self.error_count();
        let mut fields: HashMap<&str, Entry<'_, '_>> = HashMap::new();
        for (key, value) in in_file_order(table) {
            let name = key.get_ref().as_ref();
            match TENANT_KEYS.iter().find(|k| **k == name) {
                Some(known) => {
                    fields.insert(known, (key, value));
                }
                None => self.record(self.err(
                    &key.span(),
                    &path_child(path, name),
                    format!(
                        "unknown key {name:?} (expected one of {})",
                        TENANT_KEYS.join(", ")
                    ),
                )),
            }
        }

        let name = match fields.get("name") {
            None => self.keep(Err(self.missing(header, path, "name"))),
            Some(&(key, value)) => {
                let key_path = path_child(path, "name");
                self.keep(self.string(key, value, &key_path).and_then(|name| {
                    self.check_name(name, &key.span(), &key_path, seen)?;
                    Ok(name.to_owned())
                }))
            }
        };
        if let Some(name) = &name {
            seen.entry(name.clone()).or_insert(index);
        }

        let platform = match fields.get("platform") {
            None => self.keep(Err(self.missing(header, path, "platform"))),
            Some(&(key, value)) => {
                let key_path = path_child(path, "platform");
                self.keep(self.string(key, value, &key_path).and_then(|text| {
                    PlatformKind::from_config_name(text).ok_or_else(|| {
                        self.err(
                            &key.span(),
                            &key_path,
                            format!(
                                "unknown platform {text:?} (expected one of {})",
                                platform_list()
                            ),
                        )
                    })
                }))
            }
        };

        let region = match (fields.get("region"), platform) {
            (None, _) => Some(None),
            // Which regions exist depends on the platform.
            (Some(_), None) => None,
            (Some(&(key, value)), Some(platform)) => {
                let key_path = path_child(path, "region");
                self.keep(self.string(key, value, &key_path).and_then(|text| {
                    platform
                        .regions()
                        .iter()
                        .find(|(r, _)| *r == text)
                        .map(|(_, url)| Some((text.to_owned(), *url)))
                        .ok_or_else(|| {
                            self.err(&key.span(), &key_path, region_message(platform, text))
                        })
                }))
            }
        };

        let base_url = match fields.get("base_url") {
            None => Some(None),
            Some(&(key, value)) => {
                let key_path = path_child(path, "base_url");
                self.keep(self.string(key, value, &key_path).and_then(|text| {
                    check_base_url(text)
                        .map(Some)
                        .map_err(|message| self.err(&key.span(), &key_path, message))
                }))
            }
        };

        // base_url wins over region: it is how a private install, a proxy or
        // the simulator is reached, and the region is then only a label.
        let address = match (&base_url, &region, platform) {
            (Some(Some(url)), _, _) => Some(url.clone()),
            (Some(None), Some(Some((_, url))), _) => Some((*url).to_owned()),
            (Some(None), Some(None), Some(platform)) => match platform.default_base_url() {
                Some(url) => Some(url.to_owned()),
                None => self.keep(Err(self.no_address(header, path, platform))),
            },
            _ => None,
        };

        let color = match fields.get("color") {
            None => Some(None),
            Some(&(key, value)) => {
                let key_path = path_child(path, "color");
                self.keep(self.string(key, value, &key_path).and_then(|text| {
                    Color::from_str(text)
                        .map(|color| Some((text.to_owned(), color)))
                        .map_err(|_| {
                            self.err(
                                &key.span(),
                                &key_path,
                                format!(
                                    "unknown color {text:?} (expected a name such as red, green, \
                                     yellow, blue, magenta, cyan, gray, white, light-blue, or #rrggbb)"
                                ),
                            )
                        })
                }))
            }
        };

        let read_only = self.keep(self.flag(&fields, path, "read_only"));
        let protected = self.keep(self.flag(&fields, path, "protected"));

        let timeout = self.ranged(
            &fields,
            (path, "timeout_secs"),
            &TIMEOUT_RANGE,
            "seconds",
            Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            |s| u64::try_from(s).ok().map(Duration::from_secs),
        );
        let max_body = self.ranged(
            &fields,
            (path, "max_body_mib"),
            &MAX_BODY_RANGE,
            "",
            DEFAULT_MAX_BODY_MIB << 20,
            |m| usize::try_from(m).ok().map(|m| m << 20),
        );
        let page_size = self.ranged(
            &fields,
            (path, "page_size"),
            &PAGE_SIZE_RANGE,
            "",
            None,
            |n| usize::try_from(n).ok().map(Some),
        );
        let qps = self.ranged(
            &fields,
            (path, "qps"),
            &QPS_RANGE,
            "calls a second",
            None,
            |n| u32::try_from(n).ok().map(Some),
        );
        let refresh = self.ranged(
            &fields,
            (path, "refresh_secs"),
            &REFRESH_RANGE,
            "(leave it out for no automatic refresh)",
            None,
            |n| u64::try_from(n).ok().map(|n| Some(Duration::from_secs(n))),
        );

        // Which credentials are valid depends on the platform.
        let auth = match (fields.get("auth"), platform) {
            (_, None) => None,
            (None, Some(platform)) => self.keep(Err(self.err(
                header,
                &path_child(path, "auth"),
                format!(
                    "missing required table [tenants.auth] ({} auth takes {})",
                    platform,
                    platform.auth_summary()
                ),
            ))),
            (Some(&(key, value)), Some(platform)) => {
                self.auth(key, value, &path_child(path, "auth"), platform)
            }
        };

        let deliveries = self.keep(self.deliveries(&fields, path));
        if self.error_count() > before {
            return None;
        }
        Some(Tenant {
            name: name?,
            platform: platform?,
            region: region?.map(|(r, _)| r),
            base_url: address?,
            color: color?,
            read_only: read_only?,
            protected: protected?,
            timeout: timeout?,
            max_body: max_body?,
            page_size: page_size?,
            qps: qps?,
            refresh: refresh?,
            auth: auth?,
            deliveries: deliveries?,
        })
    }

    /// `[[tenants.deliveries]]` in file order, then `[tenants.delivery]`,
    /// so a pattern wins over the tenant-wide command.
    fn deliveries(
        &self,
        fields: &HashMap<&str, Entry<'_, '_>>,
        path: &str,
    ) -> Result<Vec<Delivery>, ConfigError> {
        let mut out = Vec::new();
        if let Some(&(key, value)) = fields.get("deliveries") {
            let key_path = path_child(path, "deliveries");
            let DeValue::Array(items) = value.get_ref() else {
                return Err(self.err(
                    &key.span(),
                    &key_path,
                    format!(
                        "expected an array of tables ([[tenants.deliveries]]), found {}",
                        describe_type(value.get_ref())
                    ),
                ));
            };
            for (index, item) in items.iter().enumerate() {
                let item_path = format!("{key_path}[{index}]");
                let DeValue::Table(table) = item.get_ref() else {
                    return Err(self.err(
                        &item.span(),
                        &item_path,
                        format!("expected a table, found {}", describe_type(item.get_ref())),
                    ));
                };
                out.push(self.delivery(table, &item.span(), &item_path, true)?);
            }
        }
        if let Some(&(key, value)) = fields.get("delivery") {
            let key_path = path_child(path, "delivery");
            let DeValue::Table(table) = value.get_ref() else {
                return Err(self.err(
                    &key.span(),
                    &key_path,
                    format!(
                        "expected a table ([tenants.delivery]), found {}",
                        describe_type(value.get_ref())
                    ),
                ));
            };
            out.push(self.delivery(table, &value.span(), &key_path, false)?);
        }
        Ok(out)
    }

    fn delivery(
        &self,
        table: &DeTable<'_>,
        header: &Range<usize>,
        path: &str,
        patterned: bool,
    ) -> Result<Delivery, ConfigError> {
        let (mut pattern, mut command, mut timeout) = (None, None, None);
        for (key, value) in in_file_order(table) {
            let name = key.get_ref().as_ref();
            let key_path = path_child(path, name);
            match name {
                "match" if !patterned => {
                    return Err(self.err(
                        &key.span(),
                        &key_path,
                        "a pattern belongs in [[tenants.deliveries]]; \
                         [tenants.delivery] covers every resource of the tenant",
                    ));
                }
                "match" => {
                    let text = self.string(key, value, &key_path)?;
                    if text.is_empty() {
                        return Err(self.err(&key.span(), &key_path, "must not be empty"));
                    }
                    pattern = Some(text.to_owned());
                }
                "command" => {
                    let text = self.string(key, value, &key_path)?;
                    if text.trim().is_empty() {
                        return Err(self.err(&key.span(), &key_path, "command must not be empty"));
                    }
                    command = Some(text.to_owned());
                }
                "timeout_secs" => {
                    let secs = self
                        .integer(key, value, &key_path)?
                        .filter(|s| DELIVERY_TIMEOUT_RANGE.contains(s))
                        .and_then(|s| u64::try_from(s).ok())
                        .ok_or_else(|| {
                            self.err(
                                &key.span(),
                                &key_path,
                                format!(
                                    "timeout must be between {} and {} seconds",
                                    DELIVERY_TIMEOUT_RANGE.start(),
                                    DELIVERY_TIMEOUT_RANGE.end()
                                ),
                            )
                        })?;
                    timeout = Some(Duration::from_secs(secs));
                }
                other => {
                    return Err(self.err(
                        &key.span(),
                        &key_path,
                        format!(
                            "unknown key {other:?} (expected one of {})",
                            if patterned {
                                DELIVERY_KEYS.join(", ")
                            } else {
                                DELIVERY_KEYS[1..].join(", ")
                            }
                        ),
                    ));
                }
            }
        }
        if patterned && pattern.is_none() {
            return Err(self.missing(header, path, "match"));
        }
        let Some(command) = command else {
            return Err(self.missing(header, path, "command"));
        };
        Ok(Delivery::new(
            pattern,
            command,
            timeout.unwrap_or(Duration::from_secs(delivery::DEFAULT_TIMEOUT_SECS)),
        ))
    }

    fn check_name(
        &self,
        name: &str,
        span: &Range<usize>,
        key_path: &str,
        seen: &HashMap<String, usize>,
    ) -> Result<(), ConfigError> {
        if name.trim().is_empty() {
            return Err(self.err(span, key_path, "tenant name must not be empty"));
        }
        if name.chars().any(char::is_control) {
            return Err(self.err(
                span,
                key_path,
                "tenant name must not contain control characters",
            ));
        }
        if let Some(first) = seen.get(name) {
            return Err(self.err(
                span,
                key_path,
                format!("duplicate tenant name {name:?} (already used by tenants[{first}])"),
            ));
        }
        Ok(())
    }

    fn missing(&self, header: &Range<usize>, path: &str, key: &str) -> ConfigError {
        self.err(header, &path_child(path, key), "missing required key")
    }

    fn no_address(&self, header: &Range<usize>, path: &str, platform: PlatformKind) -> ConfigError {
        let regions = platform.regions();
        if regions.is_empty() {
            self.err(
                header,
                &path_child(path, "base_url"),
                format!("{platform} has no default address; set base_url"),
            )
        } else {
            self.err(
                header,
                &path_child(path, "region"),
                format!(
                    "{platform} needs a region ({}) or a base_url",
                    region_names(platform)
                ),
            )
        }
    }

    /// An optional integer key that must lie in `range`: `absent` when it
    /// is left out, `convert`ed when it is in range, `None` when it is
    /// wrong (the error is kept).
    fn ranged<T>(
        &self,
        fields: &HashMap<&str, Entry<'_, '_>>,
        (path, name): (&str, &str),
        range: &std::ops::RangeInclusive<i64>,
        unit: &str,
        absent: T,
        convert: impl Fn(i64) -> Option<T>,
    ) -> Option<T> {
        let Some(&(key, value)) = fields.get(name) else {
            return Some(absent);
        };
        let key_path = path_child(path, name);
        self.keep(self.integer(key, value, &key_path).and_then(|n| {
            n.filter(|n| range.contains(n))
                .and_then(&convert)
                .ok_or_else(|| {
                    let unit = if unit.is_empty() {
                        String::new()
                    } else {
                        format!(" {unit}")
                    };
                    self.err(
                        &key.span(),
                        &key_path,
                        format!(
                            "{name} must be between {} and {}{unit}",
                            range.start(),
                            range.end()
                        ),
                    )
                })
        }))
    }

    fn flag(
        &self,
        fields: &HashMap<&str, Entry<'_, '_>>,
        path: &str,
        name: &str,
    ) -> Result<bool, ConfigError> {
        match fields.get(name) {
            None => Ok(false),
            Some(&(key, value)) => match value.get_ref() {
                DeValue::Boolean(b) => Ok(*b),
                other => Err(self.err(
                    &key.span(),
                    &path_child(path, name),
                    format!("expected true or false, found {}", describe_type(other)),
                )),
            },
        }
    }

    fn string<'v>(
        &self,
        key: &Spanned<DeString<'_>>,
        value: &'v Spanned<DeValue<'_>>,
        key_path: &str,
    ) -> Result<&'v str, ConfigError> {
        match value.get_ref() {
            DeValue::String(s) => Ok(s.as_ref()),
            other => Err(self.err(
                &key.span(),
                key_path,
                format!("expected a string, found {}", describe_type(other)),
            )),
        }
    }

    /// `Ok(None)` for an integer too large for i64, so the caller reports it
    /// as out of range rather than as the wrong type.
    fn integer(
        &self,
        key: &Spanned<DeString<'_>>,
        value: &Spanned<DeValue<'_>>,
        key_path: &str,
    ) -> Result<Option<i64>, ConfigError> {
        match value.get_ref() {
            DeValue::Integer(i) => Ok(i64::from_str_radix(i.as_str(), i.radix()).ok()),
            other => Err(self.err(
                &key.span(),
                key_path,
                format!("expected an integer, found {}", describe_type(other)),
            )),
        }
    }

    fn auth(
        &self,
        key: &Spanned<DeString<'_>>,
        value: &Spanned<DeValue<'_>>,
        path: &str,
        platform: PlatformKind,
    ) -> Option<Auth> {
        let before = self.error_count();
        let DeValue::Table(table) = value.get_ref() else {
            return self.keep(Err(self.err(
                &key.span(),
                path,
                format!(
                    "expected a table ([tenants.auth]), found {}",
                    describe_type(value.get_ref())
                ),
            )));
        };
        let groups = platform.auth_groups();
        let takes = || format!("{platform} auth takes {}", platform.auth_summary());
        let mut auth = Auth::default();
        // The first key decides which group the user meant; keys of any
        // other group then conflict with it.
        let mut chosen: Option<(usize, String)> = None;
        for (cred_key, cred_value) in in_file_order(table) {
            let name = cred_key.get_ref().as_ref();
            let key_path = path_child(path, name);
            let Some(group) = groups
                .iter()
                .position(|g| g.iter().any(|k| auth_key(k).0 == name))
            else {
                self.record(self.err(
                    &cred_key.span(),
                    &key_path,
                    format!("unknown key {name:?} ({})", takes()),
                ));
                continue;
            };
            match &chosen {
                None => chosen = Some((group, name.to_owned())),
                Some((first_group, first_key)) if *first_group != group => {
                    self.record(self.err(
                        &cred_key.span(),
                        &key_path,
                        format!("cannot be combined with {first_key} ({})", takes()),
                    ));
                    continue;
                }
                Some(_) => {}
            }
            if let Some(credential) = self.keep(self.credential(cred_key, cred_value, &key_path)) {
                auth.push(name.to_owned(), credential);
            }
        }
        // A header table's span starts at `[tenants.auth]`, an inline one's
        // at its `{`: either way the spot to add the missing key.
        if self.error_count() > before {
            // A key already reported (a typo, a bad value) would only be
            // reported again as missing.
            return None;
        }
        let Some((group, _)) = chosen else {
            return self.keep(Err(self.err(
                &value.span(),
                path,
                format!("no credentials ({})", takes()),
            )));
        };
        if let Some(missing) = groups[group]
            .iter()
            .map(|k| auth_key(k))
            .find(|(k, required)| *required && !auth.contains(k))
            .map(|(k, _)| k)
        {
            return self.keep(Err(self.err(
                &value.span(),
                &path_child(path, missing),
                format!("missing required key ({})", takes()),
            )));
        }
        Some(auth)
    }

    fn credential(
        &self,
        key: &Spanned<DeString<'_>>,
        value: &Spanned<DeValue<'_>>,
        key_path: &str,
    ) -> Result<Credential, ConfigError> {
        const EXPECTED: &str = "expected a string, { env = \"VAR\" } or { command = \"...\" }";
        match value.get_ref() {
            DeValue::String(s) if s.is_empty() => {
                Err(self.err(&key.span(), key_path, "must not be empty"))
            }
            DeValue::String(s) => Ok(Credential::Literal(Zeroizing::new(s.to_string()))),
            DeValue::Table(table) => {
                let mut source: Option<(&str, &str)> = None;
                for (inner_key, inner_value) in in_file_order(table) {
                    let name = inner_key.get_ref().as_ref();
                    let inner_path = path_child(key_path, name);
                    if name != "env" && name != "command" {
                        return Err(self.err(
                            &inner_key.span(),
                            &inner_path,
                            format!("unknown key {name:?} ({EXPECTED})"),
                        ));
                    }
                    if let Some((first, _)) = source {
                        return Err(self.err(
                            &inner_key.span(),
                            key_path,
                            format!(
                                "give either env or command, not both (found {first} and {name})"
                            ),
                        ));
                    }
                    let text = self.string(inner_key, inner_value, &inner_path)?;
                    source = Some((name, text));
                }
                match source {
                    None => Err(self.err(
                        &key.span(),
                        key_path,
                        format!("{EXPECTED}, found an empty table"),
                    )),
                    Some(("env", var)) => {
                        if var.is_empty() || var.contains(['=', '\0']) {
                            Err(self.err(
                                &key.span(),
                                &path_child(key_path, "env"),
                                format!("{var:?} is not a valid environment variable name"),
                            ))
                        } else {
                            Ok(Credential::Env(var.to_owned()))
                        }
                    }
                    Some((_, command)) => {
                        if command.trim().is_empty() {
                            Err(self.err(
                                &key.span(),
                                &path_child(key_path, "command"),
                                "command must not be empty",
                            ))
                        } else {
                            Ok(Credential::Command(command.to_owned()))
                        }
                    }
                }
            }
            other => Err(self.err(
                &key.span(),
                key_path,
                format!("{EXPECTED}, found {}", describe_type(other)),
            )),
        }
    }
}

/// Entries sorted by where they appear, so the first error reported is the
/// first one in the file (the map itself is ordered by key name).
fn in_file_order<'a, 'i>(table: &'a DeTable<'i>) -> Vec<Entry<'a, 'i>> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// Validates an http(s) address and drops trailing slashes, so callers can
/// append `/path` without doubling it.
fn check_base_url(raw: &str) -> Result<String, String> {
    // Every message below quotes the address without its password.
    let text = &redacted(raw);
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("invalid URL {text:?}: contains whitespace"));
    }
    if !text.contains("://") {
        return Err(format!(
            "invalid URL {text:?}: it must start with http:// or https://"
        ));
    }
    let url = Url::parse(raw).map_err(|err| format!("invalid URL {text:?}: {err}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "invalid URL {text:?}: the scheme must be http or https"
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("invalid URL {text:?}: no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "invalid URL {text:?}: put credentials in [tenants.auth], not in the URL"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "invalid URL {text:?}: a base URL has no query or fragment"
        ));
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

/// `scheme://user:***@host/...`: the address with any password masked,
/// found by hand so that even an address that does not parse is masked.
pub fn redacted(text: &str) -> String {
    let Some(start) = text.find("://").map(|i| i + 3) else {
        return text.to_owned();
    };
    let rest = &text[start..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some(at) = rest[..end].rfind('@') else {
        return text.to_owned();
    };
    let user = match rest[..at].split_once(':') {
        Some((user, _)) => format!("{user}:***"),
        None => rest[..at].to_owned(),
    };
    format!("{}{user}{}", &text[..start], &rest[at..])
}

fn region_message(platform: PlatformKind, region: &str) -> String {
    if platform.regions().is_empty() {
        format!(
            "unknown region {region:?} ({platform} has no regions; use base_url for another address)"
        )
    } else {
        format!(
            "unknown region {region:?} for {platform} (expected one of {})",
            region_names(platform)
        )
    }
}

fn region_names(platform: PlatformKind) -> String {
    platform
        .regions()
        .iter()
        .map(|(r, _)| *r)
        .collect::<Vec<_>>()
        .join(", ")
}

fn platform_list() -> String {
    PlatformKind::all()
        .map(PlatformKind::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

const fn describe_type(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// `parent.key`, quoting keys that are not bare TOML keys so the path can
/// be pasted back into the file.
fn path_child(parent: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let key = if bare {
        key.to_owned()
    } else {
        format!("{key:?}")
    };
    if parent.is_empty() {
        key
    } else {
        format!("{parent}.{key}")
    }
}
