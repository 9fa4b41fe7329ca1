package io.esmetrics.adapter.externalmetrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code /openapi/v2} and {@code /openapi/v3}, as an API server serves them, naming every metric discovery lists
 * (the upstream provider's too, as last seen).
 * The aggregator fetches both every minute or so with {@code If-None-Match}: an unchanged document costs a 304.
 * Like discovery, they need an authenticated identity and no permission.
 */
@Path("/openapi")
@Produces(MediaType.APPLICATION_JSON)
public class OpenApiResource {

    static final String V3_GROUP_VERSION_PATH = "/openapi/v3/apis/" + ExternalMetricsApi.GROUP_VERSION;

    /** A document served as it is, with its digest as entity tag: identical on every replica. */
    private record Document(byte[] body, String digest) {

        static Document of(ObjectMapper mapper, ObjectNode json) throws JsonProcessingException {
            byte[] body = mapper.writeValueAsBytes(json);
            try {
                return new Document(body, HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(body)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        Response answer(String ifNoneMatch) {
            String etag = '"' + digest + '"';
            if (etag.equals(ifNoneMatch)) {
                return Response.notModified().header(HttpHeaders.ETAG, etag).build();
            }
            return Response.ok(body, MediaType.APPLICATION_JSON_TYPE).header(HttpHeaders.ETAG, etag).build();
        }
    }

    /** The documents of one set of metric names: rendered again when the names change. */
    private record Rendered(Set<String> metrics, Document v2, Document v3, Document v3Paths) {
    }

    private final ObjectMapper mapper;
    private final OpenApiDocuments documents;
    private final ListedMetricNames listed;
    private final AtomicReference<Rendered> rendered = new AtomicReference<>();

    public OpenApiResource(ObjectMapper mapper, ListedMetricNames listed) {
        this.mapper = mapper;
        this.documents = new OpenApiDocuments(mapper);
        this.listed = listed;
    }

    @GET
    @Path("v2")
    public Response v2(@HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        return current().v2().answer(ifNoneMatch);
    }

    @GET
    @Path("v3")
    public Response v3Paths(@HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        return current().v3Paths().answer(ifNoneMatch);
    }

    @GET
    @Path("v3/apis/" + ExternalMetricsApi.GROUP_VERSION)
    public Response v3(@HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        return current().v3().answer(ifNoneMatch);
    }

    private Rendered current() {
        Set<String> metrics = listed.all();
        Rendered last = rendered.get();
        if (last != null && last.metrics().equals(metrics)) {
            return last;
        }
        try {
            Document v2 = Document.of(mapper, documents.v2(metrics));
            Document v3 = Document.of(mapper, documents.v3(metrics));
            // The index clients follow: one URL per group version, whose hash changes when the document does.
            ObjectNode paths = mapper.createObjectNode();
            paths.putObject("paths").putObject(V3_GROUP_VERSION_PATH.substring("/openapi/v3/".length()))
                    .put("serverRelativeURL", V3_GROUP_VERSION_PATH + "?hash=" + v3.digest());
            Rendered next = new Rendered(metrics, v2, v3, Document.of(mapper, paths));
            rendered.set(next);
            return next;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the OpenAPI documents", e);
        }
    }
}
