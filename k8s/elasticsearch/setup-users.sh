#!/bin/sh
# Creates (or updates: every call is a PUT) the least-privileged users of the stack:
#   es-metrics-adapter  reads ai-events-*            (the adapter's searches)
#                       and the cluster's health     (metric elasticsearch_shards_unsettled: cluster privilege monitor)
#   logstash_ai_events  adds documents to ai-events-*, whose indices a first document creates from the template
#                       (auto_configure), and nothing else: no explicit index creation (create_index would let it
#                       create an index with settings of its own, index.final_pipeline: _none among them), no index
#                       template, no pipeline, no update or delete (docs/security.md, "Who can write the numbers")
# the final ingest pipeline that the index template names (ai-events-final: builds the event contract from what
# Filebeat shipped, refuses lines that claim an identity, stamps event.ingested), and the index template of ai-events-*,
# both before the first event is written: a writer that could change the template could take its final pipeline away.
# Passwords come from Secret elasticsearch-credentials; write them as letters and digits only.
set -eu
es="https://elasticsearch.elastic.svc:9200"
call() {
  type="$1"; shift
  curl -sS --fail-with-body --max-time 30 --cacert /certs/ca.crt -u "elastic:${ELASTIC_PASSWORD}" \
    -H "Content-Type: application/${type}" "$@"
  echo
}
until call json "${es}/_cluster/health?wait_for_status=yellow&timeout=30s" >/dev/null; do
  echo "waiting for Elasticsearch"; sleep 5
done
# YAML: Elasticsearch takes it as JSON, and the pipeline's script stays readable.
call yaml -X PUT "${es}/_ingest/pipeline/ai-events-final" --data-binary @/scripts/ai-events-final-pipeline.yaml
call json -X PUT "${es}/_index_template/ai-events" --data-binary @/scripts/ai-events-index-template.json
call json -X PUT "${es}/_security/role/es_metrics_adapter_reader" \
  -d '{"cluster":["monitor"],"indices":[{"names":["ai-events-*"],"privileges":["read","view_index_metadata"]}]}'
call json -X PUT "${es}/_security/user/es-metrics-adapter" \
  -d "{\"password\":\"${ADAPTER_PASSWORD}\",\"roles\":[\"es_metrics_adapter_reader\"]}"
call json -X PUT "${es}/_security/role/ai_events_writer" \
  -d '{"cluster":["monitor"],"indices":[{"names":["ai-events-*"],"privileges":["create_doc","auto_configure"]}]}'
call json -X PUT "${es}/_security/user/logstash_ai_events" \
  -d "{\"password\":\"${LOGSTASH_PASSWORD}\",\"roles\":[\"ai_events_writer\"]}"
