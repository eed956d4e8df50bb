# shellcheck shell=sh
# The checker's Kubernetes API calls, with busybox wget and the pod's service account token.
# busybox's TLS client cannot verify certificates (so --no-check-certificate, said in the README);
# it needs busybox 1.36 or later against API servers that refuse SHA-1 handshake signatures.
# Inputs: F2C_API (default https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT),
# F2C_TOKEN_FILE, F2C_NAMESPACE, F2C_WORK ($W).

F2C_SA=/var/run/secrets/kubernetes.io/serviceaccount
API=${F2C_API:-https://${KUBERNETES_SERVICE_HOST:-kubernetes.default.svc}:${KUBERNETES_SERVICE_PORT:-443}}

# api GET PATH | api POST PATH JSON: the body on stdout; on failure the reason in $W/api.err.
api() {
    if ! tok=$(cat "${F2C_TOKEN_FILE:-$F2C_SA/token}" 2>/dev/null); then
        echo "no service account token" >"$W/api.err"
        return 1
    fi
    if [ "$1" = POST ]; then
        timeout 30 wget -q -O - -U f2c-check --no-check-certificate --header "Authorization: Bearer $tok" \
            --header "Content-Type: application/json" --post-data "$3" "$API$2" 2>"$W/api.err"
    else
        timeout 30 wget -q -O - -U f2c-check --no-check-certificate --header "Authorization: Bearer $tok" \
            "$API$2" 2>"$W/api.err"
    fi
}

api_error() {
    printf '%s' "$(tr '\n' ' ' <"$W/api.err" 2>/dev/null)"
}

# Splits a list answer into one line per item (compact or pretty JSON): each line starts with
# the item's name, then its JSON without whitespace.
items() {
    tr -d ' \t\r\n' | sed 's/"metadata":{"name":"/\n/g' | sed '1d'
}

# $W/probes: "node ip Ready" for every probe pod with an IP (Ready is True or False).
discover() {
    api GET "/api/v1/namespaces/$F2C_NAMESPACE/pods?labelSelector=app.kubernetes.io%2Fname%3Df2c-probe&pretty=false" \
        >"$W/pods.json" || return 1
    items <"$W/pods.json" | awk '{
        n = ""; ip = ""; r = "False"
        if (match($0, /"nodeName":"[^"]*"/)) n = substr($0, RSTART + 12, RLENGTH - 13)
        if (match($0, /"podIP":"[^"]*"/)) ip = substr($0, RSTART + 9, RLENGTH - 10)
        if (index($0, "\"type\":\"Ready\",\"status\":\"True\"")) r = "True"
        if (n != "" && ip != "") print n, ip, r
    }' >"$W/probes"
}

# The ConfigMap that keeps this checker node's baseline: $F2C_BASELINE-<position in $F2C_CHECKERS>.
baseline_name() {
    i=1
    for c in $F2C_CHECKERS; do
        [ "$c" = "$NODE_NAME" ] && break
        i=$((i + 1))
    done
    echo "$F2C_BASELINE-$i"
}

# Records the keys of failed checks; a record made by an earlier attempt of the same run is kept.
record_baseline() {
    body=$(printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s","namespace":"%s",' \
        "$(baseline_name)" "$F2C_NAMESPACE")
    body="$body$(printf '"labels":{"app.kubernetes.io/part-of":"flannel-to-calico"}},"data":{"node":"%s","failed":"%s","summary":"%s"}}' \
        "$NODE_NAME" "$1" "$2")"
    if api POST "/api/v1/namespaces/$F2C_NAMESPACE/configmaps" "$body" >/dev/null; then
        echo "baseline recorded in ConfigMap $F2C_NAMESPACE/$(baseline_name)"
    elif grep -q 409 "$W/api.err"; then
        echo "baseline: ConfigMap $F2C_NAMESPACE/$(baseline_name) exists from an earlier attempt; kept"
    else
        echo "FAIL baseline:$NODE_NAME could not record the baseline: $(api_error)"
        return 1
    fi
}

# The failed keys of this checker node's baseline on stdout; nothing when there is none.
load_baseline() {
    if api GET "/api/v1/namespaces/$F2C_NAMESPACE/configmaps/$(baseline_name)" >"$W/baseline.json"; then
        sed -n 's/.*"failed":"\([^"]*\)".*/\1/p' "$W/baseline.json" | tr -d '\n'
    else
        echo "note: no baseline $(baseline_name) ($(api_error)): every failure counts as new" >&2
    fi
}

# NetworkPolicies not acknowledged by $F2C_ACK ("*", "ns/*" or "ns/name" entries): one per line.
unacknowledged_policies() {
    api GET "/apis/networking.k8s.io/v1/networkpolicies?pretty=false" >"$W/policies.json" || return 1
    items <"$W/policies.json" | awk '{
        name = substr($0, 1, index($0, "\"") - 1)
        ns = ""
        if (match($0, /"namespace":"[^"]*"/)) ns = substr($0, RSTART + 13, RLENGTH - 14)
        print ns "/" name
    }' | while read -r p; do
        ok=
        for a in $F2C_ACK; do
            case "$a" in "*" | "$p" | "${p%%/*}/*") ok=1 ;; esac
        done
        [ -n "$ok" ] || echo "$p"
    done
}
