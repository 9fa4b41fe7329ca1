package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Dockerfiles fit the Deployment that runs their images (no container runtime here to build them). */
class ContainerImageTest {

    static Stream<Path> dockerfiles() {
        return Stream.of(Path.of("src/main/docker/Dockerfile.jvm"), Path.of("src/main/docker/Dockerfile.native-micro"));
    }

    /** runAsNonRoot can only be verified by the kubelet against a numeric user. */
    @ParameterizedTest
    @MethodSource("dockerfiles")
    void runsAsANumericNonRootUser(Path dockerfile) {
        Matcher user = Pattern.compile("(?m)^USER (\\S+)$").matcher(Manifests.read(dockerfile));

        assertThat(user.find()).isTrue();
        assertThat(user.group(1)).matches("\\d+").isNotEqualTo("0");
    }

    @ParameterizedTest
    @MethodSource("dockerfiles")
    void exposesEveryPortTheDeploymentNames(Path dockerfile) {
        Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(Manifests.read(dockerfile));
        assertThat(expose.find()).isTrue();
        List<Integer> exposed = Arrays.stream(expose.group(1).trim().split("\\s+")).map(Integer::valueOf).toList();
        Deployment adapter = Manifests.get(Deployment.class, "es-metrics-adapter", "es-metrics-adapter");

        assertThat(exposed).containsExactlyInAnyOrderElementsOf(adapter.getSpec().getTemplate().getSpec().getContainers().get(0)
                .getPorts().stream().map(ContainerPort::getContainerPort).toList());
    }
}
