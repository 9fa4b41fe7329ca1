package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every Service of the stack reaches pods that listen where it sends traffic, and only such pods. */
class ServiceRoutingTest {

    static Stream<Named<Service>> services() {
        return Manifests.all(Service.class).stream()
                .map(service -> Named.of(service.getMetadata().getNamespace() + "/" + service.getMetadata().getName(), service));
    }

    @ParameterizedTest
    @MethodSource("services")
    void selectsPodsThatListenOnEveryTargetPort(Service service) {
        List<PodTemplateSpec> selected = podTemplates(service.getMetadata().getNamespace())
                .filter(template -> template.getMetadata().getLabels().entrySet().containsAll(service.getSpec().getSelector().entrySet()))
                .toList();

        assertThat(selected).as("pods selected by " + service.getMetadata().getName()).isNotEmpty();
        for (ServicePort port : service.getSpec().getPorts()) {
            assertThat(selected).allSatisfy(template -> assertThat(template.getSpec().getContainers().stream()
                    .flatMap(container -> container.getPorts().stream())
                    .anyMatch(containerPort -> port.getTargetPort().getStrVal() != null
                            ? port.getTargetPort().getStrVal().equals(containerPort.getName())
                            : port.getTargetPort().getIntVal().equals(containerPort.getContainerPort())))
                    .as(port.getName() + " → " + port.getTargetPort() + " in " + names(template.getSpec().getContainers()))
                    .isTrue());
        }
    }

    private static Stream<PodTemplateSpec> podTemplates(String namespace) {
        return Manifests.stack().stream()
                .filter(object -> namespace.equals(object.getMetadata().getNamespace()))
                .flatMap(ServiceRoutingTest::template);
    }

    private static Stream<PodTemplateSpec> template(HasMetadata object) {
        if (object instanceof Deployment deployment) {
            return Stream.of(deployment.getSpec().getTemplate());
        } else if (object instanceof StatefulSet statefulSet) {
            return Stream.of(statefulSet.getSpec().getTemplate());
        } else if (object instanceof Job job) {
            return Stream.of(job.getSpec().getTemplate());
        }
        return Stream.empty();
    }

    private static List<String> names(List<Container> containers) {
        return containers.stream().map(Container::getName).toList();
    }
}
