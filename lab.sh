#!/usr/bin/env bash
# One entry point for a fresh machine: `./lab.sh app` starts the dashboard, `./lab.sh cli ...`
# runs the emnist-lab command, `./lab.sh test` runs the whole test suite. Each installs what it
# needs on first use into .venv (and re-installs only when a requirements file changes).
set -euo pipefail
cd "$(dirname "$0")"

PYTHON="${PYTHON:-python3}"
VENV=.venv

ensure_venv() {  # $1: requirements file to satisfy
    local req="$1" stamp="$VENV/.installed-$(basename "$1" .txt)"
    if [ ! -x "$VENV/bin/python" ]; then
        echo "lab: creating $VENV with $($PYTHON --version)" >&2
        "$PYTHON" -m venv "$VENV"
    fi
    local want
    want="$(cat requirements*.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "lab: installing $req (first use takes a few minutes)" >&2
        "$VENV/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip
        "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$req"
        # The project itself, editable: `emnist-lab` on PATH, imports from this clone.
        "$VENV/bin/python" -m pip install --disable-pip-version-check -q --no-deps -e .
        echo "$want" > "$stamp"
    fi
}

ensure_debian_package() {  # $1: package, $2: a path glob it installs, $3: what needs it
    compgen -G "$2" >/dev/null && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "lab: installing Debian's $1 for $3" >&2
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null) \
            || echo "lab: could not install $1; $3 will say so" >&2
    else
        echo "lab: $1 missing; $3 is skipped (sudo apt-get install $1)" >&2
    fi
}

case "${1:-}" in
    app)
        shift
        args=()
        while [ $# -gt 0 ]; do  # --classroom FILE turns classroom mode on (EMNIST_CLASSROOM)
            case "$1" in
                --classroom)
                    [ -n "${2:-}" ] || { echo "lab: --classroom needs a file, e.g. classroom.toml" >&2; exit 2; }
                    export EMNIST_CLASSROOM="$(realpath -m "$2")"; shift 2 ;;
                --classroom=*)
                    export EMNIST_CLASSROOM="$(realpath -m "${1#--classroom=}")"; shift ;;
                *) args+=("$1"); shift ;;
            esac
        done
        ensure_venv requirements.txt
        # streamlit run dashboard/app.py, with the first page's imports and data loaded first
        exec "$VENV/bin/python" -m dashboard.serve "${args[@]}"
        ;;
    cli)
        shift
        ensure_venv requirements.txt
        exec "$VENV/bin/emnist-lab" "$@"
        ;;
    test)
        shift
        ensure_venv requirements-dev.txt
        ensure_debian_package chromium /usr/bin/chromium "the browser tests"
        ensure_debian_package postgresql "/usr/lib/postgresql/*/bin/initdb" "the PostgreSQL tuning test"
        echo "lab: ruff check and ruff format --check" >&2
        "$VENV/bin/ruff" check .
        "$VENV/bin/ruff" format --check .
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    *)
        echo "usage: ./lab.sh app [--classroom FILE] [streamlit options] | ./lab.sh cli COMMAND..." >&2
        echo "       ./lab.sh test [pytest options]" >&2
        exit 2
        ;;
esac
