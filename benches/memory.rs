//! Heap cost of a large list, counted by a global allocator: the
//! allocations and retained bytes per row of 100,000 project44
//! applications, as the adapter decodes them from the simulator over
//! HTTP and as the console's state keeps them.
//! Run: cargo bench --bench memory
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may fail loudly

#[path = "../tests/support/app.rs"]
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use portico::app::{State, TenantInfo, start};
use portico::keymap::Keymap;
use portico::model::Secret;
use portico::platform::project44::{self, Project44};

/// Counts what the process asks of the system allocator.
struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; the counters
// only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        grew(layout.size());
        // SAFETY: the caller's contract for `alloc` is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract for `dealloc` is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        grew(new_size);
        // SAFETY: the caller's contract for `realloc` is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const ROWS: usize = 100_000;

#[derive(Clone, Copy)]
struct Mark {
    allocs: usize,
    live: usize,
}

/// Where a phase starts; its peak is counted from here.
fn mark() -> Mark {
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    Mark {
        allocs: ALLOCS.load(Ordering::Relaxed),
        live: LIVE.load(Ordering::Relaxed),
    }
}

/// `peak` is the highest live heap of the phases reported on.
fn report(what: &str, since: Mark, peak: usize, rows: usize) {
    let allocs = ALLOCS.load(Ordering::Relaxed) - since.allocs;
    let live = LIVE.load(Ordering::Relaxed).saturating_sub(since.live);
    let peak = peak.saturating_sub(since.live);
    #[allow(clippy::cast_precision_loss, reason = "a report, not arithmetic")]
    let per = |n: usize| n as f64 / rows as f64;
    println!(
        "{what}: {:.1} allocations per row, {:.0} bytes retained per row, \
         {:.1} MiB retained, {:.1} MiB peak",
        per(allocs),
        per(live),
        f64::from(u32::try_from(live).unwrap_or(u32::MAX)) / f64::from(1 << 20),
        f64::from(u32::try_from(peak).unwrap_or(u32::MAX)) / f64::from(1 << 20),
    );
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let sim = rt
        .block_on(portico::sim::start(
            "127.0.0.1:0".parse().expect("addr"),
            axum::Router::new().nest(
                "/project44",
                portico::sim::project44::router_with_scale(ROWS),
            ),
        ))
        .expect("simulator");
    let base = format!("{}/project44/na", sim.base_url());
    let adapter = Project44::new(
        &base,
        Duration::from_mins(1),
        "admin@na.portico.demo".into(),
        Secret::new("portico-demo-na"),
    )
    .expect("adapter");
    // A first call warms the connection and the token, so the measured
    // one counts only the list.
    drop(rt.block_on(adapter.list_apps()).expect("warm-up list"));

    let before = mark();
    let rows = rt.block_on(adapter.list_apps()).expect("list");
    let n = rows.len();
    assert!(n >= ROWS, "{n} rows");
    // The simulator's own answer is in the peak too: it runs in this process.
    let decode_peak = PEAK.load(Ordering::Relaxed);
    report("project44 list decoded (adapter)", before, decode_peak, n);

    let tenant = TenantInfo::new("bench", "project44", project44::capabilities());
    let mut state = State::new(vec![tenant], Keymap::defaults());
    let fx = start(&mut state);
    let before_state = mark();
    let rows = std::cell::Cell::new(Some(rows));
    support::answer_at(&mut state, &fx, SystemTime::now(), |_| {
        rows.take().unwrap_or_default()
    });
    let state_peak = PEAK.load(Ordering::Relaxed);
    report(
        "kept in the console's state (beyond the rows)",
        before_state,
        state_peak,
        n,
    );
    report(
        "project44 rows, decoded and kept",
        before,
        decode_peak.max(state_peak),
        n,
    );
    drop(state);
}
