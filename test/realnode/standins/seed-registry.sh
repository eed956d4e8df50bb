#!/bin/bash
# Fills the node's local registry (Debian's docker-registry on 127.0.0.1:5000)
# with the images given as arguments (127.0.0.1:5000/calico/node:v3.8.9, ...),
# all the tiny local pause image, so that preflight's pull runs for real.
# Uses the node's docker when it runs, else a throw-away dockerd.
set -euo pipefail
i=0
docker_cmd=(docker)
tmp=""
if ! docker version >/dev/null 2>&1; then
  tmp=$(mktemp -d -p /var/lib/docker)
  dockerd --data-root "$tmp/data" -H "unix://$tmp/d.sock" -p "$tmp/d.pid" --exec-root "$tmp/exec" \
    --bridge=none --iptables=false --ip-masq=false > "$tmp/log" 2>&1 &
  docker_cmd=(docker -H "unix://$tmp/d.sock")
  until "${docker_cmd[@]}" version >/dev/null 2>&1; do
    i=$((i + 1)); [ "$i" -lt 100 ] || { cat "$tmp/log" >&2; exit 1; }; sleep 0.1
  done
fi
"${docker_cmd[@]}" image inspect f2c/pause:3.1 >/dev/null 2>&1 || "${docker_cmd[@]}" import /opt/f2c/pause.tar f2c/pause:3.1 >/dev/null
for ref in "$@"; do
  "${docker_cmd[@]}" tag f2c/pause:3.1 "$ref"
  "${docker_cmd[@]}" push "$ref" >/dev/null
  "${docker_cmd[@]}" rmi "$ref" >/dev/null
done
if [ -n "$tmp" ]; then kill "$(cat "$tmp/d.pid")"; while [ -e "$tmp/d.pid" ]; do sleep 0.1; done; rm -rf "$tmp"; fi
