#!/usr/bin/env bash
# Installs what `make run`, `make test` and `make bench` need on a fresh Debian machine that has only the Swift
# toolchain. Idempotent: every tool is checked first, so a second run installs nothing and takes well under a second.
#
#   scripts/setup.sh          runtime and test tools
#   scripts/setup.sh --bench  also nginx and wrk, and the image benchmark's peers: nginx's image_filter module,
#                             libvips' vipsthumbnail, hyperfine, GNU time and thumbor
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

deb_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# Packages are checked by name, not by command: `convert` on PATH may be a stand-in for ImageMagick.
# libsqlite3-dev: the pipeline queue (GRDB); postgresql: the tests of the queue shared by several gateways.
wanted=(imagemagick libmagickwand-dev pkg-config libimage-exiftool-perl curl libsqlite3-dev postgresql)
if $want_bench; then
    wanted+=(nginx wrk libnginx-mod-http-image-filter libvips-tools hyperfine time)
fi
apt_missing=()
for package in "${wanted[@]}"; do
    deb_installed "$package" || apt_missing+=("$package")
done

if [ "${#apt_missing[@]}" -gt 0 ]; then
    echo "setup.sh: installing Debian packages: ${apt_missing[*]}"
    as_root apt-get update -qq >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
# find_spec looks the modules up without importing them, which keeps a no-op run fast.
read -r -a pip_missing <<<"$("$python" - "$want_bench" <<'PY'
import importlib.util
import sys
wanted = {"boto3": "boto3", "pytest": "pytest", "moto[server]": "moto", "awscli": "awscli", "requests": "requests"}
if sys.argv[1] == "true":
    wanted["thumbor"] = "thumbor"
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
    # A user who is not root installs into their home. Debian's own python3 refuses pip installs outside a venv
    # (PEP 668) unless told --break-system-packages, which is the fallback.
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
