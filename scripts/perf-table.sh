#!/usr/bin/env bash
# Runs Portico's benchmarks once and rewrites the README's Performance
# table from that one run, so every figure in it compares with the others.
# Optionally also runs ttff.sh for Portico's demo and a peer in the same run:
#   scripts/perf-table.sh [--ttff /path/to/ttff.sh --peer /path/to/atac]
set -euo pipefail
cd "$(dirname "$0")/.."
TTFF="" PEER=""
while [ $# -gt 0 ]; do case $1 in
  --ttff) TTFF=$2; shift 2;; --peer) PEER=$2; shift 2;;
  *) echo "usage: $0 [--ttff ttff.sh --peer BINARY]" >&2; exit 2;; esac; done
out=$(mktemp -d)
cargo bench --bench render 2>/dev/null | tee "$out/render.txt"
cargo bench --bench first_frame 2>/dev/null | tee "$out/first_frame.txt"
cargo bench --bench memory 2>/dev/null | tee "$out/memory.txt"
cargo bench --bench load 2>/dev/null | tee "$out/load.txt"
if [ -n "$TTFF" ]; then
  bin=target/release/portico
  cargo build --release --bin portico 2>/dev/null
  home=$(mktemp -d)
  HOME=$home "$TTFF" -r 5 -n 10 -m 'TMS Integration' -- "$PWD/$bin" --demo | tail -1 | tee "$out/ttff_portico.txt"
  "$TTFF" -r 5 -n 2 -- sh -c 'echo hi; exec sleep 1000' | tail -1 | tee "$out/ttff_sh.txt"
  if [ -n "$PEER" ]; then
    (cd "$home" && HOME=$home "$TTFF" -r 5 -n 10 -- "$PEER") | tail -1 | tee "$out/ttff_peer.txt"
  fi
fi
python3 - "$out" README.md <<'PY'
import re, sys, pathlib
out, readme = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
# divan prints a tree: "├─ bench" then "│  ├─ arg  fastest │ slowest │ median │ mean │ ..."
med = {}
bench = None
for line in (out / "render.txt").read_text().splitlines():
    m = re.match(r"^[├╰]─ (\w+)", line)
    if m:
        bench = m.group(1)
        cols = line.split("│")
        if len(cols) > 3 and cols[3].strip():
            med[(bench, "")] = cols[3].strip()
        continue
    m = re.match(r"^[│ ]\s+[├╰]─ (\S+)\s+(.*)$", line)
    if m and bench:
        cols = (m.group(2)).split("│")
        med[(bench, m.group(1))] = cols[2].strip()
def md(bench, *args):
    return " / ".join(med.get((bench, a), "?") for a in args)
ff = (out / "first_frame.txt").read_text()
def probe(label):
    m = re.search(re.escape(label) + r": median ([\d.]+) ms, min ([\d.]+) ms, max ([\d.]+) ms", ff)
    return f"median {m.group(1)} ms ({m.group(2)}-{m.group(3)})" if m else "?"
def tail(label):
    m = re.search(re.escape(label) + r": median ([\d.]+) ms, p99 ([\d.]+) ms", ff)
    return f"median {m.group(1)} ms, p99 {m.group(2)} ms" if m else "?"
m = re.search(r"listed in (\d+) ms, RSS ([\d.]+) MiB", ff)
rss = f"{m.group(2)} MiB (listed in {m.group(1)} ms)" if m else "?"
mem = (out / "memory.txt").read_text()
def heap(label):
    m = re.search(re.escape(label) + r": ([\d.]+) allocations per row, (\d+) bytes retained per row, ([\d.]+) MiB retained, ([\d.]+) MiB peak", mem)
    return f"{m.group(1)} allocations, {m.group(2)} bytes retained per row ({m.group(3)} MiB; peak {m.group(4)} MiB)" if m else "?"
load = (out / "load.txt").read_text()
def listed(label):
    m = re.search(re.escape(label) + r": (\d+) rows in (\d+) pages, median (\d+) ms", load)
    if m:
        return f"{m.group(3)} ms ({m.group(1)} rows, {m.group(2)} pages)"
    m = re.search(re.escape(label) + r": not listed: (.*)", load)
    return f"not listed: {m.group(1)}" if m else "?"
rows = [
    ("first frame, demo, 160x45 (tenant bar, titles, hints)", probe("first frame, demo, 160x45"), "<= 15 ms", "`cargo bench --bench first_frame`"),
    ("first frame, config mode, nothing answering", probe("first frame, config mode, 160x45"), "<= 15 ms", "`cargo bench --bench first_frame`"),
    ("first frame with the demo's data", probe("first frame with data, demo, 160x45"), "<= 30 ms", "`cargo bench --bench first_frame`"),
    ("key press (Down) to frame, 100,000-row pane", md("key_to_frame", "100000") + " median", "<= 2 ms median", "`cargo bench --bench render -- key_to_frame`"),
    ("one frame, 200x50, 100 / 10k / 100k rows", md("frame_200x50", "100", "10000", "100000") + " median", "", "`cargo bench --bench render -- frame_200x50`"),
    ("filter keystroke to frame, UI task (update + draw; matched off it), 100k-row pane", md("filter_key_to_frame", "100000") + " median", "<= 2 ms median", "`cargo bench --bench render -- filter_key_to_frame`"),
    ("frame bringing a filter's matched rows (update + draw), 100k-row pane", md("filter_answer_to_frame", "100000") + " median", "<= 2 ms median", "`cargo bench --bench render -- filter_answer_to_frame`"),
    ("PTY probe: key press (Down) to frame, 100k-row pane", tail("key press (Down) to frame, 100,000 rows"), "<= 2 ms median, <= 8 ms p99", "`cargo bench --bench first_frame`"),
    ("PTY probe: filter keystroke to frame (query drawn), 100k-row pane", tail("filter keystroke to frame, 100,000 rows"), "<= 2 ms median, <= 8 ms p99", "`cargo bench --bench first_frame`"),
    ("PTY probe: filter keystroke to its matched rows drawn, 100k-row pane", tail("filter keystroke to matched rows, 100,000 rows"), "", "`cargo bench --bench first_frame`"),
    ("fuzzy filter, first keystroke, all work (UI task + match), 100k names", md("filter_first_key", "100000") + " median", "<= 5 ms median", "`cargo bench --bench render -- filter_first_key`"),
    ("fuzzy filter, keystroke growing the query, all work, 100k names", md("filter_grown_key", "100000") + " median", "<= 5 ms median", "`cargo bench --bench render -- filter_grown_key`"),
    ("fuzzy filter, keystroke growing words inside the names, all work, 100k names", md("filter_grown_key_inside", "100000") + " median", "<= 5 ms median", "`cargo bench --bench render -- filter_grown_key_inside`"),
    ("fuzzy filter, first keystroke, the match alone, 100k names", md("match_first_key", "100000") + " median", "", "`cargo bench --bench render -- match_first_key`"),
    ("fuzzy filter, keystroke growing the query, the match alone, 100k names", md("match_grown_key", "100000") + " median", "", "`cargo bench --bench render -- match_grown_key`"),
    ("fuzzy filter, keystroke growing words inside the names, the match alone, 100k names", md("match_grown_key_inside", "100000") + " median", "", "`cargo bench --bench render -- match_grown_key_inside`"),
    ("fuzzy filter, type + erase (full rescan), all work, 1k / 10k / 100k", md("fuzzy_filter_keystroke", "1000", "10000", "100000") + " median", "", "`cargo bench --bench render -- fuzzy_filter_keystroke`"),
    ("10,000 applications listed from the simulator, project44 (one answer)", listed("project44 client applications"), "<= 1 s", "`cargo bench --bench load`"),
    ("10,000 applications listed from the simulator, Mashery, 100 a page (500 QPS key)", listed("Mashery applications"), "<= 1 s", "`cargo bench --bench load`"),
    ("10,000 applications listed from the simulator, EVRYTHNG, 100 a page", listed("EVRYTHNG applications"), "<= 1 s", "`cargo bench --bench load`"),
    ("10,000 applications listed from the simulator, Losant, 100 a page", listed("Losant applications"), "<= 1 s", "`cargo bench --bench load`"),
    ("10,000 bots listed from the simulator, Kitsu, 100 a page", listed("Kitsu bots"), "<= 1 s", "`cargo bench --bench load`"),
    ("PTY probe: tenant switch to its cached list, 10 tenants answering after 2 s", tail("tenant switch to its cached list, 10 tenants answering after 2 s"), "instant", "`cargo bench --bench first_frame`"),
    ("RSS, 100,000 project44 applications in one tenant", rss, "<= 60 MB", "`cargo bench --bench first_frame`"),
    ("heap, 100,000 project44 rows decoded and kept (counting allocator)", heap("project44 rows, decoded and kept"), "", "`cargo bench --bench memory`"),
]
for name, f in (("portico --demo", "ttff_portico.txt"), ("sh -c 'echo hi'", "ttff_sh.txt"), ("atac (peer)", "ttff_peer.txt")):
    p = out / f
    if p.exists():
        kv = dict(re.findall(r"(\w+)=(\S+)", p.read_text()))
        fig = f"first frame {kv.get('ttff_ms')} ms, with data {kv.get('match_ms')} ms, idle CPU {kv.get('cpu_pct')} %, RSS {int(kv.get('rss_kib', 0)) / 1024:.1f} MiB"
        rows.append((f"tmux probe: {name}, median of 5", fig, "", "`scripts/perf-table.sh --ttff ttff.sh --peer atac`"))
table = ["| what | figure | target | how |", "|---|---|---|---|"]
table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
text = readme.read_text()
begin, end = "<!-- perf:begin -->", "<!-- perf:end -->"
i, j = text.index(begin) + len(begin), text.index(end)
readme.write_text(text[:i] + "\n" + "\n".join(table) + "\n" + text[j:])
print("\n".join(table))
PY
