#!/usr/bin/env bash
# Print the path of a working Python X.Y interpreter, or explain what was tried.
# usage: tools/find_python.sh 3.10 PYTHON310
set -u
want="$1"
var="$2"
tried=()

works() {
  "$1" -c "import sys, venv, ensurepip; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" \
    >/dev/null 2>&1
}

candidate="${!var:-}"
if [ -n "$candidate" ]; then
  works "$candidate" && { echo "$candidate"; exit 0; }
  tried+=("\$$var=$candidate (not a working Python $want)")
else
  tried+=("\$$var (not set)")
fi

if path=$(command -v "python$want" 2>/dev/null); then
  works "$path" && { echo "$path"; exit 0; }
  tried+=("python$want on PATH: $path (does not run; a pyenv shim without pyenv settings?)")
else
  tried+=("python$want on PATH (none)")
fi

shopt -s nullglob
found=0
for path in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$want"*/bin/python"$want" /root/.pyenv/versions/"$want"*/bin/python"$want"; do
  found=1
  works "$path" && { echo "$path"; exit 0; }
  tried+=("$path (does not run)")
done
[ "$found" = 1 ] || tried+=("${PYENV_ROOT:-$HOME/.pyenv}/versions/$want*/bin/python$want (none)")

{
  echo "error: no Python $want found. Tried:"
  for t in "${tried[@]}"; do echo "  - $t"; done
  echo "Install Python $want (with venv) and set $var=/path/to/python$want."
} >&2
exit 1
