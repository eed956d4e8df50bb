# shellcheck shell=bash
# Step 1: preflight. Changes nothing but the image cache and the record of Flannel's facts.

KUBELET_BIN=$(kubelet_bin)
unit_exists kubelet || fail "kubelet.service was not found (systemctl cat kubelet); this program prepares nodes whose kubelet runs under systemd"
KUBELET_VERSION=$(kubelet_version "$KUBELET_BIN")
log "kubelet $KUBELET_VERSION at $KUBELET_BIN"
node_minor=$(minor_of "$KUBELET_VERSION")
want_minor=$(minor_of "$KUBERNETES_VERSION")
if [ "$node_minor" != "$want_minor" ]; then
  warn "kubelet is $KUBELET_VERSION but cluster.kubernetesVersion is $KUBERNETES_VERSION; the kubelet step follows the node's own kubelet"
fi

KUBELET_UNIT=$(execstart_file kubelet)
log "kubelet ExecStart is in ${KUBELET_UNIT:-<none>}: $(execstart_line kubelet)"
[ -n "$KUBELET_UNIT" ] || fail "kubelet.service has no ExecStart"

runtime=unknown
kubelet_cmd=$(execstart_line kubelet)
if echo "$kubelet_cmd" | grep -q 'containerd.sock'; then runtime=containerd
elif echo "$kubelet_cmd" | grep -q 'cri-dockerd.sock'; then runtime=cri-dockerd
elif [ "$node_minor" -lt 24 ] && unit_exists docker; then runtime=docker
elif unit_exists cri-docker; then runtime=cri-dockerd
elif unit_exists containerd; then runtime=containerd
fi
log "container runtime: $runtime"
if [ "$runtime" = unknown ]; then fail "found no container runtime (docker with dockershim below 1.24, cri-dockerd, or containerd)"; fi
if unit_exists docker; then log "docker ExecStart is in $(execstart_file docker): $(execstart_line docker)"; fi

# docker0 must leave the pod range: the docker step sets bip in daemon.json,
# which must be readable now, before any cutover.
if unit_exists docker; then
  docker_json=$(docker_config_file)
  check_docker_config "$docker_json"
  now_bip=$(json_key get "$docker_json" bip)
  log "docker bridge: the docker step sets bip $DOCKER_BIP in $docker_json (now: ${now_bip:-unset})"
fi

# Kernel support for the encapsulation. Rendered per family, not per mode, so
# switching among ipip, bgp and crossSubnet does not re-run this step: in the
# BIRD family a missing ipip module is a warning (pure bgp does not need it);
# for vxlan it is a failure.
for mod in $KERNEL_MODULES; do
  if [ -d "/sys/module/$mod" ]; then log "kernel module $mod: loaded"; continue; fi
  release=$(uname -r)
  if [ ! -d "/lib/modules/$release" ]; then
    warn "kernel module $mod: cannot tell (no /lib/modules/$release); $MODULE_NEEDED_BY needs it"
  elif grep -q "/$mod.ko" "/lib/modules/$release/modules.builtin" 2>/dev/null; then
    log "kernel module $mod: built in"
  elif modinfo "$mod" >/dev/null 2>&1; then
    log "kernel module $mod: available"
  else
    if [ "$MODULE_REQUIRED" = yes ]; then
      fail "kernel module $mod is missing from /lib/modules/$release; $MODULE_NEEDED_BY needs it (choose another network.mode or install it)"
    fi
    warn "kernel module $mod is missing from /lib/modules/$release; $MODULE_NEEDED_BY need it (pure bgp does not)"
  fi
done

# kubelet (or the CRI shim) must look for CNI where Calico's install-cni writes.
check_cni_dir() { # unit flag expected
  local val
  val=$(execstart_line "$1" | grep -o -- "$2[= ][^ ]*" | head -n1 | sed "s/^$2[= ]//" || true)
  if [ -n "$val" ] && [ "$val" != "$3" ]; then
    fail "$1 runs with $2=$val but Calico installs its CNI files in $3 (the manifest's hostPath); make them agree"
  fi
  log "$1 $2: ${val:-default} (Calico writes $3)"
}
check_cni_dir kubelet --cni-bin-dir "$CNI_BIN_DIR"
check_cni_dir kubelet --cni-conf-dir "$CNI_NET_DIR"
if [ "$runtime" = cri-dockerd ]; then
  check_cni_dir cri-docker --cni-bin-dir "$CNI_BIN_DIR"
  check_cni_dir cri-docker --cni-conf-dir "$CNI_NET_DIR"
fi

# Flannel's facts, before remove-flannel deletes them: /run/flannel/subnet.env and
# flanneld's -iface (flannel main.go: an interface name or address; without it, the
# default route's interface), kept in STATE_DIR for later runs once Flannel is gone.
# Then two checks: Calico's IP autodetection must pick that interface, and the pod
# MTU plus the header of Calico's encapsulation in this mode must fit its MTU.
facts_file="$STATE_DIR/flannel-facts.env"
fact() { # key file: the value, empty when the file or key is missing
  if [ -f "$2" ]; then sed -n "s/^$1=//p" "$2" | tail -n1; fi
}
flanneld_iface() { # the first -iface of flanneld's ExecStart that exists here, and how it was given
  local w prev="" v name
  for w in $(execstart_line flanneld); do
    v=""
    case "$w" in -iface=*|--iface=*) v=${w#*=} ;; esac
    case "$prev" in -iface|--iface) v=$w ;; esac
    prev=$w
    [ -n "$v" ] || continue
    name=$v
    case "$v" in [0-9]*.*.*.*) name=$(ip -o -4 addr show | awk -v a="$v" '{ split($4, p, "/"); if (p[1] == a) { print $2; exit } }') ;; esac
    if [ -n "$name" ] && [ -e "/sys/class/net/$name" ]; then echo "$name -iface=$v"; return 0; fi
  done
  if unit_exists flanneld; then
    name=$(ip -4 route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
    if [ -n "$name" ]; then echo "$name default-route"; fi
  fi
}
mkdir -p "$STATE_DIR"
facts_new="$STATE_DIR/.flannel-facts.$$"
live_iface=$(flanneld_iface)
{
  for k in FLANNEL_NETWORK FLANNEL_SUBNET FLANNEL_MTU FLANNEL_IPMASQ; do
    v=$(fact "$k" /run/flannel/subnet.env)
    [ -n "$v" ] || v=$(fact "$k" "$facts_file")
    echo "$k=$v"
  done
  if [ -n "$live_iface" ]; then
    echo "FLANNELD_IFACE=${live_iface%% *}"
    echo "FLANNELD_IFACE_FROM=${live_iface#* }"
  else
    # Flannel is gone: keep what was recorded before its removal.
    echo "FLANNELD_IFACE=$(fact FLANNELD_IFACE "$facts_file")"
    echo "FLANNELD_IFACE_FROM=$(fact FLANNELD_IFACE_FROM "$facts_file")"
  fi
} > "$facts_new"
flannel_iface=$(fact FLANNELD_IFACE "$facts_new")
if [ -z "$flannel_iface" ] && [ -z "$(fact FLANNEL_SUBNET "$facts_new")" ]; then
  rm -f "$facts_new"
  log "no Flannel facts on this node (no flanneld unit, no subnet.env, nothing recorded): IP autodetection and MTU not checked against Flannel"
else
  if cmp -s "$facts_new" "$facts_file"; then
    rm -f "$facts_new"
    unchanged "Flannel's facts already recorded in $facts_file"
  else
    mv "$facts_new" "$facts_file"
    changed "recorded Flannel's facts in $facts_file"
  fi
  flannel_mtu=$(fact FLANNEL_MTU "$facts_file")
  log "flannel: network $(fact FLANNEL_NETWORK "$facts_file"), subnet $(fact FLANNEL_SUBNET "$facts_file"), mtu ${flannel_mtu:-?}, ip-masq $(fact FLANNEL_IPMASQ "$facts_file"), interface ${flannel_iface:-?} ($(fact FLANNELD_IFACE_FROM "$facts_file"))"

  # Which interface calico-node's autodetection picks (node autodetection GetInterfaces
  # and FilteredEnumeration): interfaces from the highest index down, the first with a
  # global IPv4 address (inside one of cidr='s networks) that the method's regexes (Go,
  # unanchored) include and do not exclude; flannel.1 and cni0 are gone by then.
  has_global_ipv4() { # name [comma-separated CIDRs]
    local a c
    local IFS=,
    for a in $(ip -o -4 addr show dev "$1" 2>/dev/null | awk '{ split($4, p, "/"); print p[1] }' | tr '\n' ,); do
      case "$a" in 127.*|169.254.*|'') continue ;; esac
      [ -n "${2:-}" ] || return 0
      for c in $2; do
        if in_cidr "$a" "$(echo "$c" | tr -d ' ')"; then return 0; fi
      done
    done
    return 1
  }
  matches_any() { # name comma-separated-regexes
    local r rc
    local IFS=,
    for r in $2; do
      r=$(echo "$r" | sed 's/^ *//; s/ *$//')
      [ -n "$r" ] || continue
      rc=0; echo "$1" | grep -Eq -- "$r" 2>/dev/null || rc=$?
      [ "$rc" -eq 2 ] && fail "cannot evaluate the interface regex '$r' here (grep -E); check network.ipAutodetectionMethod by hand"
      [ "$rc" -eq 0 ] && return 0
    done
    return 1
  }
  calico_pick() {
    local incl="" excl="" cidrs="" dest idx name
    case "$IP_AUTODETECTION" in
      first-found) excl=$AUTODETECT_EXCLUDE ;;
      interface=*) incl=${IP_AUTODETECTION#interface=} ;;
      skip-interface=*) excl="$AUTODETECT_EXCLUDE,${IP_AUTODETECTION#skip-interface=}" ;;
      cidr=*) cidrs=${IP_AUTODETECTION#cidr=} ;;
      can-reach=*)
        dest=${IP_AUTODETECTION#can-reach=}
        case "$dest" in [0-9]*.*.*.*) ;; *) dest=$(getent ahostsv4 "$dest" | awk '{ print $1; exit }') ;; esac
        [ -n "$dest" ] && ip -4 route get "$dest" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n1
        return 0 ;;
      *) return 0 ;;
    esac
    while read -r idx name; do
      [ -n "$idx" ] || continue
      case "$name" in flannel.1|cni0) continue ;; esac
      if [ -n "$incl" ] && ! matches_any "$name" "$incl"; then continue; fi
      if [ -n "$excl" ] && matches_any "$name" "$excl"; then continue; fi
      if has_global_ipv4 "$name" "$cidrs"; then echo "$name"; return 0; fi
    done <<EOF_LINKS
$(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $1, $2 }' | sort -rn)
EOF_LINKS
    return 0
  }
  case "$IP_AUTODETECTION" in
    first-found|interface=*|skip-interface=*|can-reach=*|cidr=*)
      if [ -z "$flannel_iface" ]; then
        warn "flanneld's interface is not known here: IP autodetection ($IP_AUTODETECTION) not checked"
      else
        pick=$(calico_pick)
        if [ "$pick" != "$flannel_iface" ]; then
          fail "Calico's IP autodetection ($IP_AUTODETECTION) would pick ${pick:-no interface} on this node, but flanneld carried the overlay on $flannel_iface: set network.ipAutodetectionMethod (e.g. interface=$flannel_iface)"
        fi
        log "IP autodetection ($IP_AUTODETECTION) picks $pick, the interface flanneld used"
      fi ;;
    *) warn "IP autodetection $IP_AUTODETECTION cannot be checked on the node; make sure it resolves to ${flannel_iface:-the interface flanneld used}" ;;
  esac

  # The pod MTU plus Calico's header must fit the underlay: the MTU of flanneld's
  # interface, else FLANNEL_MTU (a lower bound: Flannel's vxlan backend writes the
  # interface MTU minus 50, host-gw the interface MTU itself).
  underlay=""
  if [ -n "$flannel_iface" ] && [ -r "/sys/class/net/$flannel_iface/mtu" ]; then underlay=$(cat "/sys/class/net/$flannel_iface/mtu"); fi
  [ -n "$underlay" ] || underlay=$flannel_mtu
  if [ "$POD_MTU" = 0 ]; then
    log "pod MTU: auto (Felix derives it from the host interfaces' MTU${underlay:+; underlay $underlay})"
  elif [ -z "$underlay" ]; then
    warn "the underlay MTU is not known here: pod MTU $POD_MTU not checked"
  elif [ $((POD_MTU + ENCAP_OVERHEAD)) -gt "$underlay" ]; then
    fail "pod MTU $POD_MTU plus Calico's ${ENCAP_OVERHEAD}-byte header is $((POD_MTU + ENCAP_OVERHEAD)), more than the MTU $underlay of ${flannel_iface:-the underlay} (FLANNEL_MTU ${flannel_mtu:-?}): set network.mtu to at most $((underlay - ENCAP_OVERHEAD))"
  else
    log "pod MTU $POD_MTU + ${ENCAP_OVERHEAD}-byte header fits the underlay MTU $underlay"
  fi
fi

# Pull Calico's images now, so the outage window does not wait on them.
pulled=0
for image in $IMAGES; do
  case "$runtime" in
    docker|cri-dockerd)
      if docker image inspect "$image" >/dev/null 2>&1; then unchanged "image $image already present"; continue; fi
      docker pull "$image" >/dev/null || fail "could not pull $image (check calico.imageRegistry and the node's registry access)" ;;
    containerd)
      if crictl inspecti "$image" >/dev/null 2>&1; then unchanged "image $image already present"; continue; fi
      crictl pull "$image" >/dev/null || fail "could not pull $image (check calico.imageRegistry and the node's registry access)" ;;
  esac
  pulled=$((pulled + 1))
  changed "pulled image $image"
done
log "images: $pulled pulled"
finish
