#!/usr/bin/env bash
# apt-get that waits its turn. CI installs packages from jobs that run
# side by side (Zou's servers, Xvfb and xclip, the keyring), and
# `apt-get update` gives up at once when another apt-get holds the lock on
# the package lists. One lock file puts Portico's own calls in a row; the
# retry covers an apt-get started by anything else on the machine.
set -uo pipefail
exec 9>"${TMPDIR:-/tmp}/portico-apt-get.lock"
flock 9
rc=1
for _ in $(seq 60); do
  apt-get -o DPkg::Lock::Timeout=600 "$@" && exit 0
  rc=$?
  # Not a lock held by someone else: a real failure, reported as such.
  pgrep -f '(^|/)(apt-get|apt|dpkg|unattended-upgrade)( |$)' >/dev/null || exit "$rc"
  sleep 5
done
exit "$rc"
