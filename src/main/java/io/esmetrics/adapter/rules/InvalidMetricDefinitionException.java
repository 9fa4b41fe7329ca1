package io.esmetrics.adapter.rules;

/** A metric definition that cannot work; the message names the metric, the field and the source. */
public final class InvalidMetricDefinitionException extends RuntimeException {

    private final String metric;
    private final String field;

    public InvalidMetricDefinitionException(String source, String metric, String field, String problem) {
        super("invalid metric definition '" + metric + "' (" + source + "): field '" + field + "': " + problem);
        this.metric = metric;
        this.field = field;
    }

    public InvalidMetricDefinitionException(String source, String problem) {
        super("invalid metric definitions (" + source + "): " + problem);
        this.metric = null;
        this.field = null;
    }

    public String metric() {
        return metric;
    }

    public String field() {
        return field;
    }
}
