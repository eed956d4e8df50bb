#!/usr/bin/env bash
# CI only: writes $KUBECONFIG_CONTENT (an environment secret) to the path the
# stack's cluster.kubeconfig names (default ~/.kube/config), mode 0600.
# Usage: tools/ci-kubeconfig.sh STACK
set -euo pipefail
stack=${1:?usage: tools/ci-kubeconfig.sh STACK}
[ -n "${KUBECONFIG_CONTENT:-}" ] || { echo "ci-kubeconfig: the KUBECONFIG secret of this environment is empty" >&2; exit 1; }
# shellcheck disable=SC2016 # the single-quoted text is JavaScript, not shell
file=$(node -e '
  const y = require("js-yaml");
  const doc = y.load(require("fs").readFileSync(`Pulumi.${process.argv[1]}.yaml`, "utf8"));
  const kc = (doc.config["flannel-to-calico:cluster"] || {}).kubeconfig;
  const p = typeof kc === "string" ? kc : "~/.kube/config";
  console.log(p.replace(/^~(?=\/|$)/, process.env.HOME));
' "$stack")
mkdir -p "$(dirname "$file")"
umask 077
printf '%s\n' "$KUBECONFIG_CONTENT" > "$file"
echo "ci-kubeconfig: wrote the kubeconfig of $stack to $file"
