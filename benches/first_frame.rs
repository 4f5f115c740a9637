//! PTY probe: time from spawning `portico --demo` to the first full
//! frame (all three pane titles and the seeded rows on screen).
//! Run: cargo bench --bench first_frame  (uses the bench profile binary)

#[path = "../tests/support/pty.rs"]
#[allow(dead_code)]
mod pty;

use std::time::Instant;

fn main() {
    let mut times = Vec::new();
    for _ in 0..7 {
        let home = tempfile::tempdir().expect("tempdir");
        let started = Instant::now();
        let mut term = pty::Pty::portico(&["--demo"], home.path(), &[], 45, 160);
        term.wait_for("TMS Integration - Oracle OTM");
        times.push(started.elapsed());
        term.send("q");
        let _ = term.wait_exit();
    }
    times.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "first frame with data, 160x45, 7 runs: median {:.1} ms, min {:.1} ms, max {:.1} ms",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
}
