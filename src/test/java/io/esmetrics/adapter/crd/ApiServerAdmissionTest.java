package io.esmetrics.adapter.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.testsupport.ControlPlane;
import io.esmetrics.adapter.testsupport.Kubectl;
import io.esmetrics.adapter.testsupport.SharedControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real API server (the {@link SharedControlPlane}, with the committed CRD applied) judges ElasticsearchMetrics as
 * {@link SchemaAgreesWithParserTest}'s reading of the schema does, on the same table of inputs: what that test checks
 * with a JSON-schema validator and a CEL interpreter, this one checks with kube-apiserver's structural schema, its CEL
 * and its field validation, through {@code kubectl apply --dry-run=server} (what a team runs, less the write).
 */
@ExtendWith(SharedControlPlane.class)
class ApiServerAdmissionTest {

    private static final String TABLE = "io.esmetrics.adapter.crd.SchemaAgreesWithParserTest#";

    private static Kubectl kubectl;
    private static Path dir;

    @BeforeAll
    static void applyTheDefinition(ControlPlane controlPlane, @TempDir Path tempDir) throws Exception {
        kubectl = controlPlane.kubectl();
        dir = tempDir;
        Kubectl.Result applied = kubectl.run("apply", "--server-side", "-f", CustomResourceDefinitionTest.COMMITTED.toString());
        assertThat(applied.exitCode()).as(applied.stderr()).isZero();
        Kubectl.Result established = kubectl.run("wait", "--for=condition=Established", "--timeout=50s",
                "customresourcedefinition/elasticsearchmetrics.esmetrics.io");
        assertThat(established.exitCode()).as(established.stderr()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TABLE + "acceptedByBoth")
    void admitsWhatBothAccept(String what, String definition) throws Exception {
        Kubectl.Result result = dryRun("m", definition);

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stderr()).as("warnings").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TABLE + "refusedByBoth")
    void refusesWhatBothRefuseNamingTheField(String what, String field, String definition) throws Exception {
        Kubectl.Result result = dryRun("m", definition);

        assertThat(result.exitCode()).as(result.stdout()).isNotZero();
        // A schema error names spec.<field>; a CEL rule's error names spec and says the field in its message.
        assertThat(result.stderr()).contains("is invalid", field);
    }

    /**
     * With field validation {@code Warn}: the table's unknown key is a matter of pruning (the schema admits it and the
     * API server drops it), which kubectl's default, {@code Strict}, turns into a refusal before the schema is asked;
     * so does {@code kubectl apply --server-side} whatever the validation, its typed patch having no such field.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(TABLE + "refusedByTheAdapterOnly")
    void admitsWhatOnlyTheAdapterRefuses(String what, String name, String definition, String why) throws Exception {
        Kubectl.Result result = dryRun(name, definition, "--validate=warn");

        assertThat(result.exitCode()).as("%s, because %s", result.stderr(), why).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(TABLE + "refusedByTheSchemaOnly")
    void refusesWhatOnlyTheSchemaRefuses(String what, String definition, String why) throws Exception {
        Kubectl.Result result = dryRun("m", definition);

        assertThat(result.exitCode()).as("%s, because %s", result.stdout(), why).isNotZero();
    }

    private static Kubectl.Result dryRun(String name, String definition, String... options) throws Exception {
        Path file = Files.createTempFile(dir, name, ".yaml");
        Files.writeString(file, """
                apiVersion: esmetrics.io/v1alpha1
                kind: ElasticsearchMetric
                metadata:
                  name: %s
                  namespace: default
                spec: %s
                """.formatted(name, definition));
        List<String> args = new ArrayList<>(List.of("apply", "--dry-run=server", "-f", file.toString()));
        args.addAll(List.of(options));
        return kubectl.run(args.toArray(String[]::new));
    }
}
