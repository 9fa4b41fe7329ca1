package io.esmetrics.adapter.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which field a declared one is in indices written with and without the event template, from real _field_caps answers. */
class ResolvedFieldsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> DECLARED = List.of("service.name", "http.response.status_code");

    @Test
    void usesTheDeclaredFieldWhereTheTemplateMapsItAsKeyword() {
        ResolvedFields fields = resolve("""
                {"indices": ["ai-events-1"], "fields": {
                  "service.name": {"keyword": {"type": "keyword", "searchable": true, "aggregatable": true}},
                  "service.name.keyword": {"unmapped": {"type": "unmapped", "searchable": false, "aggregatable": false}},
                  "http.response.status_code": {"long": {"type": "long", "searchable": true, "aggregatable": true}}}}""");

        assertThat(fields.problem()).isEmpty();
        assertThat(fields.name("service.name")).isEqualTo("service.name");
        assertThat(fields.types("service.name")).isEqualTo(Set.of("keyword"));
        assertThat(fields.types("http.response.status_code")).isEqualTo(Set.of("long"));
    }

    @Test
    void usesTheKeywordSubFieldOfADynamicallyMappedText() {
        ResolvedFields fields = resolve("""
                {"indices": ["dyn-1"], "fields": {
                  "service": {"object": {"type": "object", "searchable": false, "aggregatable": false}},
                  "service.name": {"text": {"type": "text", "searchable": true, "aggregatable": false}},
                  "service.name.keyword": {"keyword": {"type": "keyword", "searchable": true, "aggregatable": true}},
                  "http.response.status_code": {"long": {"type": "long", "searchable": true, "aggregatable": true}}}}""");

        assertThat(fields.problem()).isEmpty();
        assertThat(fields.name("service.name")).isEqualTo("service.name.keyword");
        assertThat(fields.types("service.name")).isEqualTo(Set.of("keyword"));
        assertThat(fields.name("http.response.status_code")).isEqualTo("http.response.status_code");
    }

    @Test
    void leavesAFieldNoIndexHasAsDeclared() {
        ResolvedFields fields = resolve("""
                {"indices": [], "fields": {}}""");

        assertThat(fields.problem()).isEmpty();
        assertThat(fields.name("service.name")).isEqualTo("service.name");
        assertThat(fields.types("service.name")).isEmpty();
    }

    /** A template installed after the first daily index: neither variant covers both indices of the window. */
    @Test
    void namesTheFieldTheIndexAndTheFixWhenNoVariantCanBeAggregatedEverywhere() {
        ResolvedFields fields = resolve("""
                {"indices": ["dyn-1", "tpl-1"], "fields": {
                  "service.name": {"keyword": {"type": "keyword", "searchable": true, "aggregatable": true, "indices": ["tpl-1"]},
                                   "text": {"type": "text", "searchable": true, "aggregatable": false, "indices": ["dyn-1"]}},
                  "service.name.keyword": {"keyword": {"type": "keyword", "searchable": true, "aggregatable": true, "indices": ["dyn-1"]},
                                           "unmapped": {"type": "unmapped", "searchable": false, "aggregatable": false, "indices": ["tpl-1"]}},
                  "http.response.status_code": {"long": {"type": "long", "searchable": true, "aggregatable": true}}}}""");

        assertThat(fields.problemIndices()).containsExactly("dyn-1");
        assertThat(fields.problem()).contains("field service.name is text in 1 of the 2 indices of ai-events-* holding recent "
                + "events, which cannot be aggregated, and service.name.keyword is not an aggregatable keyword in every index that has service.name. "
                + "Map service.name as keyword: install the index template that the setup Job installs "
                + "(k8s/elasticsearch/ai-events-index-template.json for the event contract) or one of your own, then roll the indices over");
    }

    @Test
    void refusesAKeywordWithoutDocValuesInSomeIndices() {
        ResolvedFields fields = resolve("""
                {"indices": ["a-1", "a-2"], "fields": {
                  "service.name": {"keyword": {"type": "keyword", "searchable": true, "aggregatable": false, "non_aggregatable_indices": ["a-2"]}},
                  "http.response.status_code": {"long": {"type": "long", "searchable": true, "aggregatable": true}}}}""");

        assertThat(fields.problem()).get().asString().startsWith("field service.name is keyword in 1 of the 2 indices of");
        assertThat(fields.problemIndices()).containsExactly("a-2");
    }

    private static ResolvedFields resolve(String fieldCaps) {
        try {
            JsonNode answer = JSON.readTree(fieldCaps);
            return ResolvedFields.from(answer, DECLARED, "ai-events-*");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
