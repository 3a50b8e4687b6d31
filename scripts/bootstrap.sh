# Shared by ./serve and ./check: create .venv and install the project with pinned versions.
# Reinstalls only when pyproject.toml or constraints.txt changed since the last install.

ensure_venv() {
  local extras="$1"
  local python="${PYTHON:-python3}"
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Syft Space needs Python 3.11 or newer; set PYTHON=/path/to/python3.11." >&2
    exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
  fi
  local stamp=".venv/.installed${extras}"
  local digest
  digest="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    echo "Installing Syft Space${extras:+ with $extras} into .venv ..." >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check \
      -c constraints.txt -e ".${extras}"
    echo "$digest" > "$stamp"
  fi
}

# The web console: install its packages and build it into src/syft_space/web_dist, again only
# when web/package-lock.json or the console's sources changed since the last build.
web_digest() {
  (cd web && find package.json package-lock.json index.html vite.config.ts tsconfig.json \
    public src -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

ensure_web_deps() {
  if ! command -v npm >/dev/null 2>&1; then
    echo "The web console needs Node.js 20.19+ with npm; install it, or use the API alone." >&2
    return 1
  fi
  local stamp="web/node_modules/.installed"
  local digest
  digest="$(sha256sum web/package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    echo "Installing the web console's packages (npm ci) ..." >&2
    (cd web && npm ci --no-audit --no-fund --loglevel=error) || return 1
    echo "$digest" > "$stamp"
  fi
}

ensure_web_build() {
  ensure_web_deps || return 1
  local stamp="src/syft_space/web_dist/.built"
  local digest
  digest="$(web_digest)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    echo "Building the web console ..." >&2
    (cd web && npm run --silent build -- --logLevel=warn) || return 1
    echo "$digest" > "$stamp"
  fi
}

# The console's end-to-end tests drive Debian's Chromium (never a downloaded browser build).
ensure_chromium() {
  local chromium="${CHROMIUM:-/usr/bin/chromium}"
  [ -x "$chromium" ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "The console's browser tests need Chromium at $chromium: as root, run" \
      "'apt-get install -y chromium' (or set CHROMIUM to a Chromium binary)." >&2
    return 1
  fi
  echo "Installing Debian's chromium for the console's browser tests ..." >&2
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
      >/dev/null; }; then
    echo "Could not install chromium with apt-get; install it and run ./check again." >&2
    return 1
  fi
}
