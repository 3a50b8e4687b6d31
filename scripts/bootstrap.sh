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
