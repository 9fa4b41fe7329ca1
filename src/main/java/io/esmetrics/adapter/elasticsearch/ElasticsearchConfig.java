package io.esmetrics.adapter.elasticsearch;

import io.esmetrics.adapter.resilience.CircuitBreakerConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** How metric queries are sent. The address and credentials are the {@code quarkus.elasticsearch.*} properties. */
@ConfigMapping(prefix = "adapter.elasticsearch")
public interface ElasticsearchConfig {

    /**
     * Time Elasticsearch may spend on one search. Shards that do not answer in time make the search fail
     * (a partial count would scale services down). Keep it well under the HPA's own request timeout.
     */
    @WithDefault("5s")
    Duration searchTimeout();

    /** Series fetched per composite aggregation page. */
    @WithDefault("1000")
    int seriesPageSize();

    /**
     * Most series one metric request may produce. Beyond it the request fails instead of paging through
     * Elasticsearch without end; narrow the selector or declare fewer labels.
     */
    @WithDefault("10000")
    int maxSeries();

    /**
     * Refresh a configured metric (built-in or from a definitions file) for every namespace being asked about with one
     * search, grouped by namespace, instead of one search per namespace. Off only to compare the two designs.
     */
    @WithDefault("true")
    boolean searchAcrossNamespaces();

    /**
     * Most series one search across namespaces may page through. Beyond it, the namespaces are searched one by one
     * instead (each still bounded by {@code max-series}), so that one refresh never holds more than this at once.
     */
    @WithDefault("100000")
    int maxSeriesPerSearch();

    /**
     * How long one look-up of the newest event in a metric's indices stands: metrics are computed only while it
     * shows events arriving (a stalled pipeline is not zero load), and the ingest lag gauges show it. The configured
     * metrics' indices are looked up this often in the background, others when asked for. A stall is noticed at
     * most this much after a metric's {@code stalledAfter}.
     */
    @WithDefault("10s")
    Duration ingestLagInterval();

    /**
     * How far back the newest event is looked for. Indices without an event this recent hold no current data (a
     * metric that does not detect stalls, {@code stalledAfter: 0s}, is still computed); the lag gauge shows NaN.
     */
    @WithDefault("1h")
    Duration ingestLagLookback();

    /**
     * The field in which the event pipeline stamps when an event arrived (ECS {@code event.ingested}; the shipped
     * index template's final pipeline sets it, overriding whatever the sender wrote). Where events carry it, a stall
     * is measured by arrival, which no sender's clock can fake; where they do not, by the newest event time.
     */
    @WithDefault("event.ingested")
    String arrivalField();

    /**
     * How far ahead of the adapter's clock an event time may be and still count as the pipeline's watermark. A
     * producer whose clock runs ahead would otherwise keep a stalled pipeline looking current, and its events
     * would end every window at now. Events further ahead still count in the windows they fall into.
     */
    @WithDefault("10s")
    Duration producerClockSkew();

    /**
     * How long the resolved mapping of a metric's fields ({@code service.name} or {@code service.name.keyword}, and
     * their types) is kept before {@code _field_caps} is asked again: how soon a new index with another mapping (a
     * template installed, a daily index rolled over) is followed.
     */
    @WithDefault("1m")
    Duration mappingRefreshInterval();

    /** When Elasticsearch keeps failing, stop sending it searches for a while instead of queueing threads on it. */
    CircuitBreakerConfig circuitBreaker();

    /** How the adapter proves who it is to Elasticsearch. */
    Auth auth();

    /** Trust and client certificate for {@code quarkus.elasticsearch.protocol=https}. */
    Tls tls();

    interface Auth {

        /** none, basic (user and password), api-key, or bearer (service account token, OAuth token). */
        @WithDefault("none")
        AuthMode mode();

        /**
         * Files are read again when they change, so a rotated Secret is picked up without a restart; prefer them
         * to the literal values below, which come from the environment and only change with the Pod.
         */
        Optional<Path> usernameFile();

        Optional<Path> passwordFile();

        /** The {@code encoded} value Elasticsearch returns when creating an API key (base64 of id:key). */
        Optional<Path> apiKeyFile();

        Optional<Path> tokenFile();

        Optional<String> username();

        Optional<String> password();

        Optional<String> apiKey();

        Optional<String> token();
    }

    interface Tls {

        /** PEM bundle of the CAs that sign Elasticsearch's HTTP certificate; without it, the JVM's defaults. */
        Optional<Path> caFile();

        /** PEM client certificate and key, for clusters that authenticate clients by certificate. */
        Optional<Path> certFile();

        Optional<Path> keyFile();

        /**
         * How often the CA bundle and the client certificate are read again: a rotated Secret applies to the next
         * connection, without a restart.
         */
        @WithDefault("5s")
        Duration reloadInterval();
    }

    enum AuthMode {
        NONE, BASIC, API_KEY, BEARER
    }
}
