#!/usr/bin/env bash
# Builds (once) the Debian root file system the real-node tests boot with
# systemd-nspawn, and prints its path. The image is cached under
#   ${F2C_REALNODE_CACHE:-/var/cache/f2c-realnode}/<sha256 of the recipe>/rootfs
# where the recipe is this script and every file it copies in, so a changed
# recipe never reuses an old image and a broken cold build cannot hide behind
# a cache. A cold build that fails exits non-zero with the end of its log.
#
# Usage: image.sh [--hash | --rebuild | --prune]
#   --hash     print the recipe hash and exit
#   --rebuild  build even when a complete image of this recipe exists
#   --prune    also delete cached images of other recipes
# Env: F2C_REALNODE_CACHE (cache root), F2C_DEBIAN_MIRROR (apt mirror URL;
# default: the first bookworm "main" source configured on this machine).
# Needs root, debootstrap and a reachable Debian mirror (cold build only).
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
SUITE=bookworm
PACKAGES=(
  systemd systemd-sysv dbus iproute2 iptables procps kmod ca-certificates
  openssh-server docker.io containerd runc tini docker-registry busybox-static
)
# Files copied into the image besides what the packages bring (part of the recipe).
RECIPE_FILES=("$SELF")

die() { echo "image.sh: $*" >&2; exit 1; }

recipe_hash() {
  local f
  for f in "${RECIPE_FILES[@]}"; do
    printf '%s\n' "${f##*/}"
    sha256sum < "$f"
  done | sha256sum | cut -c1-16
}

# The first Debian mirror this machine's apt uses for $SUITE main (deb822
# .sources files and one-line .list files; disabled files are skipped).
configured_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      function emit() { if (types ~ /(^| )deb( |$)/ && suites ~ ("(^| )" suite "( |$)") && comps ~ /(^| )main( |$)/ && uris != "") { split(uris, u, " "); print u[1]; found = 1; exit } }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { emit(); types = suites = comps = uris = ""; next }
      /^Types:/ { types = substr($0, 7) } /^URIs:/ { uris = substr($0, 6) }
      /^Suites:/ { suites = substr($0, 8) } /^Components:/ { comps = substr($0, 12) }
      END { if (!found) emit() }' "$f" | sed 's/^[ \t]*//' | head -n1
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } if ($(i + 1) == suite) { print $i; exit } }' "$f"
  done
}

hash=$(recipe_hash)
if [ "${1:-}" = --hash ]; then echo "$hash"; exit 0; fi
rebuild=0; prune=0
case "${1:-}" in
  --rebuild) rebuild=1 ;;
  --prune) prune=1 ;;
  "") ;;
  *) die "unknown argument $1 (see the comment at the top)" ;;
esac

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"
cache=${F2C_REALNODE_CACHE:-/var/cache/f2c-realnode}
dest="$cache/$hash"
mkdir -p "$cache"

# One builder per cache: concurrent runs wait for the first one's image.
exec 9> "$cache/.lock"
flock 9

if [ "$prune" -eq 1 ]; then
  find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name "$hash" -exec rm -rf {} +
fi
if [ "$rebuild" -eq 0 ] && [ -f "$dest/complete" ]; then
  echo "$dest/rootfs"
  exit 0
fi

command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed (apt-get install debootstrap systemd-container)"
mirror=${F2C_DEBIAN_MIRROR:-$(configured_mirror | head -n1)}
[ -n "$mirror" ] || die "found no apt source for Debian $SUITE main in /etc/apt; set F2C_DEBIAN_MIRROR"

work="$cache/$hash.building.$$"
log="$cache/$hash.log"
rm -rf "$dest" "$work"
mkdir -p "$work"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

start=$(date +%s)
echo "image.sh: building $SUITE image $hash from $mirror (log: $log)" >&2
include=$(IFS=,; echo "${PACKAGES[*]}")
if ! debootstrap --variant=minbase --include="$include" "$SUITE" "$work/rootfs" "$mirror" > "$log" 2>&1; then
  tail -n 30 "$log" >&2
  die "debootstrap failed (full log: $log)"
fi

in_root() { chroot "$work/rootfs" /bin/sh -ec "$1" >> "$log" 2>&1 || { tail -n 20 "$log" >&2; die "image set-up failed: $1"; }; }

# Each node gets its own host key at boot; no unit should start Debian's
# docker (the tarball layout brings its own docker.service) or a console getty.
in_root '
rm -f /etc/ssh/ssh_host_*
rm -f /etc/init.d/docker /etc/default/docker /lib/systemd/system/docker.service /lib/systemd/system/docker.socket /etc/systemd/system/sockets.target.wants/docker.socket /etc/systemd/system/multi-user.target.wants/docker.service
systemctl disable containerd.service
systemctl mask console-getty.service getty@tty1.service systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer 2>/dev/null || true
: > /etc/machine-id
mkdir -p /opt/f2c /root/.ssh
chmod 700 /root/.ssh
'

# A tiny image for pods (no network on the nodes): busybox sleep and sh.
pause="$work/pause"
mkdir -p "$pause/bin"
cp "$work/rootfs/bin/busybox" "$pause/bin/busybox"
ln -s busybox "$pause/bin/sh"
ln -s busybox "$pause/bin/sleep"
tar -C "$pause" -cf "$work/rootfs/opt/f2c/pause.tar" . || die "could not pack the pause image"

rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
echo "$SUITE $hash $(date -u +%Y-%m-%dT%H:%M:%SZ) ${PACKAGES[*]}" > "$work/rootfs/opt/f2c/image"
mv "$work" "$dest"
trap - EXIT
date -u +%Y-%m-%dT%H:%M:%SZ > "$dest/complete"
echo "image.sh: built $dest in $(( $(date +%s) - start )) s" >&2
echo "$dest/rootfs"
