package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The install and the image a user reads about are the ones the manifests make: the documented commands, in the
 * documented order, name what {@code k8s/} creates; and the image the docs build is the image the adapter's
 * Deployment runs after the documented edit of {@code k8s/kustomization.yaml}.
 */
class DocumentedInstallTest {

    private static final Pattern SHELL_BLOCK = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern ROLLOUT = Pattern.compile("kubectl -n (\\S+) rollout status deployment/(\\S+) .*");
    private static final Pattern IMAGE_VARIABLE = Pattern.compile("IMAGE=(\\S+).*");
    private static final Pattern SET_IMAGE = Pattern.compile("\\(cd k8s && kustomize edit set image (\\S+)=\"\\$IMAGE\"\\)");

    /**
     * Apply, wait for the adapter's rollout, then register: an APIService registered before its adapter serves breaks
     * discovery for the whole cluster.
     */
    @ParameterizedTest
    @ValueSource(strings = {"README.md", "docs/deploying.md"})
    void registersTheApiServiceOnlyAfterTheAdaptersRollout(String document) throws IOException {
        List<String> install = block(document, "kubectl apply -k k8s/");

        assertThat(install).hasSize(3);
        assertThat(install.get(0)).isEqualTo("kubectl apply -k k8s/");
        Matcher rollout = ROLLOUT.matcher(install.get(1));
        assertThat(rollout.matches()).as(install.get(1)).isTrue();
        Deployment adapter = Manifests.get(Deployment.class, rollout.group(1), rollout.group(2));
        assertThat(adapter.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("es-metrics-adapter");
        assertThat(install.get(2)).isEqualTo("kubectl apply -f " + Manifests.API_SERVICE);
    }

    @Test
    void theImageTheDocsBuildIsTheOneTheDeploymentRunsAfterTheDocumentedEdit(@TempDir Path dir) throws IOException {
        List<String> build = block("docs/deploying.md", "docker build -f src/main/docker/Dockerfile.jvm");
        Matcher variable = IMAGE_VARIABLE.matcher(build.get(0));
        assertThat(variable.matches()).as(build.get(0)).isTrue();
        String image = variable.group(1);
        assertThat(build).contains("docker build -f src/main/docker/Dockerfile.jvm -t \"$IMAGE\" .", "docker push \"$IMAGE\"");
        Matcher setImage = build.stream().map(SET_IMAGE::matcher).filter(Matcher::matches).findFirst()
                .orElseThrow(() -> new AssertionError("no `kustomize edit set image` in " + build));
        String shippedName = setImage.group(1);
        assertThat(adapterContainer(Manifests.stack()).getImage()).as("the image k8s/ ships with").startsWith(shippedName + ":");

        // What `kustomize edit set image <name>=<image>` writes: the images entry of that name gets the new name and tag.
        Path k8s = copyOfK8s(dir);
        ObjectNode kustomization = (ObjectNode) Manifests.yaml(k8s.resolve("kustomization.yaml"));
        JsonNode entry = null;
        for (JsonNode candidate : kustomization.path("images")) {
            entry = candidate.path("name").asText().equals(shippedName) ? candidate : entry;
        }
        assertThat(entry).as("an images: entry for %s in k8s/kustomization.yaml", shippedName).isNotNull();
        int colon = image.lastIndexOf(':');
        ((ObjectNode) entry).put("newName", image.substring(0, colon)).put("newTag", image.substring(colon + 1));
        Files.writeString(k8s.resolve("kustomization.yaml"), Manifests.toYaml(kustomization));

        List<HasMetadata> edited = Manifests.documents(Manifests.kustomize(k8s)).stream().map(Manifests::parse).toList();
        assertThat(adapterContainer(edited).getImage()).isEqualTo(image);
    }

    private static Container adapterContainer(List<HasMetadata> objects) {
        return objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .filter(deployment -> deployment.getMetadata().getName().equals("es-metrics-adapter")).findFirst().orElseThrow()
                .getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    /** The lines of the first shell block of {@code document} holding {@code line}, comments and blank lines left out. */
    private static List<String> block(String document, String line) throws IOException {
        Matcher blocks = SHELL_BLOCK.matcher(Files.readString(Path.of(document)));
        while (blocks.find()) {
            List<String> commands = new ArrayList<>();
            for (String command : blocks.group(1).split("\n")) {
                String withoutComment = command.replaceAll("\\s+#.*$", "").strip();
                if (!withoutComment.isEmpty() && !withoutComment.startsWith("#")) {
                    commands.add(withoutComment);
                }
            }
            if (commands.stream().anyMatch(command -> command.startsWith(line))) {
                return commands;
            }
        }
        throw new AssertionError(document + " has no shell block with " + line);
    }

    /** k8s/ in a directory of its own, where its kustomization may be edited. */
    private static Path copyOfK8s(Path dir) throws IOException {
        Path copy = dir.resolve("k8s");
        try (Stream<Path> files = Files.walk(Manifests.K8S)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(Manifests.K8S.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return copy;
    }
}
