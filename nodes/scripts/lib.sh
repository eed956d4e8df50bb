# shellcheck shell=bash
# Shared helpers of every node step. Rendered after the step's parameters
# (NODE, STEP, STATE_DIR, POD_CIDR, ...). Bash 4.2 compatible (CentOS 7).

CHANGES=0
# The tutorial installs its binaries (docker, kubelet, ...) in /opt/k8s/bin.
PATH="$PATH:/opt/k8s/bin"
# A dropped SSH session must not stop a step halfway: bash survives the broken
# pipe (a caught signal, so commands it runs keep their default), and a log
# line nobody can read is dropped. The next run waits for this one (lock_node).
trap ':' PIPE HUP
log() { { printf '[flannel-to-calico] node=%s step=%s %s\n' "$NODE" "$STEP" "$*"; } 2>/dev/null || :; }
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

# One step at a time on a node: a step run again while an earlier run still
# goes on (its session dropped) waits for it. The lock lives in /run, so a
# power cut cannot leave it behind, and the kernel drops it with the process.
lock_node() {
  exec 9>>/run/flannel-to-calico.lock
  if ! flock -n 9; then
    log "another flannel-to-calico step is still running on this node (a dropped SSH session?): waiting up to 600 s for it"
    flock -w 600 9 || fail "another flannel-to-calico step has held /run/flannel-to-calico.lock for 600 s (ps -ef | grep flannel-to-calico)"
  fi
}
lock_node

# Markers under STATE_DIR record, across steps, what apply must restart. A
# step marks before it changes anything, so a run cut short leaves the marker.
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

# Replaces file $1 with the content of file $2 (then removed) in one rename:
# a run cut short leaves the old file or the new one, never half of one.
# Keeps the file's mode, owner and SELinux label (a new file gets 0644); a
# symlink's target is replaced.
replace_file() {
  local f tmp
  f=$(readlink -f "$1")
  tmp=$(mktemp "$f.f2c-XXXXXX")
  cat "$2" > "$tmp"
  if [ -e "$f" ]; then
    chmod --reference="$f" "$tmp"
    chown --reference="$f" "$tmp"
    if command -v selinuxenabled >/dev/null 2>&1 && selinuxenabled; then chcon --reference="$f" "$tmp"; fi
  else
    chmod 0644 "$tmp"
  fi
  mv -f "$tmp" "$f"
  rm -f "$2"
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

# The daemon.json dockerd reads: --config-file in docker's ExecStart, else the default.
docker_config_file() {
  local f
  f=$(execstart_line docker | grep -o -- '--config-file[= ][^ ]*' | head -n1 | sed 's/^--config-file[= ]//' || true)
  echo "${f:-/etc/docker/daemon.json}"
}

# Reads or sets a top-level string key of a JSON object, without jq (nodes
# have none): `json_key get FILE KEY` prints its value (empty when absent);
# `json_key set FILE KEY VALUE` prints the file with that value, every other
# byte kept (a new key goes first). Exits 2 when the file is not one JSON
# object, 3 when the key is there twice or not a string. VALUE must need no
# escaping (an address such as 172.17.0.1/16). No file, or an empty one, has no keys.
json_key() {
  if [ "$1" = get ] && [ ! -s "$2" ]; then return 0; fi
  awk -v mode="$1" -v want="\"$3\"" -v val="${4:-}" '
    function bad(code) { exit code }
    { text = text $0 "\n" }
    END {
      n = length(text); depth = 0; state = "start"; found = 0; keys = 0
      for (i = 1; i <= n; i++) {
        c = substr(text, i, 1)
        if (c ~ /[ \t\r\n]/) continue
        if (state == "end") bad(2)
        if (c == "\"") {
          for (j = i + 1; j <= n; j++) { d = substr(text, j, 1); if (d == "\\") { j++; continue } if (d == "\"") break }
          if (j > n) bad(2)
          if (depth == 1 && state == "key") { key = substr(text, i, j - i + 1); keys++; state = "colon" }
          else if (depth == 1 && state == "value") { if (key == want) { found++; vs = i; ve = j } state = "comma" }
          else if (depth == 1) bad(2)
          i = j; continue
        }
        if (depth == 0) { if (c != "{" || state != "start") bad(2); depth = 1; open = i; state = "key"; continue }
        if (depth == 1 && state == "colon") { if (c != ":") bad(2); state = "value"; continue }
        if (depth == 1 && state == "comma") {
          if (c == ",") state = "key"
          else if (c == "}") { depth = 0; state = "end" }
          else bad(2)
          continue
        }
        if (depth == 1 && state == "key") { if (c == "}" && keys == 0) { depth = 0; state = "end"; continue } bad(2) }
        if (depth == 1 && state == "value" && key == want) bad(3)
        if (c == "{" || c == "[") { stack = stack c; depth++; if (depth == 2) state = "nested"; continue }
        if (c == "}" || c == "]") {
          if (depth < 2 || substr(stack, length(stack), 1) != (c == "}" ? "{" : "[")) bad(2)
          stack = substr(stack, 1, length(stack) - 1); depth--
          if (depth == 1) state = "comma"
          continue
        }
        if (depth == 1 && state == "value") {
          while (i < n && substr(text, i + 1, 1) ~ /[A-Za-z0-9.+-]/) i++
          state = "comma"
          continue
        }
        if (depth == 1) bad(2)
      }
      if (state != "end" || found > 1) exit (found > 1 ? 3 : 2)
      if (mode == "get") { if (found) print substr(text, vs + 1, ve - vs - 1); exit 0 }
      if (found) { printf "%s\"%s\"%s", substr(text, 1, vs - 1), val, substr(text, ve + 1); exit 0 }
      sep = keys ? (substr(text, open + 1, 1) == "\n" ? "," : ", ") : "\n"
      printf "%s\n  %s: \"%s\"%s%s", substr(text, 1, open), want, val, sep, substr(text, open + 1)
    }' "$2"
}

# Fails, before anything changes, when docker could not take a bip from its
# daemon.json $1: not one JSON object, bip twice or not a string, "bridge" set
# (docker refuses it with bip), or --bip in docker's ExecStart (dockerd refuses
# an option given both as a flag and in the file).
check_docker_config() {
  local f=$1 rc=0 bridge
  if [ -s "$f" ]; then
    json_key get "$f" bip >/dev/null || rc=$?
    [ "$rc" -ne 2 ] || fail "$f is not a JSON object this program can read (it sets docker's bip there): fix its syntax"
    [ "$rc" -eq 0 ] || fail "$f sets bip twice or not as a string: keep one \"bip\": \"a.b.c.d/n\""
    bridge=$(json_key get "$f" bridge) || bridge="(not a string)"
    [ -z "$bridge" ] || fail "$f sets \"bridge\", which docker refuses together with the bip this program sets: remove it"
  fi
  if execstart_line docker | grep -q -- '--bip'; then
    fail "docker's ExecStart passes --bip, and dockerd refuses bip both as a flag and in $f: remove the flag"
  fi
}
