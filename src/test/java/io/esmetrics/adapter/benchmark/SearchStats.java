package io.esmetrics.adapter.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import io.esmetrics.adapter.testsupport.ElasticsearchProcess;

/**
 * Elasticsearch's own search counters ({@code _nodes/stats}): shard-level queries and the time they took, summed over
 * the nodes. Unlike a count at the proxy, this is the work Elasticsearch really did.
 */
record SearchStats(long queries, long queryMillis) {

    static SearchStats of(ElasticsearchProcess elasticsearch) {
        JsonNode nodes = elasticsearch.request("GET", "/_nodes/stats/indices/search", null).path("nodes");
        long queries = 0;
        long millis = 0;
        for (JsonNode node : nodes) {
            JsonNode search = node.path("indices").path("search");
            queries += search.path("query_total").asLong();
            millis += search.path("query_time_in_millis").asLong();
        }
        return new SearchStats(queries, millis);
    }

    SearchStats minus(SearchStats earlier) {
        return new SearchStats(queries - earlier.queries, queryMillis - earlier.queryMillis);
    }
}
