//! Fuzzing on the stable toolchain: seeded mutation of real inputs for a
//! set time, with no instrumentation the stable compiler cannot give.
//!
//! Targets: config parsing, keymap parsing (a parsed keymap must also
//! survive its own `to_toml`), the inert-text function (nothing it returns
//! may drive a terminal), and each platform's adapter decoding answers
//! the simulator gave, mutated on the way by a proxy.
//!
//! `cargo test --test fuzz` replays the corpus and every saved crash
//! input in `fuzz/regressions/<target>/`. The mutation run is ignored by
//! default:
//!
//!     PORTICO_FUZZ_SECS=30 PORTICO_FUZZ_SEED=7 cargo test --test fuzz -- --ignored
//!
//! A failing input is written to `fuzz/regressions/<target>/` (keep it:
//! the replay test then guards the fix) and the run fails naming it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

mod mutate;
mod proxy;

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use portico::config::{Config, PlatformKind};
use portico::keymap::Keymap;
use portico::model::Pane;
use portico::platform::{PaneBody, Platform, Source, registry};
use portico::ui::text::{escaped_form, inert, needs_escape};

use mutate::Mutator;
use proxy::Proxy;

/// A target takes one input and panics on what it finds wrong.
type Target = fn(&[u8]);

/// One adapter under fuzz: its platform, the adapter, and each list pane
/// with the parent it lists under.
type Fuzzed = (String, Arc<dyn Platform>, Vec<(Pane, Option<String>)>);

const TEXT_TARGETS: [(&str, Target); 3] = [
    ("config", config_target),
    ("keymap", keymap_target),
    ("inert", inert_target),
];

fn secs() -> Duration {
    let secs = std::env::var("PORTICO_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(2.0);
    Duration::from_secs_f64(secs.clamp(0.0, 3600.0))
}

fn seed() -> u64 {
    std::env::var("PORTICO_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn regressions(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = root().join("regressions").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, Vec<u8>)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read regression");
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

/// Saves a failing input where the replay test finds it; returns its path.
fn save(target: &str, input: &[u8]) -> PathBuf {
    let dir = root().join("regressions").join(target);
    std::fs::create_dir_all(&dir).expect("regressions dir");
    // FNV-1a names the input by its content, so a repeat overwrites itself.
    let hash = input.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    let path = dir.join(format!("crash-{hash:016x}"));
    std::fs::write(&path, input).expect("save crash input");
    path
}

// ---- text targets -------------------------------------------------------

fn config_target(input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    if let Ok(cfg) = Config::parse(&text, "<fuzz>") {
        for tenant in cfg.tenants() {
            let _ = tenant.name();
        }
    }
    let _ = Config::parse_all(&text, "<fuzz>");
}

fn keymap_target(input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    if let Ok(map) = Keymap::with_overrides(&text) {
        let written = map.to_toml();
        let again = Keymap::with_overrides(&written)
            .unwrap_or_else(|e| panic!("a keymap's own to_toml does not load: {e}\n{written}"));
        assert_eq!(again.to_toml(), written, "to_toml is not stable");
    }
}

fn inert_target(input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    let shown = inert(&text);
    if let Some(c) = shown.chars().find(|c| needs_escape(*c)) {
        panic!("inert text still holds U+{:04X}", u32::from(c));
    }
    if let Some(escaped) = escaped_form(&text) {
        assert!(escaped.is_ascii(), "the escaped form is not ASCII");
    }
}

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    match target {
        "config" => {
            let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config");
            for sub in ["valid", "invalid"] {
                if let Ok(entries) = std::fs::read_dir(fixtures.join(sub)) {
                    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
                    paths.sort();
                    out.extend(paths.iter().filter_map(|p| std::fs::read(p).ok()));
                }
            }
            out.push(registry::demo_config("http://127.0.0.1:1").into_bytes());
            if let Ok(example) =
                std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml"))
            {
                out.push(example);
            }
        }
        "keymap" => {
            out.push(Keymap::defaults().to_toml().into_bytes());
            out.push(b"[main]\nquit = [\"ctrl-q\", \"q\"]\n".to_vec());
            out.push(b"hint_bar = false\n[filter]\n".to_vec());
        }
        _ => {
            out.push(b"plain name".to_vec());
            out.push(
                "Evil\x1b[2J\x1b]52;c;cHduZWQ=\x07\x1b]8;;http://x.test/\x1b\\link\u{202e}txt\u{200d}\u{e0041}"
                    .as_bytes()
                    .to_vec(),
            );
            out.push("Ünïcödé 名前 \u{00a0}\u{00ad}\u{2028}".as_bytes().to_vec());
        }
    }
    out
}

/// Runs `target` on `input`, catching a panic; the message if it panicked.
fn run_text(target: Target, input: &[u8]) -> Option<String> {
    std::panic::catch_unwind(AssertUnwindSafe(|| target(input)))
        .err()
        .map(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default()
        })
}

fn fuzz_text(name: &str, target: Target, until: Instant, rng: &mut Mutator) -> Vec<String> {
    let seeds = corpus(name);
    let mut failures = Vec::new();
    let mut runs = 0usize;
    while Instant::now() < until && failures.len() < 5 {
        let base: &Vec<u8> = rng.pick(&seeds);
        let input = rng.mutate(base);
        runs += 1;
        if let Some(message) = run_text(target, &input) {
            let path = save(name, &input);
            failures.push(format!(
                "{name}: {message} (input saved to {})",
                path.display()
            ));
        }
    }
    eprintln!("fuzz {name}: {runs} inputs");
    failures
}

// ---- adapter targets ----------------------------------------------------

/// Panics anywhere in the process, blocking decode threads included: a
/// panic there surfaces to the adapter only as a failed decode.
static PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
}

struct Rig {
    proxy: Arc<Proxy>,
    adapters: Vec<Fuzzed>,
    _sim: portico::sim::Running,
    _front: portico::sim::Running,
}

async fn rig() -> Rig {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let any = "127.0.0.1:0".parse().expect("addr");
    let sim = registry::start_simulator(any).await.expect("simulator");
    let proxy = Proxy::new(sim.base_url());
    let front = portico::sim::start(any, proxy.router())
        .await
        .expect("proxy");
    proxy.listening_at(&front.base_url());
    let config = Config::parse(&registry::demo_config(&front.base_url()), "<fuzz>").expect("demo");
    let mut adapters = Vec::new();
    for kind in PlatformKind::all() {
        let tenant = config
            .tenants()
            .iter()
            .find(|t| t.platform() == kind)
            .expect("demo tenant")
            .clone();
        let adapter = tokio::task::spawn_blocking(move || registry::connect(&tenant))
            .await
            .expect("join")
            .expect("connect");
        // Where each list pane's rows come from, parents found in clear weather.
        let caps = adapter.capabilities();
        let mut lists = Vec::new();
        for pane in Pane::ALL {
            if let PaneBody::List { scope, .. } = caps.pane(pane).body() {
                let parent = match scope {
                    None => None,
                    Some(p) => list(&adapter, *p, None)
                        .await
                        .and_then(|rows| rows.into_iter().next()),
                };
                if scope.is_none() || parent.is_some() {
                    lists.push((pane, parent));
                }
            }
        }
        adapters.push((kind.as_str().to_owned(), adapter, lists));
    }
    Rig {
        proxy,
        adapters,
        _sim: sim,
        _front: front,
    }
}

/// The first row's id of a list, if it answered.
async fn list(
    adapter: &Arc<dyn Platform>,
    pane: Pane,
    parent: Option<&str>,
) -> Option<Vec<String>> {
    let rows = adapter
        .list(Source::Pane(pane), parent, Arc::new(|_, _| {}))
        .await
        .ok()?;
    Some(rows.into_iter().map(|r| r.id).collect())
}

/// Lists every pane of one adapter once, within a deadline; whether
/// anything panicked meanwhile.
async fn exercise(adapter: &Arc<dyn Platform>, lists: &[(Pane, Option<String>)]) -> bool {
    let before = PANICS.load(Ordering::SeqCst);
    for (pane, parent) in lists {
        let adapter = Arc::clone(adapter);
        let (pane, parent) = (*pane, parent.clone());
        let task = tokio::spawn(async move {
            let _ = tokio::time::timeout(
                Duration::from_secs(5),
                adapter.list(Source::Pane(pane), parent.as_deref(), Arc::new(|_, _| {})),
            )
            .await;
        });
        if task.await.is_err() {
            return true;
        }
    }
    PANICS.load(Ordering::SeqCst) != before
}

async fn fuzz_adapters(rig: &Rig, per_target: Duration, seed: u64) -> Vec<String> {
    let mut failures = Vec::new();
    for (n, (name, adapter, lists)) in rig.adapters.iter().enumerate() {
        let target = format!("adapter-{name}");
        rig.proxy.mutate(seed.wrapping_add(n as u64));
        let until = Instant::now() + per_target;
        let mut runs = 0usize;
        while Instant::now() < until && failures.len() < 5 {
            let panicked = exercise(adapter, lists).await;
            runs += 1;
            let served = rig.proxy.take_served();
            if panicked {
                let paths: Vec<String> = served
                    .iter()
                    .map(|body| save(&target, body).display().to_string())
                    .collect();
                failures.push(format!("{target}: a panic; answers saved to {paths:?}"));
            }
        }
        rig.proxy.clear();
        eprintln!("fuzz {target}: {runs} rounds");
    }
    failures
}

// ---- tests --------------------------------------------------------------

/// The corpus and every saved crash input, on every target: fast, and part
/// of `cargo test`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_and_saved_crashes_replay_cleanly() {
    let mut failures = Vec::new();
    for (name, target) in TEXT_TARGETS {
        for input in corpus(name) {
            if let Some(message) = run_text(target, &input) {
                failures.push(format!("{name} corpus: {message}"));
            }
        }
        for (path, input) in regressions(name) {
            if let Some(message) = run_text(target, &input) {
                failures.push(format!("{}: {message}", path.display()));
            }
        }
    }
    count_panics();
    let rig = rig().await;
    for (name, adapter, lists) in &rig.adapters {
        assert!(!lists.is_empty(), "{name}: nothing to list");
        assert!(
            !exercise(adapter, lists).await,
            "{name}: clear answers panic"
        );
        for (path, body) in regressions(&format!("adapter-{name}")) {
            rig.proxy.fixed(body);
            if exercise(adapter, lists).await {
                failures.push(format!("{}: a panic", path.display()));
            }
        }
        rig.proxy.clear();
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Mutates for `PORTICO_FUZZ_SECS` seconds per target (2 unless set).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a timed fuzzing run: .ci/run runs it briefly"]
async fn mutation_run() {
    let per_target = secs();
    let seed = seed();
    eprintln!("fuzzing with seed {seed}, {per_target:?} per target");
    let mut failures = Vec::new();
    let mut rng = Mutator::new(seed);
    for (name, target) in TEXT_TARGETS {
        failures.extend(fuzz_text(
            name,
            target,
            Instant::now() + per_target,
            &mut rng,
        ));
    }
    count_panics();
    let rig = rig().await;
    failures.extend(fuzz_adapters(&rig, per_target, seed).await);
    assert!(failures.is_empty(), "{failures:#?}");
}
