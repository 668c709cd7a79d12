#!/bin/sh
# Installs the Debian packages that building and testing dbgsrv need.
# Idempotent: installs only what is missing; works as root or through sudo.
set -eu

PACKAGES="build-essential gcc-multilib cmake pkg-config libcmocka-dev libssl-dev libedit-dev libelf-dev gdb gdbserver python3 procps iproute2 util-linux openssl openssh-client openssh-server lldb"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: need root or sudo to install:$missing" >&2
    exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
