#!/usr/bin/env bash
# Runs a real Zou (the API server behind Kitsu) with its own PostgreSQL and
# Redis on loopback, so Portico's Kitsu client and simulator can be checked
# against the genuine article.
#
#   scripts/zou.sh up     install what is missing, start everything, seed data
#   scripts/zou.sh down   stop exactly the processes `up` started (idempotent)
#   scripts/zou.sh env    print exports for `eval "$(scripts/zou.sh env)"`
#
# Everything lives in one state directory (default: <repo>/target/zou, which
# is git-ignored): the venv, the database cluster, pid files and logs. A second
# `up` reuses the venv and the database, so it only pays for process start-up.
# When `up` fails it prints the tail of this run's logs and exits non-zero;
# `down` still stops whatever it had started.
#
# Made for root on Debian 12 (it apt-installs redis-server and postgresql when
# missing, and runs PostgreSQL as the postgres user); as another user the
# packages must already be there.
#
# Settings (environment): PORTICO_ZOU_STATE, PORTICO_ZOU_PORT (5080),
# PORTICO_ZOU_PG_PORT (55432), PORTICO_ZOU_REDIS_PORT (56379),
# PORTICO_ZOU_TIMEOUT (120 s per wait), PORTICO_ZOU_PYTHON (python3).
set -euo pipefail

readonly ZOU_VERSION=1.0.97
readonly ADMIN_EMAIL=admin@example.com
readonly ADMIN_PASSWORD=portico-admin-pw
# Only reachable on loopback; a fixed value keeps the cluster reusable.
readonly PG_PASSWORD=portico-zou-db

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${PORTICO_ZOU_STATE:-$ROOT/target/zou}
ZOU_PORT=${PORTICO_ZOU_PORT:-5080}
PG_PORT=${PORTICO_ZOU_PG_PORT:-55432}
REDIS_PORT=${PORTICO_ZOU_REDIS_PORT:-56379}
TIMEOUT=${PORTICO_ZOU_TIMEOUT:-120}
PYTHON=${PORTICO_ZOU_PYTHON:-python3}
ZOU_URL="http://127.0.0.1:$ZOU_PORT/api"

LOGS=$STATE/logs
VENV=$STATE/venv
STARTED_AT=$SECONDS

say() { printf 'zou.sh [%3ds] %s\n' "$((SECONDS - STARTED_AT))" "$*"; }

# Failing loudly means showing the end of every log, since the first error is
# often in a different service's log than the symptom.
die() {
    printf 'zou.sh: ERROR: %s\n' "$*" >&2
    local f
    for f in "$LOGS"/*.log; do
        # Only what this run wrote: older logs would only mislead.
        [[ -s $f && $f -nt $STATE/.run-started ]] || continue
        printf -- '--- tail of %s ---\n' "$f" >&2
        tail -n 25 "$f" >&2
    done
    exit 1
}

# Runs a command with its output appended to a log file; dies on failure.
logged() {
    local log=$LOGS/$1.log
    shift
    printf '\n$ %s\n' "$*" >>"$log"
    "$@" >>"$log" 2>&1 || die "'$*' failed (exit $?), see $log"
}

# A zombie still answers kill -0, and nothing reaps daemons here once they
# exit, so "alive" means: exists and is not in state Z.
alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# True when pid file $1 names a live process whose command line contains $2,
# so a recycled pid is never mistaken for ours.
pid_is() {
    local pid
    [[ -s $1 ]] || return 1
    pid=$(head -n 1 "$1")
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Runs the PostgreSQL tools as the postgres user, because the server refuses
# to run as root.
as_pg() {
    if ((EUID == 0)); then
        # From /, so the tools do not warn about a cwd they cannot enter.
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

pg_bin() {
    local d
    d=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
    [[ -n $d && -x $d/pg_ctl ]] && printf '%s\n' "$d"
}

# The cluster must be reachable by the postgres user; when the state dir sits
# under a directory it cannot traverse (e.g. /root), use one under /var/tmp.
pg_data() {
    if [[ -s $STATE/pgdata.path ]]; then
        cat "$STATE/pgdata.path"
    elif ((EUID != 0)) || runuser -u postgres -- test -x "$STATE"; then
        printf '%s\n' "$STATE/pg/data"
    else
        printf '%s\n' "/var/tmp/portico-zou-$(printf '%s' "$STATE" | sha256sum | cut -c1-12)/data"
    fi
}

install_packages() {
    local pkgs=()
    command -v redis-server >/dev/null || pkgs+=(redis-server)
    pg_bin >/dev/null || pkgs+=(postgresql)
    command -v curl >/dev/null || pkgs+=(curl)
    ((${#pkgs[@]})) || return 0
    ((EUID == 0)) || die "missing ${pkgs[*]}; install them or run as root"
    say "installing ${pkgs[*]} with apt-get"
    # The packages' own services (system cluster on 5432, redis on 6379) must
    # not start: policy-rc.d exit 101 forbids it during the install.
    local policy=/usr/sbin/policy-rc.d made_policy=
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        made_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    logged apt bash "$ROOT/scripts/apt-get.sh" update -q
    logged apt bash "$ROOT/scripts/apt-get.sh" install -y -qq --no-install-recommends "${pkgs[@]}"
    [[ -z $made_policy ]] || rm -f "$policy"
    pg_bin >/dev/null || die "PostgreSQL binaries still missing after apt-get"
}

ensure_venv() {
    local stamp=$VENV/.portico-zou-$ZOU_VERSION
    if [[ -f $stamp ]]; then
        return 0
    fi
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
        die "$PYTHON is older than 3.10, which zou $ZOU_VERSION needs"
    say "creating venv and installing zou==$ZOU_VERSION (about a minute)"
    rm -rf "$VENV"
    logged pip "$PYTHON" -m venv "$VENV"
    logged pip "$VENV/bin/pip" install --disable-pip-version-check -q "zou==$ZOU_VERSION"
    touch "$stamp"
}

start_postgres() {
    local bin data pgdir pw
    bin=$(pg_bin)
    data=$(pg_data)
    pgdir=$(dirname "$data")
    printf '%s\n' "$data" >"$STATE/pgdata.path"
    if [[ ! -s $data/PG_VERSION ]]; then
        say "creating PostgreSQL cluster in $data"
        rm -rf "$data" "$STATE/db-ready"
        mkdir -p "$data"
        pw=$pgdir/pwfile
        printf '%s\n' "$PG_PASSWORD" >"$pw"
        if ((EUID == 0)); then chown postgres: "$data" "$pw"; fi
        chmod 700 "$data"
        chmod 600 "$pw"
        logged pg-tools as_pg "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C \
            --auth-local=trust --auth-host=scram-sha-256 --pwfile="$pw"
        rm -f "$pw"
        # A throwaway test database: durability is not worth the fsyncs. No
        # unix socket, so nothing lands in the system's socket directory.
        cat >>"$data/postgresql.conf" <<EOF

# Portico CI settings
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    fi
    if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        say "PostgreSQL already running on 127.0.0.1:$PG_PORT"
    else
        port_open "$PG_PORT" && die "port $PG_PORT is taken by another process"
        # The server writes its log as postgres, so it lives beside the
        # cluster; the link keeps it among the logs shown on failure.
        touch "$pgdir/server.log"
        if ((EUID == 0)); then chown postgres: "$pgdir/server.log"; fi
        ln -sfn "$pgdir/server.log" "$LOGS/postgres.log"
        logged pg-tools as_pg "$bin/pg_ctl" -D "$data" -l "$pgdir/server.log" \
            -w -t "$TIMEOUT" -o "-p $PG_PORT" start
        say "PostgreSQL started on 127.0.0.1:$PG_PORT"
    fi
    head -n 1 "$data/postmaster.pid" >"$STATE/postgres.pid"
    local exists
    exists=$(PGPASSWORD=$PG_PASSWORD "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'zoudb'" 2>>"$LOGS/pg-tools.log") ||
        die "cannot query PostgreSQL on port $PG_PORT"
    if [[ $exists != 1 ]]; then
        rm -f "$STATE/db-ready"
        PGPASSWORD=$PG_PASSWORD logged pg-tools "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres zoudb
    fi
}

redis_ping() {
    local reply=
    exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" || return 1
    printf 'PING\r\n' >&3
    read -r -t 2 reply <&3 || true
    exec 3<&-
    [[ $reply == +PONG* ]]
}

start_redis() {
    if pid_is "$STATE/redis.pid" redis-server; then
        say "Redis already running on 127.0.0.1:$REDIS_PORT"
        return 0
    fi
    port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by another process"
    mkdir -p "$STATE/redis"
    # Saved on shutdown so revoked tokens stay revoked across down/up.
    logged redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
        --daemonize yes --pidfile "$STATE/redis.pid" --logfile "$LOGS/redis.log" \
        --dir "$STATE/redis" --save '3600 1' --appendonly no
    local deadline=$((SECONDS + TIMEOUT))
    until redis_ping 2>/dev/null; do
        ((SECONDS < deadline)) || die "Redis did not answer PING on port $REDIS_PORT"
        sleep 0.2
    done
    say "Redis started on 127.0.0.1:$REDIS_PORT"
}

# The same environment serves the CLI and the HTTP server; without the KV_*
# variables even `zou version` stalls for seconds looking for Redis.
zou_env() {
    local key_file=$STATE/secret_key
    [[ -s $key_file ]] || (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$key_file")
    export SECRET_KEY
    SECRET_KEY=$(cat "$key_file")
    export DB_HOST=127.0.0.1 DB_PORT=$PG_PORT DB_USERNAME=postgres DB_PASSWORD=$PG_PASSWORD
    export DB_DATABASE=zoudb DB_POOL_SIZE=5 DB_MAX_OVERFLOW=5
    export KV_HOST=127.0.0.1 KV_PORT=$REDIS_PORT
    export PREVIEW_FOLDER=$STATE/previews TMP_DIR=$STATE/tmp PLUGIN_FOLDER=$STATE/plugins
    # Must not exist: an empty folder imports as a namespace package without
    # `event_map` and the app fails to load.
    export EVENT_HANDLERS_FOLDER=$STATE/no-event-handlers
    export MAIL_ENABLED=false MAIL_CHECK_DELIVERABILITY=false
    export SCRIPT_NAME=/api
    mkdir -p "$PREVIEW_FOLDER" "$TMP_DIR" "$PLUGIN_FOLDER" "$STATE/run"
    rm -rf "$EVENT_HANDLERS_FOLDER"
}

zou_cli() {
    (cd "$STATE/run" && "$VENV/bin/zou" "$@")
}

ensure_admin() {
    logged zou-admin zou_cli create-admin "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD"
    # create-admin leaves an existing admin's password alone.
    logged zou-admin zou_cli change-password "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD"
}

start_zou() {
    if pid_is "$STATE/zou.pid" gunicorn; then
        say "Zou already running on $ZOU_URL"
        return 0
    fi
    port_open "$ZOU_PORT" && die "port $ZOU_PORT is taken by another process"
    rm -f "$STATE/zou.pid"
    (cd "$STATE/run" && "$VENV/bin/gunicorn" --daemon --no-control-socket \
        --chdir "$STATE/run" --pid "$STATE/zou.pid" \
        --bind "127.0.0.1:$ZOU_PORT" --workers 2 --timeout 60 \
        --error-logfile "$LOGS/zou.log" --access-logfile "$LOGS/zou-access.log" \
        --capture-output zou.app:app) >>"$LOGS/zou-launch.log" 2>&1 ||
        die "gunicorn refused to start"
}

wait_for_zou() {
    local deadline=$((SECONDS + TIMEOUT)) seen_pid=
    while :; do
        local body
        body=$(curl -fsS --max-time 3 "$ZOU_URL/" 2>/dev/null) || body=
        [[ $body =~ \"api\":\ *\"Zou\" ]] && return 0
        if [[ -s $STATE/zou.pid ]]; then
            seen_pid=$(head -n 1 "$STATE/zou.pid")
        fi
        if [[ -n $seen_pid ]] && ! alive "$seen_pid"; then
            die "gunicorn (pid $seen_pid) exited before Zou answered"
        fi
        ((SECONDS < deadline)) || die "Zou did not answer at $ZOU_URL/ within ${TIMEOUT}s"
        sleep 0.5
    done
}

login_ok() {
    local body
    body=$(curl -fsS --max-time 10 -H 'Content-Type: application/json' \
        -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" \
        "$ZOU_URL/auth/login" 2>/dev/null) || return 1
    [[ $body =~ \"login\":\ *true ]]
}

cmd_up() {
    mkdir -p "$STATE" "$LOGS"
    STATE=$(cd "$STATE" && pwd)
    LOGS=$STATE/logs
    VENV=$STATE/venv
    touch -d '-1 second' "$STATE/.run-started"
    # apt-get and pip are the slow part of a cold start and need nothing from
    # each other, so they run side by side.
    local apt_pid venv_pid rc_apt=0 rc_venv=0
    install_packages &
    apt_pid=$!
    ensure_venv &
    venv_pid=$!
    wait "$apt_pid" || rc_apt=$?
    wait "$venv_pid" || rc_venv=$?
    ((rc_apt == 0 && rc_venv == 0)) || exit 1
    start_postgres
    start_redis
    zou_env
    local fresh=
    if [[ ! -f $STATE/db-ready ]]; then
        fresh=1
        say "creating Zou schema and base data"
        logged zou-cli zou_cli init-db
        # The server can boot while the base data and the admin are written.
        start_zou
        local init_pid admin_pid
        logged zou-init-data zou_cli init-data &
        init_pid=$!
        ensure_admin &
        admin_pid=$!
        wait "$init_pid" || die "zou init-data failed"
        wait "$admin_pid" || die "creating the admin failed"
        touch "$STATE/db-ready"
    else
        start_zou
    fi
    wait_for_zou
    say "Zou answers at $ZOU_URL"
    if [[ -z $fresh ]] && ! login_ok; then
        say "admin login failed; resetting the admin"
        ensure_admin
    fi
    login_ok || die "cannot log in as $ADMIN_EMAIL"
    logged seed "$VENV/bin/python" "$ROOT/scripts/zou-seed.py" "$ZOU_URL" \
        "$ADMIN_EMAIL" "$ADMIN_PASSWORD" "$STATE/seed.json"
    say "seeded (ids in $STATE/seed.json); up in $((SECONDS - STARTED_AT))s"
}

# Waits until pid $1 is gone, then escalates to SIGKILL.
stop_pid() {
    local pid=$1 name=$2 deadline=$((SECONDS + 30))
    kill -TERM "$pid" 2>/dev/null || true
    while alive "$pid"; do
        if ((SECONDS >= deadline)); then
            say "$name (pid $pid) ignored SIGTERM; killing it"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
    say "stopped $name (pid $pid)"
}

cmd_down() {
    [[ -d $STATE ]] || {
        say "nothing to stop (no $STATE)"
        return 0
    }
    mkdir -p "$LOGS"
    if pid_is "$STATE/zou.pid" gunicorn; then
        stop_pid "$(head -n 1 "$STATE/zou.pid")" "Zou (gunicorn master)"
    fi
    rm -f "$STATE/zou.pid"
    if pid_is "$STATE/redis.pid" redis-server; then
        stop_pid "$(head -n 1 "$STATE/redis.pid")" Redis
    fi
    rm -f "$STATE/redis.pid"
    local bin data
    if [[ -s $STATE/pgdata.path ]] && bin=$(pg_bin); then
        data=$(cat "$STATE/pgdata.path")
        if [[ -d $data ]] && as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
            logged pg-tools as_pg "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop
            say "stopped PostgreSQL"
        fi
    fi
    rm -f "$STATE/postgres.pid"
    say "down"
}

cmd_env() {
    printf "export PORTICO_ZOU_URL='%s'\n" "$ZOU_URL"
    printf "export PORTICO_ZOU_EMAIL='%s'\n" "$ADMIN_EMAIL"
    printf "export PORTICO_ZOU_PASSWORD='%s'\n" "$ADMIN_PASSWORD"
}

case ${1:-} in
up) cmd_up ;;
down) cmd_down ;;
env) cmd_env ;;
*)
    printf 'usage: %s up|down|env\n' "$0" >&2
    exit 2
    ;;
esac
