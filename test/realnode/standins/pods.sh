#!/bin/bash
# Pod sandboxes as kubelet's dockershim leaves them on a Flannel node: two on
# docker0 (bridge network, addresses from Flannel's --bip), one host-network,
# and an application container in the first one's network namespace. Images
# are imported locally (the nodes have no internet). Prints the ids.
set -euo pipefail
image=f2c/pause:3.1
docker image inspect "$image" >/dev/null 2>&1 || docker import /opt/f2c/pause.tar "$image" >/dev/null
# Like pause and most applications, they exit on SIGTERM (busybox sleep as PID 1
# would ignore it and take docker stop's whole grace period).
run_forever=(sh -c 'trap "exit 0" TERM; sleep 2147483647 & wait')
sandbox() { # pod network
  docker run -d --name "k8s_POD_$1" --label io.kubernetes.docker.type=podsandbox \
    --label "io.kubernetes.pod.name=${1%%_*}" --network "$2" "$image" "${run_forever[@]}"
}
app=$(sandbox app-1_default_0a1_0 bridge)
sandbox app-2_default_0a2_0 bridge
sandbox kube-proxy_kube-system_0a3_0 host
docker run -d --name k8s_app_app-1_default_0a1_0 --label io.kubernetes.docker.type=container \
  --label io.kubernetes.pod.name=app-1 --network "container:$app" "$image" "${run_forever[@]}"
