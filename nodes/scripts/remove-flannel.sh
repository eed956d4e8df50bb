# shellcheck shell=bash
# Step 2: remove Flannel: its service, state, certs, links, NAT rules and CNI configs.

if unit_exists flanneld; then
  before=$CHANGES
  # Disable first: the tutorial's unit is RequiredBy=docker.service, and
  # stopping it while docker requires it takes docker down mid-script.
  if [ "$(systemctl is-enabled flanneld 2>/dev/null || true)" = enabled ]; then
    mark daemon-reload
    out=$(systemctl disable flanneld 2>&1) || fail "systemctl disable flanneld: $out"
    changed "flanneld disabled"
  fi
  if [ "$(systemctl is-enabled flanneld 2>/dev/null || true)" != masked ]; then
    # mask cannot replace a unit file in /etc/systemd/system: keep it aside.
    mark daemon-reload
    unit_file=/etc/systemd/system/flanneld.service
    if [ -f "$unit_file" ] && [ ! -L "$unit_file" ]; then
      backup "$unit_file"
      rm -f "$unit_file"
      systemctl daemon-reload
    fi
    out=$(systemctl mask flanneld 2>&1) || fail "systemctl mask flanneld: $out"
    changed "flanneld masked (no unit can start it again)"
  fi
  if systemctl is-active --quiet flanneld; then
    systemctl stop flanneld
    changed "flanneld stopped"
  fi
  [ "$CHANGES" -ne "$before" ] || unchanged "flanneld is already disabled, masked and stopped"
else
  unchanged "no flanneld unit on this node"
fi

for d in /run/flannel /var/run/flannel /etc/flanneld/cert; do
  if [ -e "$d" ] && [ ! -L "$d" ]; then rm -rf "$d"; changed "removed $d"; fi
done

for link in flannel.1 cni0; do
  if ip link show "$link" >/dev/null 2>&1; then
    if [ "$link" = cni0 ]; then mark recycle-sandboxes; fi
    ip link delete "$link"
    changed "deleted link $link"
  fi
done

# NAT rules flanneld's -ip-masq left: POSTROUTING rules for the pod CIDR (or a
# subnet of it) and jumps to FLANNEL* chains; then the FLANNEL* chains. Other rules stay.
flannel_rule() { # a rule of `iptables -S`: does it belong to Flannel?
  local rule=$1 w prev=""
  case "$rule" in *FLANNEL*) return 0 ;; esac
  for w in $rule; do
    if [ "$prev" = -s ] || [ "$prev" = -d ] || [ "$prev" = --source ] || [ "$prev" = --destination ]; then
      case "$w" in [0-9]*) net_in_cidr "$w" "$POD_CIDR" && return 0 ;; esac
    fi
    prev=$w
  done
  return 1
}
for ipt in $(iptables_backends); do
  removed=0
  while IFS= read -r rule; do
    [ -n "$rule" ] || continue
    if flannel_rule "$rule"; then
      eval "$ipt -w -t nat ${rule/#-A /-D }"
      removed=$((removed + 1))
    fi
  done <<< "$("$ipt" -w -t nat -S POSTROUTING | grep '^-A ' || true)"
  [ "$removed" -eq 0 ] || changed "removed $removed Flannel NAT rule(s) from nat POSTROUTING ($ipt)"
  for table in nat filter; do
    for chain in $("$ipt" -w -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^FLANNEL/ { print $2 }'); do
      while IFS= read -r rule; do
        [ -n "$rule" ] || continue
        eval "$ipt -w -t $table ${rule/#-A /-D }"
      done <<< "$("$ipt" -w -t "$table" -S | grep -- "-j $chain\( \|$\)" | grep '^-A ' || true)"
      "$ipt" -w -t "$table" -F "$chain"
      "$ipt" -w -t "$table" -X "$chain"
      changed "removed chain $chain from $table ($ipt)"
    done
  done
done

# Flannel's CNI configs: kept in the backup directory, out of kubelet's sight.
if [ -d "$CNI_NET_DIR" ]; then
  for f in "$CNI_NET_DIR"/*; do
    [ -f "$f" ] || continue
    if grep -q '"type"[[:space:]]*:[[:space:]]*"flannel"' "$f"; then
      mark recycle-sandboxes
      backup "$f"
      rm -f "$f"
      changed "removed Flannel CNI config $f"
    fi
  done
fi
finish
