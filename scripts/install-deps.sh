#!/bin/sh
# Installs the Debian packages Sluice builds and tests with, only those missing.
# Called by the Makefile before the first build; safe to run again (it does nothing then).
set -eu

PACKAGES="make gcc pkg-config flex bison libsodium-dev libcmocka-dev libpcap-dev libreadline-dev \
clang llvm-dev libclang-rt-14-dev tcpdump tshark \
gcc-mips64-linux-gnuabi64 gcc-aarch64-linux-gnu qemu-user-static libc6-dev-mips64-cross libc6-dev-arm64-cross \
llvm-19-dev llvm-19 libyaml-dev tmux iproute2"

missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done

[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer before installing.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
