#!/bin/bash
# Stand-in for flannel's mk-docker-opts.sh: turns /run/flannel/subnet.env into
# docker's options (-k KEY names the combined variable, -d FILE the output).
set -euo pipefail
key=DOCKER_OPTS dest=/run/docker_opts.env subnet_env=/run/flannel/subnet.env
while getopts "k:d:f:ci" opt; do
  case "$opt" in
    k) key=$OPTARG ;;
    d) dest=$OPTARG ;;
    f) subnet_env=$OPTARG ;;
    c|i) ;;
    *) echo "usage: $0 [-k key] [-d dest] [-f subnet.env]" >&2; exit 1 ;;
  esac
done
# shellcheck source=/dev/null
. "$subnet_env"
masq=true
[ "${FLANNEL_IPMASQ:-false}" = true ] && masq=false
{
  echo "DOCKER_OPT_BIP=\"--bip=$FLANNEL_SUBNET\""
  echo "DOCKER_OPT_IPMASQ=\"--ip-masq=$masq\""
  echo "DOCKER_OPT_MTU=\"--mtu=$FLANNEL_MTU\""
  echo "$key=\" --bip=$FLANNEL_SUBNET --ip-masq=$masq --mtu=$FLANNEL_MTU\""
} > "$dest"
