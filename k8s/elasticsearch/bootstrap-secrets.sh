#!/bin/sh
# Creates the Secrets of the Elasticsearch stack that do not exist yet, so that `kubectl apply -k k8s/` needs nothing
# installed first. Each is created once and never changed (a Secret you made, or cert-manager made, is kept):
#   elastic/elasticsearch-certs          CA and node certificate (elasticsearch-certutil) for HTTP and transport TLS
#   elastic/elasticsearch-credentials    random passwords of the elastic, es-metrics-adapter and logstash users
#   es-metrics-adapter/es-metrics-adapter-elasticsearch   the adapter's user, password and Elasticsearch's CA
#   elastic/logstash-beats-certs         the Beats CA and Logstash's certificate (logstash.elastic.svc), PKCS#8 key
#   filebeat/filebeat-certs              the Beats CA and Filebeat's client certificate
# Runs in the Elasticsearch image (elasticsearch-certutil, openssl, curl, unzip, base64) with its service account's
# token. Outside a pod (tests): KUBERNETES_API, TOKEN_FILE, CA_FILE (none for plain http), ES_HOME, WORK_DIR.
set -eu
api="${KUBERNETES_API:-https://kubernetes.default.svc}"
sa=/var/run/secrets/kubernetes.io/serviceaccount
token=$(cat "${TOKEN_FILE:-$sa/token}")
ca_file="${CA_FILE-$sa/ca.crt}"
es_home="${ES_HOME:-/usr/share/elasticsearch}"
work="${WORK_DIR:-/tmp/bootstrap}"
stack_namespace="${STACK_NAMESPACE:-elastic}"
adapter_namespace="${ADAPTER_NAMESPACE:-es-metrics-adapter}"
filebeat_namespace="${FILEBEAT_NAMESPACE:-filebeat}"
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

# unbind NAMESPACE NAME: removes this Job's RoleBinding NAME in NAMESPACE (see the end).
unbind() {
  status=$(call -X DELETE "$api/apis/rbac.authorization.k8s.io/v1/namespaces/$1/rolebindings/$2")
  case "$status" in
    200|202|404) echo "RoleBinding $1/$2 removed" ;;
    *) echo "cannot remove RoleBinding $1/$2: HTTP $status: $(cat "$work/body")" >&2 ;;
  esac
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

# The Beats link (Filebeat to Logstash) has a CA of its own. Logstash's Beats input accepts every client certificate of
# the CA it trusts, whatever its name, and Elasticsearch's transport layer every certificate of its CA as a node's: one
# CA for both would let the key of any Filebeat pod join the Elasticsearch cluster. This CA signs these two
# certificates only; its key is used here and never stored, so the two Secrets are made together or kept together.
if exists "$stack_namespace" logstash-beats-certs; then logstash_certs=kept; else logstash_certs=missing; fi
if exists "$filebeat_namespace" filebeat-certs; then filebeat_certs=kept; else filebeat_certs=missing; fi
if [ "$logstash_certs" = kept ] && [ "$filebeat_certs" = kept ]; then
  echo "Secrets $stack_namespace/logstash-beats-certs and $filebeat_namespace/filebeat-certs exist: kept"
elif [ "$logstash_certs" != "$filebeat_certs" ]; then
  echo "only one of Secrets $stack_namespace/logstash-beats-certs and $filebeat_namespace/filebeat-certs exists: they are" \
    "signed by one CA whose key is not kept, so delete the other too, and the next run makes both" >&2
  exit 1
else
  certutil="$es_home/bin/elasticsearch-certutil"
  "$certutil" ca --pem --silent --days 3650 --ca-dn "CN=es-metrics-adapter Beats CA" --out "$work/beats-ca.zip"
  unzip -qo "$work/beats-ca.zip" -d "$work/beats"
  cat > "$work/beats-instances.yml" <<YAML
instances:
  - name: logstash
    dns:
      - logstash.$stack_namespace.svc
      - logstash.$stack_namespace.svc.cluster.local
  - name: filebeat
YAML
  "$certutil" cert --pem --silent --days 825 --in "$work/beats-instances.yml" --ca-cert "$work/beats/ca/ca.crt" \
    --ca-key "$work/beats/ca/ca.key" --out "$work/beats-certs.zip"
  unzip -qo "$work/beats-certs.zip" -d "$work/beats"
  # Logstash's Beats input reads PKCS#8 keys only; elasticsearch-certutil writes PKCS#1.
  openssl pkcs8 -topk8 -nocrypt -in "$work/beats/logstash/logstash.key" -out "$work/beats/logstash/logstash-pkcs8.key"
  create "$stack_namespace" "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"type\":\"kubernetes.io/tls\",
    \"metadata\":{\"name\":\"logstash-beats-certs\",$labels},
    \"data\":{\"tls.crt\":\"$(b64 "$work/beats/logstash/logstash.crt")\",
              \"tls.key\":\"$(b64 "$work/beats/logstash/logstash-pkcs8.key")\",
              \"ca.crt\":\"$(b64 "$work/beats/ca/ca.crt")\"}}" logstash-beats-certs
  create "$filebeat_namespace" "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"type\":\"kubernetes.io/tls\",
    \"metadata\":{\"name\":\"filebeat-certs\",$labels},
    \"data\":{\"tls.crt\":\"$(b64 "$work/beats/filebeat/filebeat.crt")\",
              \"tls.key\":\"$(b64 "$work/beats/filebeat/filebeat.key")\",
              \"ca.crt\":\"$(b64 "$work/beats/ca/ca.crt")\"}}" filebeat-certs
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

# Done in the adapter's and Filebeat's namespaces: the RoleBindings that let this Job create Secrets there go (create
# cannot be limited to a name, and the adapter and Filebeat trust what their namespaces hold). The next
# `kubectl apply -k` brings them back with the Job.
unbind "$adapter_namespace" elasticsearch-bootstrap-adapter-credentials
unbind "$filebeat_namespace" elasticsearch-bootstrap-filebeat-certs
