package io.esmetrics.adapter.elasticsearch;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A search to run: the index pattern it targets and the request body. */
record SearchRequest(String indexPattern, ObjectNode body) {
}
