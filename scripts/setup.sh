#!/usr/bin/env bash
# Installs what Frenzy's tests and live runs need on a Debian machine, when it is missing:
# etcd (the real linearizable store), nftables and iproute2 (partitions in network namespaces),
# openssh (the ssh driver's tests), Chromium (the report's browser test), Python 3 (the example
# adapters), and the third-party systems under test with the Python clients of their adapters:
# PostgreSQL 15 and psycopg2, Redis 7 with Sentinel and redis-py. Their Debian packages may start
# a default service on the host; Frenzy's clusters use their own data dirs and addresses in
# namespaces and neither need nor touch it; openssl makes the TLS tests' certificates. Run as root.
set -euo pipefail

need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server etcd-client)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || need+=(openssh-server openssh-client)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v python3 >/dev/null 2>&1 || need+=(python3)
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql)
[ -x /usr/bin/redis-server ] || need+=(redis-server)
[ -x /usr/bin/redis-sentinel ] || need+=(redis-sentinel)
/usr/bin/python3 -c 'import psycopg2' >/dev/null 2>&1 || need+=(python3-psycopg2)
/usr/bin/python3 -c 'import redis' >/dev/null 2>&1 || need+=(python3-redis)
command -v openssl >/dev/null 2>&1 || need+=(openssl)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing ${need[*]}; run scripts/setup.sh as root (or install them) and try again" >&2
    exit 1
  fi
  echo "setup: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
