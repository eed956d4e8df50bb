# shellcheck shell=bash
# Step 5: stale CNI state from Flannel or an earlier Calico install. Left over,
# it makes calico-kube-controllers fail with "connection is unauthorized".

if [ -e "$STATE_DIR/migrated" ]; then
  unchanged "node already migrated on $(cat "$STATE_DIR/migrated"); its live CNI files are left alone"
else
  for p in /var/lib/cni/networks/k8s-pod-network "$CNI_NET_DIR/calico-kubeconfig" /var/lib/cni/networks/cbr0 /var/lib/cni/flannel; do
    if [ -e "$p" ]; then
      mark restart-kubelet
      rm -rf "$p"
      changed "removed stale CNI state $p"
    fi
  done
fi
finish
