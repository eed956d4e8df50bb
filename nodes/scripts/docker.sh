# shellcheck shell=bash
# Step 3: docker no longer reads Flannel's options, and docker0 leaves the pod
# range for good. Taking the address off docker0 is no fix: with live-restore,
# dockerd keeps its stored bridge (Flannel's --bip) while any container runs and
# puts the address back. What holds is a bip in daemon.json and one docker
# restart with no container running, which apply does when docker0 is off it.

if ! unit_exists docker; then
  unchanged "no docker.service on this node"
else
  for f in $(unit_files docker); do
    [ -f "$f" ] || continue
    if grep -Eq '^[[:space:]]*EnvironmentFile=-?/(var/)?run/flannel/' "$f" \
      || grep -Eq '^[[:space:]]*(Requires|Requisite|Wants|BindsTo|PartOf|After)=(.*[[:space:]])?flanneld(\.service)?([[:space:]]|$)' "$f"; then
      mark daemon-reload
      mark restart-docker
      mark recycle-sandboxes
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
      replace_file "$f" "$tmp"
      changed "$f no longer reads /run/flannel or depends on flanneld"
    fi
  done

  # bip in daemon.json: every other key and byte is kept, the file backed up.
  config=$(docker_config_file)
  check_docker_config "$config"
  current=$(json_key get "$config" bip)
  if [ "$current" = "$DOCKER_BIP" ]; then
    unchanged "$config already sets bip $DOCKER_BIP"
  else
    tmp=$(mktemp)
    if [ -s "$config" ]; then
      backup "$config"
      json_key set "$config" bip "$DOCKER_BIP" > "$tmp"
    else
      mkdir -p "$(dirname "$config")"
      printf '{\n  "bip": "%s"\n}\n' "$DOCKER_BIP" > "$tmp"
    fi
    [ "$(json_key get "$tmp" bip)" = "$DOCKER_BIP" ] || fail "could not set bip in a copy of $config (left unchanged)"
    replace_file "$config" "$tmp"
    changed "$config sets bip $DOCKER_BIP (was: ${current:-unset}); docker0 takes it at docker's next restart with no container running"
  fi

  if ip link show docker0 >/dev/null 2>&1; then
    addrs=$(ip -4 -o addr show dev docker0 | awk '{ print $4 }' | sort | tr '\n' ' ')
    addrs=${addrs% }
    if [ "$addrs" = "$DOCKER_BIP" ]; then
      unchanged "docker0 has $DOCKER_BIP"
    else
      mark restart-docker
      mark stop-containers
      mark recycle-sandboxes
      changed "docker0 has ${addrs:-no address}, not $DOCKER_BIP: apply stops every container on this node and restarts docker so that docker0 takes it (kubelet recreates the pods)"
    fi
  else
    unchanged "no docker0 yet: docker makes it from the bip when it starts"
  fi
fi
finish
