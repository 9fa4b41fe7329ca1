#!/bin/bash
# Hands a data node's shards to the other nodes before it leaves the cluster for good, and takes it back when it
# starts. Mounted into the data nodes (statefulset-data.yaml) and run by their lifecycle hooks:
#   leave   preStop. On a scale-down (the pod's ordinal is no longer below the StatefulSet's spec.replicas) it excludes
#           the node from shard allocation and waits until the node holds no shard, at most HANDOFF_TIMEOUT_SECONDS
#           (below terminationGracePeriodSeconds). On a restart (ordinal still below spec.replicas: a rolling update, an
#           eviction, a crash) it returns at once: the node comes back with its data. When it cannot tell (the API
#           cannot be read), it drains: a slow restart is better than a lost copy.
#   rejoin  postStart. Once the cluster answers, removes the node from the exclusion list, where a scale-down left it
#           (the same name comes back on the next scale-up) or a drain it could not tell from a restart.
# The exclusion list (cluster.routing.allocation.exclude._name) is one comma-separated setting shared by every node,
# with no compare-and-set: each change is a read-modify-write, and a concurrent one may drop an entry. leave re-reads
# and restores its own entry at every poll, and rejoin checks its removal stuck, so a lost update lasts at most one
# POLL_SECONDS. Concurrent changes are rare anyway: the StatefulSet removes and restarts one pod at a time.
#
# Environment (defaults for the Elasticsearch image in statefulset-data.yaml):
#   NODE_NAME                  the node's name: its pod's name (default $POD_NAME), whose suffix is the ordinal
#   ES_URL                     https://127.0.0.1:9200
#   ES_CA_FILE                 the CA of the node's HTTPS certificate; empty for plain HTTP
#   ES_USER / ES_PASSWORD      elastic / $ELASTIC_PASSWORD; empty ES_USER: no authentication
#   KUBERNETES_API             https://kubernetes.default.svc
#   KUBE_TOKEN_FILE / KUBE_CA_FILE   the projected service account token and the cluster's CA
#   NAMESPACE / STATEFULSET    the StatefulSet whose spec.replicas tells a scale-down from a restart
#   HANDOFF_TIMEOUT_SECONDS    how long leave waits for the shards to move
#   REJOIN_TIMEOUT_SECONDS     how long rejoin waits for the cluster to answer
#   POLL_SECONDS               between two looks
set -u
NODE_NAME="${NODE_NAME:-${POD_NAME:-}}"
: "${NODE_NAME:?NODE_NAME (or POD_NAME) is required}"
ES_URL="${ES_URL:-https://127.0.0.1:9200}"
ES_CA_FILE="${ES_CA_FILE-/usr/share/elasticsearch/config/certs/ca.crt}"
ES_USER="${ES_USER-elastic}"
ES_PASSWORD="${ES_PASSWORD:-${ELASTIC_PASSWORD:-}}"
KUBERNETES_API="${KUBERNETES_API:-https://kubernetes.default.svc}"
KUBE_TOKEN_FILE="${KUBE_TOKEN_FILE:-/var/run/secrets/kubernetes.io/serviceaccount/token}"
KUBE_CA_FILE="${KUBE_CA_FILE:-/var/run/secrets/kubernetes.io/serviceaccount/ca.crt}"
NAMESPACE="${NAMESPACE:-elastic}"
STATEFULSET="${STATEFULSET:-elasticsearch-data}"
HANDOFF_TIMEOUT_SECONDS="${HANDOFF_TIMEOUT_SECONDS:-1740}"
REJOIN_TIMEOUT_SECONDS="${REJOIN_TIMEOUT_SECONDS:-300}"
POLL_SECONDS="${POLL_SECONDS:-5}"
SETTING="cluster.routing.allocation.exclude._name"

log() { echo "shard-handoff ${NODE_NAME}: $*"; }

es() {
  local method="$1" path="$2"; shift 2
  local options=(-sS --fail --max-time 10 -X "${method}" -H 'Content-Type: application/json')
  [ -n "${ES_CA_FILE}" ] && options+=(--cacert "${ES_CA_FILE}")
  [ -n "${ES_USER}" ] && options+=(-u "${ES_USER}:${ES_PASSWORD}")
  curl "${options[@]}" "$@" "${ES_URL}${path}"
}

# The StatefulSet's spec.replicas, from its scale subresource (the narrowest read: no pod template).
desired_replicas() {
  local answer
  answer=$(curl -sS --fail-with-body --max-time 10 --cacert "${KUBE_CA_FILE}" \
    -H "Authorization: Bearer $(cat "${KUBE_TOKEN_FILE}")" \
    "${KUBERNETES_API}/apis/apps/v1/namespaces/${NAMESPACE}/statefulsets/${STATEFULSET}/scale" 2>&1)
  # The API server indents its JSON for curl: read it as one line.
  if ! tr -d ' \n' <<<"${answer}" | sed -n 's/.*"spec":{"replicas":\([0-9][0-9]*\).*/\1/p' | grep .; then
    log "the Kubernetes API did not give ${NAMESPACE}/${STATEFULSET}'s replicas: ${answer:0:300}" >&2
  fi
}

# The exclusion list, one name per line.
excluded() {
  local answer
  # filter_path splits on dots, which a flat setting's name holds: keep the persistent settings whole.
  answer=$(es GET "/_cluster/settings?flat_settings=true&filter_path=persistent") || return 1
  echo "${answer}" | sed -n "s/.*\"${SETTING}\":\"\([^\"]*\)\".*/\1/p" | tr ',' '\n' | sed '/^$/d'
}

write_excluded() {
  local names value
  names=$(paste -sd, -)
  if [ -z "${names}" ]; then value=null; else value="\"${names}\""; fi
  es PUT /_cluster/settings -d "{\"persistent\":{\"${SETTING}\":${value}}}" >/dev/null
}

# Shards on this node (relocating away included); empty when the cluster does not say.
shards_held() {
  es GET "/_cat/allocation/${NODE_NAME}?h=shards" | tr -d ' \n'
}

leave() {
  local ordinal="${NODE_NAME##*-}" replicas
  replicas=$(desired_replicas)
  if [[ "${ordinal}" =~ ^[0-9]+$ && "${replicas}" =~ ^[0-9]+$ ]]; then
    if (( ordinal < replicas )); then
      log "restart (ordinal ${ordinal} < ${replicas} replicas): keeping the shards"
      return 0
    fi
    log "scale-down (ordinal ${ordinal}, ${replicas} replicas): handing the shards off"
  else
    log "cannot tell a scale-down from a restart (ordinal '${ordinal}', replicas '${replicas}'): handing the shards off"
  fi
  local deadline=$(( SECONDS + HANDOFF_TIMEOUT_SECONDS )) names held
  while (( SECONDS < deadline )); do
    if names=$(excluded) && ! grep -qx "${NODE_NAME}" <<<"${names}"; then
      printf '%s\n%s\n' "${names}" "${NODE_NAME}" | sed '/^$/d' | write_excluded && log "excluded from allocation"
    fi
    held=$(shards_held)
    if [ "${held}" = "0" ]; then
      log "holds no shard: leaving"
      return 0
    fi
    log "still holds ${held:-an unknown number of} shards"
    sleep "${POLL_SECONDS}"
  done
  log "still holds shards after ${HANDOFF_TIMEOUT_SECONDS}s: leaving anyway (elasticsearch_shards_unsettled holds the HPA)"
  return 1
}

rejoin() {
  local deadline=$(( SECONDS + REJOIN_TIMEOUT_SECONDS )) names
  while (( SECONDS < deadline )); do
    if names=$(excluded); then
      if ! grep -qx "${NODE_NAME}" <<<"${names}"; then
        log "not excluded from allocation"
        return 0
      fi
      if grep -vx "${NODE_NAME}" <<<"${names}" | write_excluded; then
        log "removed from the exclusion list"
        continue # check that the removal stuck
      fi
    fi
    sleep "${POLL_SECONDS}"
  done
  log "could not clear the exclusion within ${REJOIN_TIMEOUT_SECONDS}s: the node takes no shard until it is cleared"
  return 1
}

case "${1:-}" in
  leave) leave ;;
  rejoin) rejoin ;;
  *) echo "usage: $0 leave|rejoin" >&2; exit 2 ;;
esac
