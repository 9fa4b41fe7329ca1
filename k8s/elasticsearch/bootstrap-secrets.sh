#!/bin/sh
# Creates the Secrets of the Elasticsearch stack that do not exist yet, so that `kubectl apply -k k8s/` needs nothing
# installed first. Each is created once and never changed (a Secret you made, or cert-manager made, is kept):
#   elastic/elasticsearch-certs          CA and node certificate (elasticsearch-certutil) for HTTP and transport TLS
#   elastic/elasticsearch-credentials    random passwords of the elastic, es-metrics-adapter and logstash users
#   es-metrics-adapter/es-metrics-adapter-elasticsearch   the adapter's user, password and Elasticsearch's CA
# Runs in the Elasticsearch image (elasticsearch-certutil, curl, unzip, base64) with its service account's token.
# Outside a pod (tests): KUBERNETES_API, TOKEN_FILE, CA_FILE (none for plain http), ES_HOME, WORK_DIR.
set -eu
api="${KUBERNETES_API:-https://kubernetes.default.svc}"
sa=/var/run/secrets/kubernetes.io/serviceaccount
token=$(cat "${TOKEN_FILE:-$sa/token}")
ca_file="${CA_FILE-$sa/ca.crt}"
es_home="${ES_HOME:-/usr/share/elasticsearch}"
work="${WORK_DIR:-/tmp/bootstrap}"
stack_namespace="${STACK_NAMESPACE:-elastic}"
adapter_namespace="${ADAPTER_NAMESPACE:-es-metrics-adapter}"
mkdir -p "$work"

# curl with the service account's identity; prints the HTTP status, keeps the body in $work/body.
call() {
  if [ -n "$ca_file" ]; then
    curl -sS --max-time 30 --cacert "$ca_file" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -o "$work/body" -w '%{http_code}' "$@"
  else
    curl -sS --max-time 30 -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -o "$work/body" -w '%{http_code}' "$@"
  fi
}

# exists NAMESPACE NAME: 0 when the Secret exists (its JSON is then in $work/body), 1 when not.
exists() {
  status=$(call "$api/api/v1/namespaces/$1/secrets/$2")
  case "$status" in
    200) return 0 ;;
    404) return 1 ;;
    *) echo "cannot read Secret $1/$2: HTTP $status: $(cat "$work/body")" >&2; exit 1 ;;
  esac
}

# create NAMESPACE JSON: a Secret made meanwhile by someone else (409) is theirs to keep.
create() {
  status=$(call -X POST "$api/api/v1/namespaces/$1/secrets" --data-binary "$2")
  case "$status" in
    201) echo "created Secret $1/$3" ;;
    409) echo "Secret $1/$3 was created meanwhile: kept" ;;
    *) echo "cannot create Secret $1/$3: HTTP $status: $(cat "$work/body")" >&2; exit 1 ;;
  esac
}

# data_value KEY: the base64 value of KEY in the Secret JSON of $work/body.
data_value() {
  tr -d '\n' < "$work/body" | sed -n "s/.*\"$1\": *\"\([A-Za-z0-9+\/=]*\)\".*/\1/p"
}

b64() {
  base64 < "$1" | tr -d '\n'
}

password() {
  tr -dc 'A-Za-z0-9' < /dev/urandom | head -c 32
}

labels='"labels":{"app.kubernetes.io/part-of":"es-metrics-adapter","app.kubernetes.io/managed-by":"elasticsearch-bootstrap"}'

if exists "$stack_namespace" elasticsearch-certs; then
  echo "Secret $stack_namespace/elasticsearch-certs exists: kept"
else
  certutil="$es_home/bin/elasticsearch-certutil"
  "$certutil" ca --pem --silent --days 3650 --out "$work/ca.zip"
  unzip -qo "$work/ca.zip" -d "$work/certs"
  cat > "$work/instances.yml" <<YAML
instances:
  - name: elasticsearch
    dns:
      - elasticsearch.$stack_namespace.svc
      - elasticsearch.$stack_namespace.svc.cluster.local
      - "*.elasticsearch-headless.$stack_namespace.svc"
      - "*.elasticsearch-headless.$stack_namespace.svc.cluster.local"
      - localhost
YAML
  "$certutil" cert --pem --silent --days 825 --in "$work/instances.yml" --ca-cert "$work/certs/ca/ca.crt" \
    --ca-key "$work/certs/ca/ca.key" --out "$work/nodes.zip"
  unzip -qo "$work/nodes.zip" -d "$work/certs"
  create "$stack_namespace" "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"type\":\"kubernetes.io/tls\",
    \"metadata\":{\"name\":\"elasticsearch-certs\",$labels},
    \"data\":{\"tls.crt\":\"$(b64 "$work/certs/elasticsearch/elasticsearch.crt")\",
              \"tls.key\":\"$(b64 "$work/certs/elasticsearch/elasticsearch.key")\",
              \"ca.crt\":\"$(b64 "$work/certs/ca/ca.crt")\"}}" elasticsearch-certs
fi

if exists "$stack_namespace" elasticsearch-credentials; then
  echo "Secret $stack_namespace/elasticsearch-credentials exists: kept"
else
  create "$stack_namespace" "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",
    \"metadata\":{\"name\":\"elasticsearch-credentials\",$labels},
    \"data\":{\"elastic\":\"$(password | base64)\",\"es-metrics-adapter\":\"$(password | base64)\",
              \"logstash\":\"$(password | base64)\"}}" elasticsearch-credentials
fi

if exists "$adapter_namespace" es-metrics-adapter-elasticsearch; then
  echo "Secret $adapter_namespace/es-metrics-adapter-elasticsearch exists: kept"
else
  exists "$stack_namespace" elasticsearch-credentials
  adapter_password=$(data_value es-metrics-adapter)
  exists "$stack_namespace" elasticsearch-certs
  ca=$(data_value 'ca\.crt')
  create "$adapter_namespace" "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",
    \"metadata\":{\"name\":\"es-metrics-adapter-elasticsearch\",$labels},
    \"data\":{\"username\":\"$(printf es-metrics-adapter | base64)\",\"password\":\"$adapter_password\",\"ca.crt\":\"$ca\"}}" \
    es-metrics-adapter-elasticsearch
fi

# Done in the adapter's namespace: the RoleBinding that let this Job create Secrets there goes (create cannot be limited
# to a name, and the adapter trusts what its namespace holds). The next `kubectl apply -k` brings it back with the Job.
binding="$api/apis/rbac.authorization.k8s.io/v1/namespaces/$adapter_namespace/rolebindings/elasticsearch-bootstrap-adapter-credentials"
status=$(call -X DELETE "$binding")
case "$status" in
  200|202|404) echo "RoleBinding $adapter_namespace/elasticsearch-bootstrap-adapter-credentials removed" ;;
  *) echo "cannot remove RoleBinding $adapter_namespace/elasticsearch-bootstrap-adapter-credentials: HTTP $status: $(cat "$work/body")" >&2 ;;
esac
