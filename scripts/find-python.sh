#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 for the virtual environment, preferring the version
# named in .python-version; prints nothing (exit 1) when there is none.
set -u
cd "$(dirname "$0")/.." || exit 1
want=$(cat .python-version 2>/dev/null || echo 3.13)
minor=${want%.*}
candidates=(
  "${PYENV_ROOT:-$HOME/.pyenv}/versions/$want/bin/python${minor}"
  "$(command -v "python${minor}" 2>/dev/null)"
  "$(pyenv which "python${minor}" 2>/dev/null)"
)
for v in 3.13 3.12; do
  candidates+=("$(command -v "python$v" 2>/dev/null)")
  for d in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/$v*/bin/python$v; do candidates+=("$d"); done
done
candidates+=("$(command -v python3 2>/dev/null)")
for py in "${candidates[@]}"; do
  [ -n "$py" ] && [ -x "$py" ] || continue
  if "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$py"
    exit 0
  fi
done
exit 1
