# shellcheck shell=bash
# Step 6: restart what earlier steps changed (docker before kubelet), recreate
# Flannel-era pod sandboxes under CNI, check the services, record the migration.

did=""
if has_mark daemon-reload; then systemctl daemon-reload; changed "systemd reloaded its units"; fi

restart_docker=0; restart_kubelet=0; restart_cri=0; recycle=0
has_mark restart-docker && restart_docker=1
has_mark restart-kubelet && restart_kubelet=1
has_mark restart-cri-docker && restart_cri=1
has_mark recycle-sandboxes && recycle=1

if [ $((restart_docker + restart_kubelet + restart_cri + recycle)) -gt 0 ]; then
  # kubelet is stopped first, so it recreates the sandboxes removed below.
  systemctl stop kubelet
  if [ "$restart_docker" -eq 1 ] && unit_exists docker; then systemctl restart docker; did="$did docker"; fi
  if [ "$restart_cri" -eq 1 ] && unit_exists cri-docker; then systemctl restart cri-docker; did="$did cri-docker"; fi
  recycled=0
  if [ "$recycle" -eq 1 ]; then
    # live-restore keeps containers running across a docker restart with their
    # Flannel-era addresses: remove the non-host-network sandboxes.
    if command -v docker >/dev/null 2>&1 && unit_exists docker; then
      for id in $(docker ps -q --filter label=io.kubernetes.docker.type=podsandbox); do
        [ "$(docker inspect -f '{{.HostConfig.NetworkMode}}' "$id")" = host ] && continue
        docker rm -f "$id" >/dev/null
        recycled=$((recycled + 1))
      done
    elif command -v crictl >/dev/null 2>&1; then
      for id in $(crictl pods -q); do
        crictl inspectp -o json "$id" | grep -q '"network": "NODE"' && continue
        crictl stopp "$id" >/dev/null && crictl rmp "$id" >/dev/null
        recycled=$((recycled + 1))
      done
    fi
    changed "recycled $recycled pod sandbox(es): kubelet recreates them under CNI"
  fi
  systemctl start kubelet
  did="$did kubelet"
  changed "restarted${did} (in that order)"
else
  unchanged "no step changed what docker or kubelet read: nothing restarted"
fi

services="kubelet"
unit_exists docker && services="docker $services"
unit_exists containerd && services="containerd $services"
unit_exists cri-docker && services="cri-docker $services"
for s in $services; do
  i=0
  until systemctl is-active --quiet "$s"; do
    i=$((i + 1))
    [ "$i" -lt 30 ] || fail "$s is not active 30 s after the restart (journalctl -u $s); the node's earlier changes are in place, its unit backups are in $STATE_DIR/backup"
    sleep 1
  done
  log "$s is active"
done

mkdir -p "$STATE_DIR"
if [ ! -e "$STATE_DIR/migrated" ]; then
  date -u +%Y-%m-%dT%H:%M:%SZ > "$STATE_DIR/migrated"
  changed "recorded the migration in $STATE_DIR/migrated"
fi
rm -f "$STATE_DIR"/pending-*
finish
