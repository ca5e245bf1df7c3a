#!/usr/bin/env bash
# Installs what `make run`, `make test` and `make bench` need on a fresh Debian machine that has only the Swift
# toolchain. Idempotent: every tool is checked first, so a second run installs nothing and takes well under a second.
#
#   scripts/setup.sh          runtime and test tools
#   scripts/setup.sh --bench  also nginx and wrk
set -euo pipefail

want_bench=false
for argument in "$@"; do
    case "$argument" in
        --bench) want_bench=true ;;
        *) echo "setup.sh: unknown argument $argument" >&2; exit 2 ;;
    esac
done

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "setup.sh: need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

apt_missing=()
# `convert` on PATH may be a stand-in, so the real ImageMagick is recognised by its Debian path.
[ -x /usr/bin/convert ] || apt_missing+=(imagemagick)
pkg-config --exists MagickWand 2>/dev/null || apt_missing+=(libmagickwand-dev)
command -v exiftool >/dev/null 2>&1 || apt_missing+=(libimage-exiftool-perl)
command -v curl >/dev/null 2>&1 || apt_missing+=(curl)
if $want_bench; then
    [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || apt_missing+=(nginx)
    command -v wrk >/dev/null 2>&1 || apt_missing+=(wrk)
fi

if [ "${#apt_missing[@]}" -gt 0 ]; then
    echo "setup.sh: installing Debian packages: ${apt_missing[*]}"
    as_root apt-get update -qq >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
# find_spec looks the modules up without importing them, which keeps a no-op run fast.
read -r -a pip_missing <<<"$("$python" - <<'PY'
import importlib.util
wanted = {"boto3": "boto3", "pytest": "pytest", "moto[server]": "moto", "awscli": "awscli"}
missing = [package for package, module in wanted.items() if importlib.util.find_spec(module) is None]
if importlib.util.find_spec("flask") is None and "moto[server]" not in missing:
    missing.append("moto[server]")
print(" ".join(missing))
PY
)"
command -v aws >/dev/null 2>&1 || [[ " ${pip_missing[*]} " == *" awscli "* ]] || pip_missing+=(awscli)

if [ "${#pip_missing[@]}" -gt 0 ]; then
    echo "setup.sh: installing Python packages: ${pip_missing[*]}"
    pip_flags=(--quiet --disable-pip-version-check)
    # Debian's own python3 refuses system-wide installs (PEP 668); a user install is the least surprising fallback.
    if [ "$(id -u)" -ne 0 ] && [ -z "${VIRTUAL_ENV:-}" ]; then
        pip_flags+=(--user)
    fi
    if "$python" -m pip install "${pip_flags[@]}" "${pip_missing[@]}" 2>/dev/null; then
        :
    else
        "$python" -m pip install "${pip_flags[@]}" --break-system-packages "${pip_missing[@]}"
    fi
    # pyenv only exposes console scripts such as `aws` after a rehash.
    if command -v pyenv >/dev/null 2>&1; then
        pyenv rehash || true
    fi
fi
