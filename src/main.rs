use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use portico::app::State;
use portico::audit::Audit;
use portico::cli::data_dir;
use portico::config::{self, Config, ConfigSource};
use portico::crash;
use portico::keymap::Keymap;
use portico::platform::registry;
use portico::runtime::{self, ClipboardSettings, Runtime, Stores};
use portico::secrets::Vault;
use portico::secrets::clipboard::Native;

const ENVIRONMENT: &str = "\
Environment:
  PORTICO_CONFIG    config file when --config is not given
  PORTICO_DATA_DIR  where the secret store of issued secrets and the audit log live
  PORTICO_LOG       diagnostics level (e.g. debug), written to portico.log in the data dir
  NO_COLOR          when set (non-empty), the console draws without colour";

#[derive(Parser)]
#[command(
    name = "portico",
    version = portico::cli::version::VERSION,
    about = "A keyboard-driven console for API-platform tenants",
    after_help = ENVIRONMENT
)]
struct Cli {
    /// Config file (else $`PORTICO_CONFIG`, else the user config dir).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Open on the tenant with this name; for a command, the tenant it acts on.
    #[arg(long, global = true, value_name = "NAME")]
    tenant: Option<String>,
    /// Run the built-in demo against the in-process simulator.
    #[arg(long)]
    demo: bool,
    /// Weather for the demo's simulator.
    #[command(flatten)]
    knobs: SimKnobs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the simulator of every supported platform over HTTP.
    Sim {
        /// Address and port to listen on; port 0 picks a free one.
        #[arg(long, default_value = "127.0.0.1:8044", value_name = "IP:PORT")]
        addr: SocketAddr,
        /// Print a config.toml for the simulated tenants and exit.
        #[arg(long)]
        print_config: bool,
        #[command(flatten)]
        knobs: SimKnobs,
    },
    /// Print the live keymap (the defaults plus keymap.toml next to the
    /// config), in the form keymap.toml takes.
    Keymap,
    /// Print a shell completion script: `portico completions bash > /etc/bash_completion.d/portico`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: portico::cli::docs::Shell,
    },
    /// Print the man page (roff): `portico man > portico.1`.
    Man,
    /// Check or locate the configuration.
    Config {
        #[command(subcommand)]
        action: ConfigCommand,
    },
    /// Secrets Portico issued that are not yet confirmed stored elsewhere.
    Secrets {
        /// Use the demo's store instead of the real one.
        #[arg(long)]
        demo: bool,
        #[command(subcommand)]
        action: SecretsCommand,
    },
    #[command(flatten)]
    Cli(portico::cli::Command),
}

/// Load and fault knobs for the simulator, on every vendor or on those
/// `--faults-on` names.
#[derive(clap::Args, Clone, Default)]
struct SimKnobs {
    /// Delay every answer by this many milliseconds.
    #[arg(long, value_name = "MS", global = true, default_value_t = 0)]
    latency: u64,
    /// Add up to this many milliseconds more, at random.
    #[arg(long, value_name = "MS", global = true, default_value_t = 0)]
    jitter: u64,
    /// Answer this share of requests (0 to 1) with a 503.
    #[arg(long, value_name = "P", global = true, default_value_t = 0.0)]
    fail_rate: f64,
    /// Answer every N-th request whose path contains --fail-path with a
    /// 503, counted from the first: failures that can be predicted.
    #[arg(long, value_name = "N", global = true)]
    fail_every: Option<u32>,
    /// The part of the path --fail-every counts.
    #[arg(
        long,
        value_name = "TEXT",
        global = true,
        default_value = "/new-secret"
    )]
    fail_path: String,
    /// Throttle past this many requests a second, as each vendor does.
    #[arg(long, value_name = "QPS", global = true)]
    throttle: Option<u32>,
    /// Mix in broken connections, truncated, malformed, huge and endless
    /// bodies, wrong content types and redirect loops.
    #[arg(long, global = true)]
    chaos: bool,
    /// Apply the knobs to these vendors only (repeatable).
    #[arg(long, value_name = "VENDOR", global = true)]
    faults_on: Vec<String>,
    /// Seed this many more applications in every tenant, with
    /// certificates and keys in proportion.
    #[arg(long, value_name = "N", global = true, default_value_t = 0)]
    scale: usize,
}

impl SimKnobs {
    fn knobs(&self) -> portico::sim::faults::Knobs {
        portico::sim::faults::Knobs::default()
            .latency(std::time::Duration::from_millis(self.latency))
            .jitter(std::time::Duration::from_millis(self.jitter))
            .fail_rate(self.fail_rate)
            .fail_every(self.fail_path.clone(), self.fail_every.unwrap_or(0))
            .throttle(self.throttle)
            .chaos(self.chaos)
            .only(self.faults_on.clone())
            .scale(self.scale)
    }
}

#[derive(Subcommand)]
enum SecretsCommand {
    /// List the pending secrets (never their values).
    Pending,
    /// Print one pending secret to stdout; details go to stderr.
    Show {
        /// The pending secret's id, as `portico secrets pending` lists it.
        #[arg(value_name = "ID")]
        id: String,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate a config file and report every error as <file:line:column>.
    Check {
        /// The file to check (default: the one Portico would use).
        path: Option<PathBuf>,
    },
    /// Show where Portico looks for its config.
    Path,
    /// Print the config file's JSON Schema, for editors' TOML language servers.
    Schema,
}

/// The simulator reads no config and opens no console, so options meant
/// for those are refused rather than silently ignored.
fn refuse_ignored_options(cli: &Cli) {
    use clap::CommandFactory;
    if !matches!(cli.command, Some(Command::Sim { .. })) {
        return;
    }
    let ignored = [
        (cli.config.is_some(), "--config"),
        (cli.tenant.is_some(), "--tenant"),
        (cli.demo, "--demo"),
    ];
    if let Some((_, flag)) = ignored.iter().find(|(given, _)| *given) {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "`portico sim` does not use {flag}: it serves its own demo tenants \
                     (`portico sim --print-config` prints their config)"
                ),
            )
            .exit();
    }
}

/// `portico` alone, or `portico --demo`: the console with every option at
/// its default. These starts, the commonest, need no parser, and building
/// clap's for every command and verb is a tenth of the time to the first
/// frame. `None` for anything else, which clap parses.
fn bare_start(args: &[std::ffi::OsString]) -> Option<bool> {
    match args {
        [] => Some(false),
        [one] if one == "--demo" => Some(true),
        _ => None,
    }
}

fn main() -> ExitCode {
    portico::platform::http::return_large_buffers();
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if let Some(demo) = bare_start(&args) {
        return console(None, None, demo, &portico::sim::faults::Knobs::default());
    }
    let cli = Cli::parse();
    refuse_ignored_options(&cli);
    let Some(command) = cli.command else {
        return console(
            cli.config.as_deref(),
            cli.tenant.as_deref(),
            cli.demo,
            &cli.knobs.knobs(),
        );
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("portico: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match command {
        Command::Sim {
            addr,
            print_config,
            knobs,
        } => serve_sim(&rt, addr, print_config, &knobs.knobs()),
        Command::Keymap => {
            let located = config::locate(cli.config.as_deref());
            match keymap_near(located.path()) {
                Ok(keymap) => {
                    print!("{}", keymap.to_toml());
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("portico: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            match portico::cli::docs::completions(shell, Cli::command(), &mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("portico: cannot write the completion script: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Man => {
            use clap::CommandFactory;
            match portico::cli::docs::man(Cli::command(), &mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("portico: cannot write the man page: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Config {
            action: ConfigCommand::Schema,
        } => {
            print!("{}", config::json_schema_text());
            ExitCode::SUCCESS
        }
        Command::Config {
            action: ConfigCommand::Path,
        } => {
            print!("{}", config::describe_lookup(cli.config.as_deref()));
            ExitCode::SUCCESS
        }
        Command::Config {
            action: ConfigCommand::Check { path },
        } => check_config(path.as_deref().or(cli.config.as_deref())),
        Command::Secrets { demo, action } => secrets(&data_dir(demo), action),
        Command::Cli(command) => {
            if let Err(err) = portico::logging::init_from_env(&data_dir(false)) {
                eprintln!("portico: {err}");
                return ExitCode::FAILURE;
            }
            portico::cli::run(&rt, cli.config.as_deref(), cli.tenant.as_deref(), &command)
        }
    }
}

/// The console starts its async runtime after its first frame.
fn console(
    config: Option<&Path>,
    tenant: Option<&str>,
    demo: bool,
    knobs: &portico::sim::faults::Knobs,
) -> ExitCode {
    match tui(config, tenant, demo, knobs) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("portico: {message}");
            ExitCode::from(2)
        }
    }
}

fn serve_sim(
    rt: &tokio::runtime::Runtime,
    addr: SocketAddr,
    print_config: bool,
    knobs: &portico::sim::faults::Knobs,
) -> ExitCode {
    if print_config {
        print!("{}", registry::demo_config(&format!("http://{addr}")));
        return ExitCode::SUCCESS;
    }
    rt.block_on(async {
        match registry::start_simulator_with(addr, knobs).await {
            Ok(running) => {
                eprintln!("portico sim listening on {}", running.base_url());
                let _ = tokio::signal::ctrl_c().await;
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("portico sim: cannot bind {addr}: {err}");
                ExitCode::FAILURE
            }
        }
    })
}

fn check_config(path: Option<&Path>) -> ExitCode {
    let located = config::locate(path);
    let checked = Config::check(located.path());
    match &checked {
        Ok(_) => {}
        Err(errors) => {
            for err in errors {
                eprintln!("{err}");
            }
            if errors.len() > 1 {
                eprintln!("{} errors", errors.len());
            }
        }
    }
    // The schema is what editors check against; a file the loader accepts
    // must pass it too, so a disagreement shows here rather than in an editor.
    let violations = std::fs::read_to_string(located.path())
        .map(|text| config::schema_violations(&text))
        .unwrap_or_default();
    for violation in &violations {
        eprintln!("{}: schema: {violation}", located.path().display());
    }
    match checked {
        Ok(_) if !violations.is_empty() => {
            eprintln!("{} schema violation(s)", violations.len());
            ExitCode::FAILURE
        }
        Ok(cfg) => {
            let names: Vec<&str> = cfg
                .tenants()
                .iter()
                .map(portico::config::Tenant::name)
                .collect();
            for warning in cfg.warnings() {
                eprintln!("warning: {warning}");
            }
            println!(
                "{}: ok, {} tenant(s): {}",
                located.path().display(),
                names.len(),
                names.join(", ")
            );
            ExitCode::SUCCESS
        }
        Err(_) => ExitCode::FAILURE,
    }
}

fn secrets(data: &Path, action: SecretsCommand) -> ExitCode {
    let vault = Vault::new(data.join("issued"));
    if let Err(exposed) = vault.check() {
        eprintln!("portico: refusing the secret store: {exposed}");
        return ExitCode::FAILURE;
    }
    match action {
        SecretsCommand::Pending => match vault.pending() {
            Ok(pending) if pending.is_empty() => {
                eprintln!("no pending secrets in {}", vault.dir().display());
                ExitCode::SUCCESS
            }
            Ok(pending) => {
                for p in pending {
                    // Names come from servers: quoted, so none can drive the terminal.
                    println!(
                        "{}\t{}\t{}\t{:?}\t{}\t{}\t{}",
                        p.id,
                        p.tenant,
                        p.kind,
                        p.name,
                        p.issued.label,
                        p.issued_at,
                        p.rest.describe()
                    );
                }
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("portico: cannot read {}: {err}", vault.dir().display());
                ExitCode::FAILURE
            }
        },
        SecretsCommand::Show { id } => match vault.find(&id) {
            Ok(Some(p)) => {
                eprintln!(
                    "{} of {} {:?} ({}) on {}, issued {}",
                    p.issued.label, p.kind, p.name, p.resource, p.tenant, p.issued_at
                );
                if let Some(public) = &p.issued.public_id {
                    eprintln!("id: {public:?}");
                }
                println!("{}", p.issued.secret.expose());
                ExitCode::SUCCESS
            }
            Ok(None) => {
                eprintln!("portico: no pending secret {id:?} (see `portico secrets pending`)");
                ExitCode::FAILURE
            }
            Err(err) => {
                eprintln!("portico: cannot read the secret {id:?}: {err}");
                ExitCode::FAILURE
            }
        },
    }
}

fn keymap_near(config_path: &Path) -> Result<Keymap, String> {
    let path = config_path.with_file_name("keymap.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => Keymap::with_overrides(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(_) => Ok(Keymap::defaults()),
    }
}

/// The `[console]` theme: `themes/<name>.toml` beside the config file
/// (in the config directory, like `keymap.toml`), else a built-in one.
fn theme_near(config_path: &Path, name: &str) -> Result<portico::ui::Theme, String> {
    portico::ui::Theme::named(name, config_path.parent()).map_err(|e| e.to_string())
}

const NEEDS_TERMINAL: &str =
    "the console needs a terminal; for scripts use the command-line verbs (see `portico --help`)";

/// Both ends must be a terminal: input comes from the keyboard and the
/// screen is drawn on stdout. Without one, stop before touching raw mode.
fn need_terminal() -> Result<(), String> {
    use std::io::IsTerminal;
    let missing = match (
        std::io::stdin().is_terminal(),
        std::io::stdout().is_terminal(),
    ) {
        (true, true) => return Ok(()),
        (false, true) => "stdin is not a terminal",
        (true, false) => "stdout is not a terminal",
        (false, false) => "stdin and stdout are not a terminal",
    };
    Err(format!("{NEEDS_TERMINAL} ({missing})"))
}

/// The console. Everything its first frame needs comes first, then that
/// frame, and only then the async runtime: starting tokio's worker
/// threads costs a third of a millisecond, and on a 2-core machine they
/// would compete with the first draw for the cores.
fn tui(
    config_path: Option<&Path>,
    tenant: Option<&str>,
    force_demo: bool,
    knobs: &portico::sim::faults::Knobs,
) -> Result<(), String> {
    let located = config::locate(config_path);
    // Only a missing default file means "new user": an explicit path that
    // does not exist is a mistake worth stopping for.
    let demo = force_demo || (!located.exists() && located.source() == ConfigSource::Default);
    // The demo binds its port now, so the config can name it, but the
    // simulator seeds and serves only after the first frame is drawn.
    let mut listener = None;
    let cfg = if demo {
        let bound = std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .map_err(|e| format!("cannot start the demo simulator: {e}"))?;
        let addr = bound
            .local_addr()
            .map_err(|e| format!("cannot start the demo simulator: {e}"))?;
        listener = Some(bound);
        Config::parse(&registry::demo_config(&format!("http://{addr}")), "<demo>")
            .map_err(|e| e.to_string())?
    } else {
        Config::load(located.path()).map_err(|e| e.to_string())?
    };
    let keymap = keymap_near(located.path())?;
    let theme = theme_near(located.path(), cfg.console().theme())?;
    // Checked after the config so a broken file still reports its position.
    need_terminal()?;
    let infos = cfg.tenants().iter().map(runtime::tenant_info).collect();
    // NO_COLOR counts when set to anything but the empty string.
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let mut state = State::new(infos, keymap).with_no_color(no_color);
    let warnings = cfg.warnings();
    if !warnings.is_empty() {
        state = state.with_warning(format!("Config warning: {}", warnings.join(" | ")));
    }
    if let Some(name) = tenant {
        let index = cfg
            .tenants()
            .iter()
            .position(|t| t.name() == name)
            .ok_or_else(|| format!("no tenant named \"{name}\" in {}", cfg.origin()))?;
        state = state.with_active(index);
    }
    if demo {
        state = state.with_demo(format!(
            "Demo on a built-in simulator. Your config goes in {} (`portico sim --print-config` shows one).",
            located.path().display()
        ));
    }
    let data = data_dir(demo);
    portico::logging::init_from_env(&data)?;
    let stores = Stores {
        vault: Vault::new(data.join("issued")),
        audit: Audit::new(data.join("audit.jsonl")),
    };
    stores
        .vault
        .check()
        .map_err(|e| format!("refusing the secret store: {e}"))?;
    stores
        .audit
        .check()
        .map_err(|e| format!("refusing the audit log: {e}"))?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let clipboard = ClipboardSettings::new(
        Native::detect(|name| std::env::var_os(name)),
        cfg.console().clipboard_clear_after(),
    );
    let history = data.join("command-history");
    // A missing or unreadable history starts empty.
    let kept = std::fs::read_to_string(&history).unwrap_or_default();
    state = state.with_history(portico::app::History::from_text(&kept));
    let runtime = Runtime::new(tx, cfg.tenants().to_vec(), stores)
        .with_clipboard(clipboard)
        .with_history_file(history)
        .with_theme(theme);

    // The screen's hook (installed by `open`) restores raw mode and the screen
    // first, then hands on to this one, which writes the report.
    crash::install(data.join("crashes"));
    let mut terminal = match runtime::screen::open() {
        Ok(terminal) => terminal,
        Err(err) => {
            ratatui::restore();
            return Err(format!("{NEEDS_TERMINAL} ({err})"));
        }
    };
    let _ = execute!(std::io::stdout(), EnableBracketedPaste);
    let mouse = cfg.console().mouse();
    if mouse {
        let _ = execute!(std::io::stdout(), EnableMouseCapture);
    }
    // The first frame: tenant bar, pane titles and key hints, before any
    // network, credential or simulator work. It shows the lists it is about
    // to ask for as loading, so the console need not draw again until an
    // answer comes.
    let opening = portico::app::start(&mut state);
    let drawn = runtime::first_frame(&mut terminal, &state, &theme);
    let shown = drawn.is_ok();
    debug_panic();
    // Kept until the terminal is restored: dropping a runtime waits for
    // its blocking tasks, and the screen must not wait with it.
    let rt = tokio::runtime::Runtime::new();
    let result = match &rt {
        Ok(rt) => rt.block_on(async {
            let simulator = match (listener, drawn) {
                (Some(listener), Ok(())) => registry::serve_simulator(listener, knobs)
                    .map(Some)
                    .map_err(|err| format!("cannot start the demo simulator: {err}"))?,
                _ => None,
            };
            let ran = runtime::run(&mut terminal, state, opening, shown, runtime, rx).await;
            drop(simulator);
            ran.map_err(|e| format!("terminal error: {e}"))
        }),
        Err(err) => Err(format!("cannot start the async runtime: {err}")),
    };
    if mouse {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
    }
    let _ = execute!(std::io::stdout(), DisableBracketedPaste);
    ratatui::restore();
    drop(rt);
    result
}

/// Debug builds panic on purpose after the first frame when
/// `PORTICO_DEBUG_PANIC` is set, so a test can see the panic hook at work.
/// The message carries an escape sequence, as server text might.
fn debug_panic() {
    #[cfg(debug_assertions)]
    assert!(
        std::env::var_os("PORTICO_DEBUG_PANIC").is_none(),
        "PORTICO_DEBUG_PANIC: test panic with server text \u{1b}[2J\u{1b}]52;c;aGk=\u{7}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_argument_and_command_has_a_description() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_name() != "help" && sub.get_about().is_none() {
                    missing.push(format!("{path} {}", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "portico", &mut missing);
        assert!(missing.is_empty(), "no description: {missing:?}");
        Cli::command().debug_assert();
    }

    /// The starts that skip the parser get just what clap would give them.
    #[test]
    fn a_bare_start_is_what_clap_parses_it_as() {
        for args in [vec![], vec!["--demo"]] {
            let os: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
            let demo = bare_start(&os).expect("a bare start");
            let cli = Cli::try_parse_from(std::iter::once("portico").chain(args.clone()))
                .expect("parses");
            assert!(cli.command.is_none() && cli.config.is_none() && cli.tenant.is_none());
            assert_eq!(cli.demo, demo, "{args:?}");
            assert_eq!(cli.knobs.knobs(), portico::sim::faults::Knobs::default());
        }
        for args in [
            vec!["--demo", "--scale", "5"],
            vec!["--tenant", "x"],
            vec!["sim"],
        ] {
            let os: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
            assert_eq!(bare_start(&os), None, "{args:?}");
        }
    }
}
