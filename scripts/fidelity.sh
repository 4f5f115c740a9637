#!/usr/bin/env bash
# Runs the vendors' own client libraries, unchanged, against `portico sim`.
# Usage: scripts/fidelity.sh [path/to/portico]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath -m "${1:-$root/target/debug/portico}")
venv=$root/target/fidelity-venv

[ -x "$bin" ] || { echo "fidelity: no portico binary at $bin (run cargo build first)" >&2; exit 1; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/tests/fidelity/requirements.txt"

port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$root/target/fidelity-sim.log
"$bin" sim --addr "127.0.0.1:$port" >"$log" 2>&1 &
sim=$!
trap 'kill "$sim" 2>/dev/null || true' EXIT

# Poll until the simulator answers, with a deadline.
for _ in $(seq 1 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/losant/applications"; then break; fi
  if ! kill -0 "$sim" 2>/dev/null; then cat "$log" >&2; exit 1; fi
  sleep 0.1
done

cd "$root/tests/fidelity"
PORTICO_SIM="http://127.0.0.1:$port" "$venv/bin/python" -m unittest discover -s . -p 'test_*.py' -v

# EVRYTHNG's official JavaScript SDK, pinned in its package.json, installed
# under target/ (no lock file: it would name the registry).
npm_dir=$root/target/fidelity-npm
mkdir -p "$npm_dir"
cp "$root/tests/fidelity/evrythng/package.json" "$npm_dir/package.json"
npm install --prefix "$npm_dir" --no-package-lock --no-audit --no-fund --silent --loglevel=error >/dev/null
# The demo operator key of the US region, as the printed config gives it.
evrythng_key=$("$bin" sim --addr "127.0.0.1:$port" --print-config |
  awk '/^name = "evrythng-us"/ { t = 1 } t && /^api_key = / { gsub(/"/, "", $3); print $3; exit }')
PORTICO_SIM="http://127.0.0.1:$port" EVRYTHNG_API_KEY="$evrythng_key" NODE_PATH="$npm_dir/node_modules" \
  node --test "$root/tests/fidelity/evrythng/test_evrythng.js"
