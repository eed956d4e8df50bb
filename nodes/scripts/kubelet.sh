# shellcheck shell=bash
# Step 4: kubelet uses CNI. Below 1.24 (dockershim): --network-plugin=cni
# exactly once. From 1.24 the flag is gone: cri-dockerd carries it instead.

KUBELET_BIN=$(kubelet_bin)
unit_exists kubelet || fail "kubelet.service was not found (systemctl cat kubelet)"
version=$(kubelet_version "$KUBELET_BIN")
minor=$(minor_of "$version")

# Rewrites the effective ExecStart of a unit: every --network-plugin flag is
# removed, and with $2 = add, --network-plugin=cni goes right after the binary.
# Continuation lines and flag order are kept.
rewrite_network_plugin() {
  local unit=$1 action=$2 file tmp
  file=$(execstart_file "$unit")
  if [ -z "$file" ] || [ ! -f "$file" ]; then fail "cannot find the file that holds $unit's ExecStart"; fi
  mark daemon-reload
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
  replace_file "$file" "$tmp"
}

plugin_flags() { execstart_line "$1" | grep -o -- '--network-plugin[= ][^ ]*' || true; }

# Makes unit $1's ExecStart carry --network-plugin=cni exactly once, checks
# the result, and marks the unit for a restart; $2 names it in messages.
ensure_cni_plugin() {
  local unit=$1 what=$2 flags
  flags=$(plugin_flags "$unit")
  if [ "$flags" = "--network-plugin=cni" ]; then
    unchanged "$what already runs with --network-plugin=cni"
    return 0
  fi
  mark "restart-$unit"
  rewrite_network_plugin "$unit" add
  [ "$(plugin_flags "$unit")" = "--network-plugin=cni" ] \
    || fail "$unit's ExecStart still does not carry --network-plugin=cni exactly once after the edit"
  changed "$what ExecStart in $(execstart_file "$unit") now has --network-plugin=cni (was: ${flags:-absent})"
}

if [ "$minor" -lt 24 ]; then
  if execstart_line kubelet | grep -Eq -- '--container-runtime(=| )remote'; then
    unchanged "kubelet v1.$minor uses a remote runtime (CRI): --network-plugin applies to dockershim only"
  else
    ensure_cni_plugin kubelet kubelet
  fi
else
  if [ -n "$(plugin_flags kubelet)" ]; then
    mark restart-kubelet
    rewrite_network_plugin kubelet remove
    changed "removed --network-plugin from kubelet v1.$minor (the flag was removed in 1.24; kubelet would not start)"
  else
    unchanged "kubelet v1.$minor has no --network-plugin flag (none needed from 1.24)"
  fi
  if unit_exists cri-docker; then
    ensure_cni_plugin cri-docker cri-dockerd
  else
    unchanged "no cri-dockerd on this node: the runtime's own CNI support is used"
  fi
fi
finish
