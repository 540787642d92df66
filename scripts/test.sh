#!/usr/bin/env bash
# Set up this machine for the test suite and run it: one command, safe to repeat.
#
#   bash scripts/test.sh [pytest arguments...]      e.g. bash scripts/test.sh -m browser -x
#
# Meant for Debian 12 run as root (a fresh CI machine with only apt, PyPI and npm reachable):
#   1. apt-get installs the system packages that are missing (Chromium, fonts, Python venv, npm);
#   2. creates .venv and pip-installs the package with its [test] extras;
#   3. installs the browser-test assets in tests/browser (npm ci);
#   4. runs .venv/bin/python -m pytest with the given arguments, in parallel: one pytest-xdist
#      worker per CPU (at most 4), `--dist loadgroup` (tests/conftest.py keeps a module that builds
#      an atlas once in one worker, and the Dask cluster tests together).
#      VALLEYMAPS_TEST_WORKERS=N sets the number of workers (1: one process, no xdist); giving
#      -n/--numprocesses/--dist yourself, or -p no:xdist, turns this off as well.
# Steps 1-3 print one line each; their output goes to a log under /tmp, whose tail is shown if a
# step fails. Steps 2-3 are skipped when pyproject.toml / the npm lock file have not changed since
# the last install (VALLEYMAPS_FORCE_INSTALL=1 redoes them). VALLEYMAPS_SKIP_APT=1 skips step 1.
# The exit code is pytest's; "no tests collected" (5) stays a failure.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"

LOG=$(mktemp /tmp/valleymaps-test-setup.XXXXXX.log)
FORCE=${VALLEYMAPS_FORCE_INSTALL:-0}
export DEBIAN_FRONTEND=noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK=1
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

say() { printf '==> %s\n' "$*"; }

die() {
    printf '!! %s\n' "$*" >&2
    exit 1
}

# run_logged DESCRIPTION COMMAND...: run quietly into $LOG; on failure show its tail and stop.
run_logged() {
    local what=$1
    shift
    printf '\n### %s\n$ %s\n' "$what" "$*" >>"$LOG"
    if ! "$@" >>"$LOG" 2>&1; then
        printf '!! %s failed. Last lines of %s:\n' "$what" "$LOG" >&2
        tail -n 40 "$LOG" | sed 's/^/   /' >&2
        exit 1
    fi
}

# ============================================================================================
# SYSTEM PACKAGES AND SERVICES: add what new kinds of tests need here.
#   * apt packages -> SYSTEM_PACKAGES (installed only when missing);
#   * daemons, databases, users, extensions -> start_services (must be idempotent).
# PostGIS (tests/projects): a throwaway cluster in /tmp on 127.0.0.1:55432 (run as the postgres
# user when root), database valleymaps_test with CREATE EXTENSION postgis; the tests read
# VALLEYMAPS_TEST_DB_URL (they skip without it, and fail when CI is set).
# ============================================================================================
SYSTEM_PACKAGES=(
    chromium          # browser tests (tests/browser), launched from /usr/bin/chromium
    fonts-dejavu-core # a real font, so map labels render in screenshots
    gcc               # pip builds the LODES OD reader's compiled loop (setup.py; tests cover it)
    python3-dev       # ... with Python's headers
    libatomic1        # needed by the node binary inside the playwright wheel
    postgresql-15            # PostGIS tests (tests/projects)
    postgresql-15-postgis-3
)

start_services() {
    local pgbin=/usr/lib/postgresql/15/bin pgdata=/tmp/valleymaps-test-pg
    local port=${VALLEYMAPS_TEST_PG_PORT:-55432} as=()
    if [[ ! -x $pgbin/pg_ctl ]]; then
        say "postgis: PostgreSQL 15 is not installed; PostGIS tests will skip"
        return
    fi
    [[ $(id -u) -eq 0 ]] && as=(runuser -u postgres --)
    if [[ ! -f $pgdata/PG_VERSION ]]; then
        mkdir -p "$pgdata" && chmod 700 "$pgdata"
        ((${#as[@]})) && chown postgres: "$pgdata"
        run_logged "initdb" "${as[@]}" "$pgbin/initdb" -D "$pgdata" -U postgres -A trust -E UTF8
    fi
    if ! "${as[@]}" "$pgbin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
        run_logged "start PostgreSQL" "${as[@]}" "$pgbin/pg_ctl" -D "$pgdata" -w -l "$pgdata/server.log" \
            -o "-c listen_addresses=127.0.0.1 -c port=$port -k /tmp" start
    fi
    local psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
    "${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'valleymaps_test'" | grep -q 1 \
        || run_logged "createdb" "${psql[@]}" -d postgres -c "CREATE DATABASE valleymaps_test"
    run_logged "CREATE EXTENSION postgis" "${psql[@]}" -d valleymaps_test -c "CREATE EXTENSION IF NOT EXISTS postgis"
    export VALLEYMAPS_TEST_DB_URL="postgresql://postgres@127.0.0.1:$port/valleymaps_test"
    say "postgis: $VALLEYMAPS_TEST_DB_URL"
}

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_system_packages() {
    if [[ ${VALLEYMAPS_SKIP_APT:-0} == 1 ]]; then
        say "system packages: skipped (VALLEYMAPS_SKIP_APT=1)"
        return
    fi
    command -v dpkg-query >/dev/null || die "no dpkg-query: this script expects Debian 12 (set VALLEYMAPS_SKIP_APT=1 to skip apt)"
    local wanted=("${SYSTEM_PACKAGES[@]}") missing=() pkg
    command -v python3 >/dev/null || wanted+=(python3 python3-venv)
    if [[ ! -x .venv/bin/python ]] && command -v python3 >/dev/null \
        && ! python3 -c 'import ensurepip' 2>/dev/null; then
        wanted+=(python3-venv)
    fi
    command -v npm >/dev/null || wanted+=(nodejs npm)
    for pkg in "${wanted[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        say "system packages: all present"
        return
    fi
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || die "need root to apt-get install ${missing[*]}: run as root"
        sudo=(sudo --preserve-env=DEBIAN_FRONTEND)
    fi
    say "system packages: installing ${missing[*]}"
    run_logged "apt-get update" "${sudo[@]}" apt-get update
    run_logged "apt-get install" "${sudo[@]}" apt-get install -y --no-install-recommends \
        "${missing[@]}"
}

# Print a fingerprint of the given files.
fingerprint() {
    cat "$@" | sha256sum | cut -d' ' -f1
}

install_python() {
    if [[ ! -x .venv/bin/python ]]; then
        run_logged "python3 -m venv .venv" python3 -m venv .venv
    fi
    local stamp=.venv/.valleymaps-installed want
    want=$(fingerprint pyproject.toml setup.py src/valleymaps/io/flows/_odscan.c)
    if [[ $FORCE != 1 && -f $stamp && $(cat "$stamp") == "$want" ]] \
        && .venv/bin/python -c 'import valleymaps, pytest, playwright, xdist' 2>/dev/null; then
        say "python: .venv up to date"
        return
    fi
    say "python: pip install -e '.[test]'"
    run_logged "pip install" .venv/bin/python -m pip install -e '.[test]'
    echo "$want" >"$stamp"
}

compile_sources() {
    # every test that runs the command imports the package again: keep its bytecode, even where
    # PYTHONDONTWRITEBYTECODE stops Python from writing it on import (a stale file is ignored)
    run_logged "compileall" .venv/bin/python -m compileall -q src/valleymaps
}

install_npm_assets() {
    local dir=tests/browser stamp=tests/browser/node_modules/.valleymaps-installed want
    local cmd=(npm ci --ignore-scripts --no-audit --no-fund)
    if [[ ! -f $dir/package-lock.json ]]; then
        cmd=(npm install --ignore-scripts --no-audit --no-fund)
        want=none
    else
        want=$(fingerprint "$dir/package.json" "$dir/package-lock.json")
    fi
    if [[ $FORCE != 1 && $want != none && -f $stamp && $(cat "$stamp") == "$want" ]]; then
        say "npm: tests/browser/node_modules up to date"
        return
    fi
    say "npm: ${cmd[*]:0:2} in $dir"
    run_logged "${cmd[*]:0:2}" npm --prefix "$dir" "${cmd[@]:1}"
    if [[ $want == none ]]; then
        want=$(fingerprint "$dir/package.json" "$dir/package-lock.json")
    fi
    echo "$want" >"$stamp"
}

# parallel=(-n WORKERS --dist loadgroup) for pytest "$@", or () (see the top of this file).
parallel=()
set_parallel_options() {
    local workers=${VALLEYMAPS_TEST_WORKERS:-auto} arg
    if [[ $workers == auto ]]; then
        workers=$(nproc 2>/dev/null || echo 1)
        if ((workers > 4)); then workers=4; fi
    fi
    [[ $workers =~ ^[0-9]+$ ]] || die "VALLEYMAPS_TEST_WORKERS=$workers: give a number of workers, or auto"
    ((workers > 1)) || return 0
    for arg in "$@"; do
        case $arg in  # the caller chose, or asked for something xdist cannot do (a debugger)
            -n | -n* | --numprocesses | --numprocesses=* | --dist | --dist=* | no:xdist | -pno:xdist \
                | --pdb | --trace) return 0 ;;
        esac
    done
    parallel=(-n "$workers" --dist loadgroup)
}

started=$SECONDS
say "setup log: $LOG"
install_system_packages
start_services
install_python
compile_sources
install_npm_assets
set_parallel_options "$@"
say "setup done in $((SECONDS - started)) s; running pytest ${parallel[*]}"

set +e
.venv/bin/python -m pytest "${parallel[@]}" "$@"
rc=$?
set -e
if ((rc == 5)); then
    printf '!! pytest collected no tests (exit 5); that counts as a failure.\n' >&2
fi
exit "$rc"
