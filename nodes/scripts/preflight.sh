# shellcheck shell=bash
# Step 1: preflight. Changes nothing but the image cache.

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
