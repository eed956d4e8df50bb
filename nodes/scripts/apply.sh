# shellcheck shell=bash
# Step 6: restart what earlier steps changed (docker before kubelet), recreate
# Flannel-era pod sandboxes under CNI, check the services, record the migration.
#
# With live-restore, docker0 leaves Flannel's address only when docker restarts
# with no container running. When the docker step found docker0 off its bip,
# every container on the node is stopped (application containers too), the
# Flannel-era sandboxes removed, docker restarted, and the other containers
# started again; kubelet recreates the removed pods under CNI.

# Seconds docker's API may take to answer (a docker.service without
# Type=notify is "active" before dockerd listens), a container may take to
# stop (SIGTERM, then SIGKILL), and a service may take to be active.
DOCKER_API_TIMEOUT=120
STOP_GRACE=10
ACTIVE_TIMEOUT=30

wait_docker_api() { # when, for the message
  local end=$((SECONDS + DOCKER_API_TIMEOUT))
  until timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$end" ]; then
      journalctl -u docker -n 5 --no-pager -o cat 2>/dev/null | sed 's/^/    /' >&2 || true
      fail "docker's API did not answer within ${DOCKER_API_TIMEOUT} s $1 (systemctl status docker; journalctl -u docker); no pod sandbox was recycled and kubelet is stopped: fix docker, then run pulumi up again"
    fi
    sleep 0.5
  done
}

# Running containers, one "id|kubernetes type|network mode" line each. Fails
# rather than list nothing when docker cannot answer.
running_containers() {
  local ids
  ids=$(docker ps -q --no-trunc) || fail "could not list docker's containers (docker ps)"
  [ -n "$ids" ] || return 0
  # shellcheck disable=SC2086 # ids are hex words
  docker inspect -f '{{.Id}}|{{with index .Config.Labels "io.kubernetes.docker.type"}}{{.}}{{else}}-{{end}}|{{.HostConfig.NetworkMode}}' $ids \
    || fail "could not inspect docker's containers (docker inspect)"
}
# The ids of Flannel-era sandboxes (pod sandboxes not on the host network) in such a list.
flannel_era() { awk -F'|' '$2 == "podsandbox" && $3 != "host" { print $1 }'; }

# Waits until every unit given after $1 is active and, when $1 is "restarted",
# keeps its main process for 3 s (a crash-looping unit is "active" for
# moments); fails naming the unit and the backup of any file of it this
# program edited.
wait_active() {
  local stable=0 end=$((SECONDS + ACTIVE_TIMEOUT)) since=$SECONDS prev="" now u st down="" seen="" f b last hint
  if [ "$1" = restarted ]; then stable=3; fi
  shift
  while :; do
    now="" down=""
    for u in "$@"; do
      st=$(systemctl show -p ActiveState -p MainPID "$u" 2>/dev/null | sort | tr '\n' ' ')
      now="$now $u $st"
      case "$st" in *"ActiveState=active "*) ;; *) down="$down $u" seen=$u ;; esac
    done
    [ "$now" = "$prev" ] || { prev=$now; since=$SECONDS; }
    if [ -z "$down" ] && [ $((SECONDS - since)) -ge "$stable" ]; then break; fi
    if [ "$SECONDS" -ge "$end" ]; then
      u=${seen:-$1}
      hint="no file of $u.service was edited by flannel-to-calico (its backups are in $STATE_DIR/backup)"
      for f in $(unit_files "$u"); do
        last=""
        for b in "$STATE_DIR/backup/$(printf '%s' "$f" | tr '/' '_')".*; do [ -e "$b" ] && last=$b; done
        [ -z "$last" ] || hint="to go back to its unit as it was before: cp -a $last $f && systemctl daemon-reload && systemctl restart $u"
      done
      journalctl -u "$u" -n 5 --no-pager -o cat 2>/dev/null | sed 's/^/    /' >&2 || true
      fail "$u.service is not active ${ACTIVE_TIMEOUT} s after the restart (systemctl status $u; journalctl -u $u); $hint"
    fi
    sleep 0.5
  done
  for u in "$@"; do log "$u is active"; done
}

if has_mark daemon-reload; then systemctl daemon-reload; changed "systemd reloaded its units"; fi

restart_docker=0; restart_kubelet=0; restart_cri=0; recycle=0; stop_all=0
has_mark restart-docker && restart_docker=1
has_mark restart-kubelet && restart_kubelet=1
has_mark restart-cri-docker && restart_cri=1
has_mark recycle-sandboxes && recycle=1
has_mark stop-containers && stop_all=1
use_docker=0
if unit_exists docker && command -v docker >/dev/null 2>&1; then use_docker=1; fi
in_list() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }

# The runtimes that must be active afterwards: those active or enabled now. A
# containerd.service that is installed but unused (dockerd runs its own) is neither.
services=""
for u in containerd docker cri-docker; do
  if unit_exists "$u" && { systemctl is-active --quiet "$u" || [ "$(systemctl is-enabled "$u" 2>/dev/null || true)" = enabled ]; }; then
    services="$services $u"
  fi
done

restarted=no
if [ $((restart_docker + restart_kubelet + restart_cri + recycle)) -gt 0 ]; then
  restarted=restarted
  # kubelet is stopped first, so it recreates the sandboxes removed below.
  systemctl stop kubelet
  did="" recycled=0 gone="" list="" era="" when="before recycling"
  # The containers stopped for docker0, kept before the stop: a run cut short
  # after it (a fault, a power cut) still removes and starts the right ones.
  stopped="$STATE_DIR/pending-stopped-containers"
  if [ "$stop_all" -eq 1 ] && [ "$use_docker" -eq 1 ] && systemctl is-active --quiet docker; then
    wait_docker_api "before stopping the containers"
    list=$(running_containers) || exit 1
    if [ -n "$list" ]; then
      printf '%s\n' "$list" >> "$stopped"
      # shellcheck disable=SC2046 # ids are hex words
      docker stop -t "$STOP_GRACE" $(printf '%s\n' "$list" | cut -d'|' -f1) >/dev/null \
        || fail "could not stop every container (docker stop); docker0 keeps Flannel's address while one runs"
      changed "stopped all $(printf '%s\n' "$list" | grep -c .) running container(s), application containers too: with live-restore, docker0 leaves Flannel's address only when docker restarts with none running"
    fi
  fi
  if [ "$restart_docker" -eq 1 ] && unit_exists docker; then
    systemctl restart docker
    did="$did docker" when="after docker's restart"
    in_list docker "$services" || services="$services docker"
  fi
  [ "$use_docker" -eq 0 ] || wait_docker_api "$when"
  if [ -s "$stopped" ] && [ "$use_docker" -eq 1 ]; then
    # Those stopped (this run or one cut short) that still exist.
    have=$(docker ps -aq --no-trunc) || fail "could not list docker's containers (docker ps -a)"
    era=$(sort -u "$stopped" | flannel_era)
    list=$(sort -u "$stopped" | awk -F'|' -v have=" $(echo "$have" | tr '\n' ' ') " 'index(have, " " $1 " ")')
    gone=$(printf '%s\n' "$list" | flannel_era)
  elif [ "$use_docker" -eq 1 ] && [ "$recycle" -eq 1 ]; then
    # live-restore keeps containers running across a docker restart with their
    # Flannel-era addresses: the non-host-network sandboxes go.
    gone=$(running_containers | flannel_era) || exit 1
  fi
  if [ "$recycle" -eq 1 ] && [ "$use_docker" -eq 1 ]; then
    for id in $gone; do
      docker rm -f "$id" >/dev/null || fail "could not remove pod sandbox $id (docker rm -f)"
      recycled=$((recycled + 1))
    done
  elif [ "$recycle" -eq 1 ] && command -v crictl >/dev/null 2>&1; then
    pods=$(crictl pods -q) || fail "could not list pod sandboxes (crictl pods)"
    for id in $pods; do
      info=$(crictl inspectp -o json "$id") || fail "could not inspect pod sandbox $id (crictl inspectp)"
      case "$info" in *'"network": "NODE"'*) continue ;; esac
      { crictl stopp "$id" >/dev/null && crictl rmp "$id" >/dev/null; } || fail "could not remove pod sandbox $id (crictl stopp, rmp)"
      recycled=$((recycled + 1))
    done
  fi
  [ "$recycle" -eq 0 ] || changed "recycled $recycled pod sandbox(es): kubelet recreates them under CNI"
  if [ -n "$list" ] && [ -s "$stopped" ]; then
    # Started again: host-network sandboxes first, then the containers that
    # need them; not the ones that shared a removed sandbox's network.
    again=0
    running=" $(docker ps -q --no-trunc | tr '\n' ' ') " || fail "could not list docker's containers (docker ps)"
    for id in $(printf '%s\n' "$list" | awk -F'|' -v skip=" $(echo "$era" | tr '\n' ' ') " '
        { net = $3 ~ /^container:/ ? substr($3, 11) : "" }
        index(skip, " " $1 " ") == 0 && (net == "" || index(skip, " " net " ") == 0) { print ($2 == "podsandbox" ? 0 : 1), $1 }' \
        | sort -s -k1,1 | cut -d' ' -f2); do
      in_list "$id" "$running" && continue
      if docker start "$id" >/dev/null 2>&1; then again=$((again + 1)); else warn "could not start container $id again (docker start $id)"; fi
    done
    changed "started $again stopped container(s) again (host-network pods, containers kubelet does not manage); kubelet recreates the others"
  fi
  if [ "$restart_cri" -eq 1 ] || { [ "$restart_docker" -eq 1 ] && in_list cri-docker "$services"; }; then
    # cri-dockerd checks docker's version as it starts; a restart of docker
    # (cri-docker Requires= it) may have restarted it too early.
    systemctl reset-failed cri-docker 2>/dev/null || true
    systemctl restart cri-docker || fail "cri-docker did not start after docker's API answered (journalctl -u cri-docker)"
    did="$did cri-docker"
  fi
  systemctl start kubelet
  did="$did kubelet"
  changed "restarted${did} (in that order)"
else
  unchanged "no step changed what docker or kubelet read: nothing restarted"
fi

# shellcheck disable=SC2086 # unit names
wait_active "$restarted" $services kubelet

mkdir -p "$STATE_DIR"
if [ ! -e "$STATE_DIR/migrated" ]; then
  date -u +%Y-%m-%dT%H:%M:%SZ > "$STATE_DIR/migrated"
  changed "recorded the migration in $STATE_DIR/migrated"
fi
rm -f "$STATE_DIR"/pending-*
finish
