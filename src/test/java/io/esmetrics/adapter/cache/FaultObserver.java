package io.esmetrics.adapter.cache;

import io.restassured.response.Response;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Polls a metric while Elasticsearch fails and remembers what was served until the first 503. */
final class FaultObserver {

    private final ElasticsearchFaultsTest.Request request;
    private final List<String> served = new CopyOnWriteArrayList<>();
    private volatile String lastMessage = "";

    FaultObserver(ElasticsearchFaultsTest.Request request) {
        this.request = request;
    }

    /** One poll: true once the adapter answers 503 ServiceUnavailable. */
    boolean unavailable() {
        Response response = request.get();
        if (response.statusCode() == 200) {
            List<String> values = response.path("items.value");
            served.addAll(values);
            return false;
        }
        if (response.statusCode() != 503 || !"ServiceUnavailable".equals(response.path("reason"))) {
            throw new AssertionError("expected a value or 503 ServiceUnavailable, got " + response.statusCode()
                    + ": " + response.asString());
        }
        lastMessage = response.path("message");
        return true;
    }

    /** Every value served while Elasticsearch was failing. */
    List<String> served() {
        return served;
    }

    String lastMessage() {
        return lastMessage;
    }
}
