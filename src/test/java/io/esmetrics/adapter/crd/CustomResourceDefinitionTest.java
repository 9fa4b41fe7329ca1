package io.esmetrics.adapter.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.esmetrics.adapter.rules.KubernetesDuration;
import io.esmetrics.adapter.rules.MetricDefinition;
import io.esmetrics.adapter.testsupport.KubernetesBinaries;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed CRD is the one the fabric8 generator makes from the Java classes. After a deliberate change to
 * the classes, run {@code ./mvnw test -Dtest=CustomResourceDefinitionTest -Dgolden.update=true} and review the diff.
 */
class CustomResourceDefinitionTest {

    static final Path COMMITTED = Path.of("k8s/crd/elasticsearchmetrics.esmetrics.io-v1.yml");

    @TempDir
    Path dir;

    @Test
    void committedDefinitionIsTheGeneratedOne() throws IOException {
        new CRDGenerator().inOutputDir(dir.toFile()).forCRDVersions("v1")
                .withPostProcessor(new CRDPostProcessor() {
                    @Override
                    public HasMetadata process(HasMetadata crd, String crdVersion) {
                        return columnsInDeclarationOrder(crd);
                    }
                })
                .customResourceClasses(ElasticsearchMetric.class).detailedGenerate();
        String generated = Files.readString(dir.resolve(COMMITTED.getFileName()));
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(COMMITTED, generated);
        }

        assertThat(generated).isEqualTo(Files.readString(COMMITTED));
    }

    @Test
    void kustomizationInstallsTheDefinitionAndItsRoles() throws IOException, InterruptedException {
        Process kubectl = new ProcessBuilder(KubernetesBinaries.kubectl().toString(), "kustomize", "k8s/crd")
                .redirectErrorStream(true).start();
        String output = new String(kubectl.getInputStream().readAllBytes());

        assertThat(kubectl.waitFor()).as(output).isZero();
        assertThat(output.split("(?m)^---$")).hasSize(5);
        assertThat(output).contains("kind: CustomResourceDefinition", "rbac.authorization.k8s.io/aggregate-to-edit: \"true\"",
                "rbac.authorization.k8s.io/aggregate-to-view: \"true\"", "- elasticsearchmetrics/status");
    }

    /** kubectl shows columns in the CRD's order; the generator sorts them by name, we want them as declared. */
    private static HasMetadata columnsInDeclarationOrder(HasMetadata resource) {
        List<String> declared = Arrays.stream(ElasticsearchMetric.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name).toList();
        ((CustomResourceDefinition) resource).getSpec().getVersions().forEach(version -> version.getAdditionalPrinterColumns()
                .sort(Comparator.comparing(column -> declared.indexOf(column.getName()))));
        return resource;
    }

    @Test
    void schemaRejectsWhatTheAdapterWouldRefuse() throws IOException {
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(COMMITTED), CustomResourceDefinition.class);
        JSONSchemaProps spec = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");

        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("esmetric", "esmetrics");
        assertThat(spec.getRequired()).containsExactlyInAnyOrder("indexPattern", "aggregation");
        assertThat(spec.getProperties().get("aggregation").getEnum()).extracting(node -> node.asText())
                .containsExactlyInAnyOrder("rate", "count", "latest", "sum", "avg", "min", "max", "percentile", "ratio");
        assertThat(spec.getProperties().get("scope").getEnum()).extracting(node -> node.asText())
                .containsExactlyInAnyOrder("Namespaced", "Cluster");
        assertThat(spec.getProperties().get("window").getPattern()).isEqualTo(KubernetesDuration.PATTERN);
        assertThat(spec.getProperties().get("field").getPattern()).isEqualTo(MetricDefinition.FIELD);
        assertThat(spec.getProperties().get("percent").getMinimum()).isZero();
        assertThat(spec.getProperties().get("percent").getMaximum()).isEqualTo(100.0);
        assertThat(spec.getXKubernetesValidations()).extracting(rule -> rule.getMessage())
                .anyMatch(message -> message.startsWith("field is required"))
                .anyMatch(message -> message.startsWith("indexPattern may not be * or _all"));
        assertThat(crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns())
                .extracting(column -> column.getName()).containsExactly("Aggregation", "Value", "Ready", "Age");
        assertThat(crd.getSpec().getVersions().get(0).getSubresources().getStatus()).isNotNull();
    }
}
