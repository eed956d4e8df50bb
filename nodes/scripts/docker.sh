# shellcheck shell=bash
# Step 3: docker no longer reads Flannel's options, and docker0 leaves the pod range.

if ! unit_exists docker; then
  unchanged "no docker.service on this node"
else
  for f in $(unit_files docker); do
    [ -f "$f" ] || continue
    if grep -Eq '^[[:space:]]*EnvironmentFile=-?/(var/)?run/flannel/' "$f" \
      || grep -Eq '^[[:space:]]*(Requires|Requisite|Wants|BindsTo|PartOf|After)=(.*[[:space:]])?flanneld(\.service)?([[:space:]]|$)' "$f"; then
      backup "$f"
      tmp=$(mktemp)
      # Drop exactly Flannel's EnvironmentFile lines; take flanneld out of
      # dependency lists (a masked flanneld that docker requires stops docker).
      awk '
        /^[ \t]*EnvironmentFile=-?\/(var\/)?run\/flannel\// { next }
        /^[ \t]*(Requires|Requisite|Wants|BindsTo|PartOf|After)=/ {
          split($0, kv, "="); out = ""; n = split(substr($0, length(kv[1]) + 2), deps, /[ \t]+/)
          for (i = 1; i <= n; i++) if (deps[i] != "" && deps[i] != "flanneld.service" && deps[i] != "flanneld") out = out (out == "" ? "" : " ") deps[i]
          if (out == "") next
          print kv[1] "=" out; next
        }
        { print }' "$f" > "$tmp"
      cat "$tmp" > "$f"
      rm -f "$tmp"
      changed "$f no longer reads /run/flannel or depends on flanneld"
      mark daemon-reload
      mark restart-docker
      mark recycle-sandboxes
    fi
  done
fi

# docker0 keeps its Flannel address across a restart unless it is reset.
if ip link show docker0 >/dev/null 2>&1; then
  for addr in $(ip -4 -o addr show dev docker0 | awk '{ print $4 }'); do
    if in_cidr "${addr%/*}" "$POD_CIDR"; then
      ip addr del "$addr" dev docker0
      changed "removed Flannel's address $addr from docker0 (inside the pod CIDR $POD_CIDR)"
      mark restart-docker
      mark recycle-sandboxes
    fi
  done
fi
finish
