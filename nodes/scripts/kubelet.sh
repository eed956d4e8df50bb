# shellcheck shell=bash
# Step 4: kubelet uses CNI. Below 1.24 (dockershim): --network-plugin=cni
# exactly once. From 1.24 the flag is gone: cri-dockerd carries it instead.

KUBELET_BIN=$(find_bin kubelet) || fail "kubelet is not on PATH or in /opt/k8s/bin"
unit_exists kubelet || fail "kubelet.service was not found (systemctl cat kubelet)"
minor=$("$KUBELET_BIN" --version 2>/dev/null | grep -o 'v[0-9][0-9.]*' | head -n1 | cut -d. -f2 || true)
[ -n "$minor" ] || fail "could not read the kubelet version ($KUBELET_BIN --version)"

# Rewrites the effective ExecStart of a unit: every --network-plugin flag is
# removed, and with $2 = add, --network-plugin=cni goes right after the binary.
# Continuation lines and flag order are kept.
rewrite_network_plugin() {
  local unit=$1 action=$2 file tmp
  file=$(execstart_file "$unit")
  if [ -z "$file" ] || [ ! -f "$file" ]; then fail "cannot find the file that holds $unit's ExecStart"; fi
  backup "$file"
  tmp=$(mktemp)
  awk -v add="$action" '
    function flush(   i, m, k, out) {
      m = 0
      for (i = 1; i <= nb; i++) {
        line = blk[i]
        sub(/[ \t]*\\[ \t]*$/, "", line)
        gsub(/[ \t]+--network-plugin=[^ \t]*/, "", line)
        gsub(/[ \t]+--network-plugin[ \t]+[^- \t][^ \t]*/, "", line)
        sub(/^[ \t]*--network-plugin=[^ \t]*[ \t]*/, "  ", line); sub(/^[ \t]*--network-plugin[ \t]+[^- \t][^ \t]*[ \t]*/, "  ", line)
        if (i > 1 && line ~ /^[ \t]*$/) continue
        if (i == 1 && add == "add") sub(/^[ \t]*ExecStart=[ \t]*[^ \t]+/, "& --network-plugin=cni", line)
        out[++m] = line
      }
      for (k = 1; k <= m; k++) print out[k] (k < m ? " \\" : "")
      nb = 0
    }
    inblk { blk[++nb] = $0; if ($0 !~ /\\[ \t]*$/) { inblk = 0; flush() } ; next }
    /^[ \t]*ExecStart=[ \t]*[^ \t]/ { nb = 0; blk[++nb] = $0; if ($0 ~ /\\[ \t]*$/) inblk = 1; else flush(); next }
    { print }
    END { if (inblk) flush() }' "$file" > "$tmp"
  cat "$tmp" > "$file"
  rm -f "$tmp"
  mark daemon-reload
}

plugin_flags() { execstart_line "$1" | grep -o -- '--network-plugin[= ][^ ]*' || true; }

if [ "$minor" -lt 24 ]; then
  if execstart_line kubelet | grep -Eq -- '--container-runtime(=| )remote'; then
    unchanged "kubelet v1.$minor uses a remote runtime (CRI): --network-plugin applies to dockershim only"
  else
    flags=$(plugin_flags kubelet)
    if [ "$flags" = "--network-plugin=cni" ]; then
      unchanged "kubelet already runs with --network-plugin=cni"
    else
      rewrite_network_plugin kubelet add
      [ "$(plugin_flags kubelet)" = "--network-plugin=cni" ] || fail "kubelet's ExecStart still does not carry --network-plugin=cni exactly once after the edit"
      changed "kubelet ExecStart in $(execstart_file kubelet) now has --network-plugin=cni (was: ${flags:-absent})"
      mark restart-kubelet
    fi
  fi
else
  if [ -n "$(plugin_flags kubelet)" ]; then
    rewrite_network_plugin kubelet remove
    changed "removed --network-plugin from kubelet v1.$minor (the flag was removed in 1.24; kubelet would not start)"
    mark restart-kubelet
  else
    unchanged "kubelet v1.$minor has no --network-plugin flag (none needed from 1.24)"
  fi
  if unit_exists cri-docker; then
    flags=$(plugin_flags cri-docker)
    if [ "$flags" = "--network-plugin=cni" ]; then
      unchanged "cri-dockerd already runs with --network-plugin=cni"
    else
      rewrite_network_plugin cri-docker add
      [ "$(plugin_flags cri-docker)" = "--network-plugin=cni" ] || fail "cri-docker's ExecStart still does not carry --network-plugin=cni exactly once after the edit"
      changed "cri-dockerd ExecStart in $(execstart_file cri-docker) now has --network-plugin=cni (was: ${flags:-absent})"
      mark restart-cri-docker
    fi
  else
    unchanged "no cri-dockerd on this node: the runtime's own CNI support is used"
  fi
fi
finish
