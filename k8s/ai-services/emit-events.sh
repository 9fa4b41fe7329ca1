#!/bin/sh
# Stands in for an AI service's own events: writes them to stdout, one JSON object a line, as the service itself would
# (docs/metrics.md, "The event contract"). Filebeat ships them with this pod's namespace and labels; a line names
# neither, the pod does (labels app.kubernetes.io/name and esmetrics.io/events: stdout).
#   BACKLOG       the length of the service's queue "inference", reported every 5 s (unset or empty: no queue
#                 samples). Every replica reports the one shared queue, so queue_length reads BACKLOG itself: chat asks
#                 for one replica per 10 items, and BACKLOG=100 scales it to 10.
#   REQUEST_RATE  requests served per second by this pod, one event each (0: none). Each replica adds its own, as
#                 served requests do: embeddings asks for one replica per 20 a second, so more than 20 per pod
#                 scales it to its maximum.
set -eu
second=0
while true; do
  if [ -n "${BACKLOG:-}" ] && [ $((second % 5)) -eq 0 ]; then
    echo '{"type":"queue","queue":"inference","length":'"${BACKLOG}"'}'
  fi
  served=0
  while [ "$served" -lt "${REQUEST_RATE:-0}" ]; do
    echo '{"type":"request","status_code":200,"method":"POST","duration_ms":'"$((20 + served % 30))"'}'
    served=$((served + 1))
  done
  second=$((second + 1))
  sleep 1
done
