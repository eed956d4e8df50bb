# shellcheck shell=bash
# Shared helpers of every node step. Rendered after the step's parameters
# (NODE, STEP, STATE_DIR, POD_CIDR, ...). Bash 4.2 compatible (CentOS 7).

CHANGES=0
log() { printf '[flannel-to-calico] node=%s step=%s %s\n' "$NODE" "$STEP" "$*"; }
changed() { CHANGES=$((CHANGES + 1)); log "changed: $*"; }
unchanged() { log "unchanged: $*"; }
warn() { log "warning: $*" >&2; }
fail() { log "failed: $*" >&2; exit 1; }
on_error() {
  local rc=$1 line=$2
  log "failed: a command at line ${line} exited ${rc}; ${CHANGES} change(s) were made before it (listed above). Fix the cause and run pulumi up again: every step is idempotent." >&2
}
trap 'on_error $? $LINENO' ERR
finish() {
  if [ "$CHANGES" -eq 0 ]; then log "result: unchanged (nothing to do)"; else log "result: changed (${CHANGES} change(s))"; fi
}

# Markers under STATE_DIR record, across steps, what apply must restart.
mark() { mkdir -p "$STATE_DIR"; : > "$STATE_DIR/pending-$1"; }
has_mark() { [ -e "$STATE_DIR/pending-$1" ]; }

# Backs a file up once per change, under STATE_DIR/backup, keeping every version.
backup() {
  local f=$1 dest
  mkdir -p "$STATE_DIR/backup"
  dest="$STATE_DIR/backup/$(printf '%s' "$f" | tr '/' '_').$(date +%Y%m%d%H%M%S).$$"
  cp -a "$f" "$dest"
  log "backed up $f to $dest"
}

# Runs a command from PATH or /opt/k8s/bin (the tutorial's binary location).
find_bin() {
  local b=$1
  if command -v "$b" >/dev/null 2>&1; then command -v "$b"; return 0; fi
  if [ -x "/opt/k8s/bin/$b" ]; then echo "/opt/k8s/bin/$b"; return 0; fi
  return 1
}

# The node's kubelet binary; fails naming where it looked.
kubelet_bin() {
  find_bin kubelet || fail "kubelet is not on PATH or in /opt/k8s/bin: is this a Kubernetes node?"
}

# The version kubelet $1 reports (v1.14.2); fails when it cannot be read.
kubelet_version() {
  local v
  v=$("$1" --version 2>/dev/null | grep -o 'v[0-9][0-9.]*' | head -n1 || true)
  [ -n "$v" ] || fail "could not read the kubelet version ($1 --version)"
  echo "$v"
}

# The minor number of a version: v1.14.2 -> 14.
minor_of() { echo "$1" | cut -d. -f2; }

unit_exists() { systemctl cat "$1" >/dev/null 2>&1; }

# The files of a unit as systemd reads them (main file, then drop-ins), one per line.
unit_files() {
  systemctl cat "$1" 2>/dev/null | awk '/^# \// { print $2 }'
}

# The file that holds the effective ExecStart of a unit (drop-ins count; an
# empty "ExecStart=" resets it).
execstart_file() {
  systemctl cat "$1" 2>/dev/null | awk '
    /^# \// { f = $2; next }
    /^[ \t]*ExecStart=/ { v = $0; sub(/^[ \t]*ExecStart=[ \t]*/, "", v); if (v == "") last = ""; else last = f }
    END { print last }'
}

# The effective ExecStart command line of a unit, continuation lines joined.
execstart_line() {
  systemctl cat "$1" 2>/dev/null | awk '
    /^# \// { next }
    inexec { line = line " " $0; if ($0 !~ /\\[ \t]*$/) inexec = 0; next }
    /^[ \t]*ExecStart=/ { v = $0; sub(/^[ \t]*ExecStart=[ \t]*/, "", v); line = v; inexec = (v ~ /\\[ \t]*$/) }
    END { gsub(/\\[ \t]*/, " ", line); gsub(/[ \t]+/, " ", line); print line }'
}

# True when IPv4 address $1 lies in CIDR $2.
in_cidr() {
  awk -v ip="$1" -v cidr="$2" '
    function num(a,   p) { split(a, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
    BEGIN {
      split(cidr, c, "/"); bits = c[2] + 0; size = 2 ^ (32 - bits)
      exit !(int(num(ip) / size) == int(num(c[1]) / size))
    }'
}

# True when network $1 (a.b.c.d/n, or an address) lies inside CIDR $2.
net_in_cidr() {
  local addr=${1%/*} bits=32
  case "$1" in */*) bits=${1#*/} ;; esac
  [ "$bits" -ge "${2#*/}" ] && in_cidr "$addr" "$2"
}

# The iptables commands of every back end this node has (legacy and nft
# tables are separate; flanneld may have written to either), one per back end.
# iptables 1.4 (CentOS 7) names no back end in --version: it is legacy.
iptables_backends() {
  local b kind seen=""
  for b in iptables iptables-legacy iptables-nft; do
    command -v "$b" >/dev/null 2>&1 || continue
    "$b" -w -t nat -S POSTROUTING >/dev/null 2>&1 || continue
    case "$("$b" --version 2>/dev/null || true)" in
      *nf_tables*) kind=nft ;;
      *) kind=legacy ;;
    esac
    case " $seen " in *" $kind "*) continue ;; esac
    seen="$seen $kind"
    echo "$b"
  done
}
