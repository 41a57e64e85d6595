#!/usr/bin/env bash
# Print the path of the newest working Python >= 3.11 (with venv and ensurepip) on PATH or under pyenv.
# pyenv shims for versions that are not selected fail when run, so each candidate is executed, not just found.
set -uo pipefail

candidates=()
for name in python3.14 python3.13 python3.12 python3.11 python3; do
    path=$(command -v "$name" 2>/dev/null) && candidates+=("$path")
done
pyenv_root=${PYENV_ROOT:-}
if [ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1; then
    pyenv_root=$(pyenv root 2>/dev/null || true)
fi
roots=("$pyenv_root" "$HOME/.pyenv")
# pyenv root follows HOME; the pyenv executable's own location survives a changed HOME.
if command -v pyenv >/dev/null 2>&1; then
    roots+=("$(dirname "$(dirname "$(readlink -f "$(command -v pyenv)")")")")
fi
for root in "${roots[@]}"; do
    [ -n "$root" ] || continue
    for path in "$root"/versions/*/bin/python3; do
        [ -x "$path" ] && candidates+=("$path")
    done
done
for path in /usr/local/bin/python3 /usr/bin/python3; do
    [ -x "$path" ] && candidates+=("$path")
done

best=""; best_key=0
for path in "${candidates[@]}"; do
    key=$("$path" -c 'import sys, venv, ensurepip, ssl
v = sys.version_info
print(v[0] * 10000 + v[1] * 100 + v[2] if v >= (3, 11) and v.releaselevel == "final" else 0)' 2>/dev/null) || continue
    if [ -n "$key" ] && [ "$key" -gt "$best_key" ]; then
        best_key=$key; best=$path
    fi
done
if [ -z "$best" ]; then
    echo "find_python.sh: no Python >= 3.11 with venv/ensurepip found on PATH or under pyenv" >&2
    exit 1
fi
echo "$best"
