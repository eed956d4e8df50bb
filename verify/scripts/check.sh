# shellcheck shell=sh
# The network check (a Job's pods, one per checker node; runs after probe.sh and api.sh).
# From this pod it checks every probe (or the planned sample): ICMP, a small TCP request, the 64 KiB
# payload, and the reverse direction (the probe fetches the payload from this pod); then DNS
# through the cluster DNS Service, the probes' ClusterIP Service, and an outside address if set.
# F2C_MODE=baseline (before the cutover): records failures, fails only on unacknowledged
# NetworkPolicies. F2C_MODE=check: fails on any failure the baseline did not have.
# Every failure line names the check, both ends (node and pod IP) and what went wrong.
set -u
set -f
W=${F2C_WORK:-/tmp/f2c-check}
ME=$NODE_NAME
BYTES=65536
T_PING=${F2C_PING_TIMEOUT:-5}
T_TCP=${F2C_TCP_TIMEOUT:-5}
T_PAYLOAD=${F2C_PAYLOAD_TIMEOUT:-10}
T_DNS=${F2C_DNS_TIMEOUT:-8}
start=$(date +%s)
# No pathname expansion anywhere (node names and "*" entries are expanded unquoted): no globs here.
rm -rf "$W/res"
mkdir -p "$W/res"
: >"$W/targets"
SUM=$(payload_md5)

# One result per line: STATUS KEY CHECK FROM -> TEXT, where KEY (check:from:to) names the pair by
# node, so it is the same before and after the cutover (pod IPs change).
res() { echo "$1 $2:$ME:$3 $2 $ME($POD_IP) -> $4"; }

check_pair() { # node ip
    to="$1($2)"
    k=$1
    # One reply is enough (busybox ping fails with -w unless every one of -c comes back).
    if ping -c 3 -w "$T_PING" "$2" 2>/dev/null | grep -q ' [1-9][0-9]* packets received'; then res PASS icmp "$k" "$to"; else
        res FAIL icmp "$k" "$to: no ICMP echo reply in ${T_PING}s"
    fi
    n=$(timeout "$T_TCP" wget -q -O - "http://$2:$F2C_PORT/node" 2>/dev/null)
    if [ "$n" != "$1" ]; then
        why="no HTTP answer on TCP $F2C_PORT in ${T_TCP}s"
        [ -n "$n" ] && why="answered as node $n (a stale pod IP?)"
        res FAIL tcp "$k" "$to: $why; payload and reverse not tried"
        return
    fi
    res PASS tcp "$k" "$to"
    f=$W/payload.$2
    timeout "$T_PAYLOAD" wget -q -O "$f" "http://$2:$F2C_PORT/payload" 2>/dev/null
    got=$(wc -c <"$f" | tr -d ' ')
    if [ "$got" = "$BYTES" ] && [ "$(md5sum <"$f" | cut -d' ' -f1)" = "$SUM" ]; then res PASS payload "$k" "$to"; else
        res FAIL payload "$k" "$to: got $got of $BYTES bytes in ${T_PAYLOAD}s while small requests work: an MTU black hole?"
    fi
    rm -f "$f"
    r=$(timeout $((T_PAYLOAD + T_TCP)) wget -q -O - "http://$2:$F2C_PORT/cgi-bin/fetch?ip=$POD_IP" 2>/dev/null)
    if [ "$r" = "ok $BYTES $SUM" ]; then res PASS reverse "$k" "$to"; else
        res FAIL reverse "$k" "$to: the probe could not fetch 64 KiB from this pod ($POD_IP): ${r:-no answer}"
    fi
}

check_dns() { # name [expected address]
    out=$(timeout "$T_DNS" nslookup -type=a "$1" 2>&1)
    a=$(printf '%s\n' "$out" | awk '/^Name:/ { n = 1 } n && /^Address/ { print $NF; exit }')
    if [ -n "$a" ] && { [ -z "${2:-}" ] || [ "$a" = "$2" ]; }; then res PASS dns "$1" "$1 -> $a"; else
        [ -n "$a" ] && out="answered $a, expected ${2:-}"
        res FAIL dns "$1" "$1: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-160)"
    fi
}

check_service() { # ClusterIP
    if [ -z "$1" ]; then
        res FAIL service f2c-probe "f2c-probe: no ClusterIP (F2C_PROBE_SERVICE_HOST unset)"
        return
    fi
    i=0 failed=0 others=0
    while [ $i -lt 8 ]; do
        n=$(timeout "$T_TCP" wget -q -O - "http://$1:$F2C_PORT/node" 2>/dev/null)
        if [ -z "$n" ]; then failed=$((failed + 1)); elif [ "$n" != "$ME" ]; then others=$((others + 1)); fi
        i=$((i + 1))
    done
    if [ $failed -gt 0 ]; then
        res FAIL service f2c-probe "ClusterIP $1:$F2C_PORT: $failed of 8 requests got no answer"
    else
        res PASS service f2c-probe "ClusterIP $1:$F2C_PORT: 8 answers, $others from other nodes' probes"
    fi
}

check_outside() { # host:port
    if timeout $((T_TCP + 1)) nc -w "$T_TCP" "${1%:*}" "${1##*:}" </dev/null >/dev/null 2>&1; then
        res PASS outside "$1" "$1"
    else
        res FAIL outside "$1" "$1: no TCP connection in ${T_TCP}s (natOutgoing)"
    fi
}

# The targets: every ready probe (F2C_ALL=1) or those on $F2C_NODES; every node in $F2C_NODES must
# have a ready probe. Waits up to F2C_WAIT seconds for probes recreated by the cutover.
find_targets() {
    until_t=$(($(date +%s) + ${F2C_WAIT:-300}))
    while :; do
        if discover; then
            : >"$W/missing"
            for n in $F2C_NODES; do
                grep -q "^$n [^ ]* True\$" "$W/probes" || echo "$n" >>"$W/missing"
            done
            if [ ! -s "$W/missing" ] || [ "$(date +%s)" -ge "$until_t" ]; then break; fi
        elif [ "$(date +%s)" -ge "$until_t" ]; then
            res FAIL api kubernetes "kubernetes: cannot list the probe pods through the API ($API): $(api_error)" >"$W/res/api"
            return 1
        fi
        sleep 5
    done
    while read -r n; do
        res FAIL probe "$n" "$n: no ready probe pod after ${F2C_WAIT:-300}s (is it a Kubernetes node name? kubectl -n $F2C_NAMESPACE get pods -o wide)"
    done <"$W/missing" >"$W/res/missing"
    awk -v all="${F2C_ALL:-0}" -v nodes=" $F2C_NODES " '$3 == "True" && !seen[$1]++ && (all == 1 || index(nodes, " " $1 " ")) { print $1, $2 }' \
        "$W/probes" >"$W/targets"
}

echo "f2c-check ($F2C_MODE) from $ME ($POD_IP)"
probe_files "$W/www"
httpd -f -p "$F2C_PORT" -h "$W/www" &
srv=$!
trap 'kill $srv 2>/dev/null' EXIT
pre=
[ "$F2C_MODE" = check ] && pre=" $(load_baseline) "
if find_targets; then
    # In batches; `wait` names the batch's pids (a bare wait would wait for httpd too).
    i=0 batch=
    while read -r n ip; do
        check_pair "$n" "$ip" >"$W/res/pair.$i" &
        batch="$batch $!"
        i=$((i + 1))
        if [ $((i % ${F2C_PARALLEL:-16})) -eq 0 ]; then
            # shellcheck disable=SC2086 # a list of pids
            wait $batch
            batch=
        fi
    done <"$W/targets"
    # shellcheck disable=SC2086 # a list of pids
    [ -z "$batch" ] || wait $batch
fi
{
    for name in $F2C_DNS_NAMES; do
        case "$name" in f2c-probe.*) check_dns "$name" "${F2C_PROBE_SERVICE_HOST:-}" ;; *) check_dns "$name" ;; esac
    done
    check_service "${F2C_PROBE_SERVICE_HOST:-}"
    [ -n "${F2C_OUTSIDE:-}" ] && check_outside "$F2C_OUTSIDE"
} >"$W/res/pod"
[ -s "$W/targets" ] || [ -s "$W/res/api" ] || res FAIL probe none "no probe pod to check" >"$W/res/none"
find "$W/res" -type f -exec cat {} + | sort -k2 >"$W/results"
awk -v pre="$pre" '{
    s = $1; k = $2
    if (s == "FAIL" && index(pre, " " k " ")) s = "FAIL (pre-existing)"
    $1 = ""; $2 = ""; sub(/^ +/, ""); print s, $0
}' "$W/results" >"$W/report"
failed=$(awk '$1 == "FAIL" { print $2 }' "$W/results")
new=$(for k in $failed; do case "$pre" in *" $k "*) ;; *) echo "$k" ;; esac; done | wc -l | tr -d ' ')
count=$(grep -c '' "$W/results")
nfailed=$(echo "$failed" | grep -c .)
summary="from $ME: $(grep -c '' "$W/targets") probe(s), $count checks, $nfailed failed, $((nfailed - new)) of them pre-existing, in $(($(date +%s) - start))s"
cat "$W/report"
rc=0
if [ "$F2C_MODE" = baseline ]; then
    record_baseline "$(echo "$failed" | tr '\n' ' ')" "$summary" >>"$W/report" || rc=1
    if p=$(unacknowledged_policies); then
        for x in $p; do echo "FAIL policy $x: a NetworkPolicy that Flannel ignored and Calico enforces from the cutover"; done >>"$W/report"
        [ -z "$p" ] || rc=1
    else
        echo "FAIL policy: cannot list NetworkPolicies through the API ($API): $(api_error)" >>"$W/report"
        rc=1
    fi
    [ $rc -eq 0 ] || echo "acknowledge each listed policy (namespace/name, namespace/* or *) in verify.acknowledgeNetworkPolicies" >>"$W/report"
    tail -n +$((count + 1)) "$W/report"
elif [ "$new" -gt 0 ]; then
    rc=1
fi
verdict=passed
[ $rc -eq 0 ] || verdict=FAILED
echo "RESULT $verdict $summary"
# The first failures go into the pod's termination message, which Pulumi's Job error shows.
{
    echo "f2c-check $F2C_MODE $verdict $summary"
    grep '^FAIL' "$W/report" | grep -v '^FAIL (pre-existing)'
    grep '^acknowledge' "$W/report"
} | head -c 3800 >"${F2C_TERMINATION:-/dev/termination-log}" 2>/dev/null
exit $rc
