# shellcheck shell=sh
# The network check's probe: one pod per node (DaemonSet, pod network, every taint tolerated).
# It serves, over HTTP on $F2C_PORT:
#   /node             this pod's node name (the checker learns which node answered)
#   /payload          64 KiB of fixed text (a transfer that an MTU black hole stalls)
#   /cgi-bin/fetch?ip=A.B.C.D   fetches /payload from that pod and answers "ok <bytes> <md5>"
#                     or "fail <why>": the checker's way to test the reverse direction.
# ICMP echo is answered by the pod's kernel. Needs busybox (sh, httpd, wget, timeout, md5sum).
# Inputs: NODE_NAME (downward API), F2C_PORT, F2C_WORK (default /tmp/f2c-probe).
# With F2C_LIB=1 only the functions are defined (the checker serves the same files).

# 4096 lines of 16 bytes: the same 64 KiB everywhere, so its md5 can be checked.
payload() {
    seq 0 4095 | awk '{ printf "%015d\n", $1 }'
}

payload_md5() {
    payload | md5sum | cut -d' ' -f1
}

# Writes the files httpd serves under $1.
probe_files() {
    mkdir -p "$1/cgi-bin"
    printf '%s\n' "$NODE_NAME" >"$1/node"
    payload >"$1/payload"
    # The CGI runs under the same shell binary as this program (busybox, whatever its path).
    {
        printf '#!%s sh\n' "$(readlink /proc/$$/exe)"
        printf 'port=%s\nlimit=%s\n' "$F2C_PORT" "${F2C_FETCH_TIMEOUT:-10}"
        cat <<'CGI'
printf 'Content-Type: text/plain\r\n\r\n'
ip=${QUERY_STRING#ip=}
case "$ip" in
'' | *[!0-9.]*) echo "fail bad address"; exit 0 ;;
esac
tmp=$(mktemp)
if timeout "$limit" wget -q -O "$tmp" "http://$ip:$port/payload" 2>/dev/null; then
    echo "ok $(wc -c <"$tmp" | tr -d ' ') $(md5sum <"$tmp" | cut -d' ' -f1)"
else
    echo "fail got $(wc -c <"$tmp" | tr -d ' ') bytes before ${limit}s or an error"
fi
rm -f "$tmp"
CGI
    } >"$1/cgi-bin/fetch"
    chmod 755 "$1/cgi-bin/fetch"
}

probe_main() {
    : "${NODE_NAME:?NODE_NAME is not set (downward API spec.nodeName)}"
    www=${F2C_WORK:-/tmp/f2c-probe}/www
    probe_files "$www"
    echo "f2c-probe: node $NODE_NAME, serving on port $F2C_PORT"
    exec httpd -f -p "$F2C_PORT" -h "$www"
}

if [ "${F2C_LIB:-}" != 1 ]; then probe_main; fi
