package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;

/** Where the file a pod's (first) container reads at a path comes from: the volume mounted there, a Secret's key. */
final class MountedFiles {

    private MountedFiles() {
    }

    static Volume volumeBehind(PodSpec pod, String path) {
        VolumeMount mount = pod.getContainers().get(0).getVolumeMounts().stream()
                .filter(candidate -> path.startsWith(candidate.getMountPath() + "/"))
                .findFirst().orElseThrow(() -> new AssertionError(path + " is in no volume of " + pod.getContainers().get(0).getName()));
        return pod.getVolumes().stream().filter(candidate -> candidate.getName().equals(mount.getName())).findFirst().orElseThrow();
    }

    /** {@code secret/key} of the Secret volume behind {@code path}, whose item is mounted under its own key. */
    static String secretKeyBehind(PodSpec pod, String path) {
        Volume volume = volumeBehind(pod, path);
        String key = path.substring(path.lastIndexOf('/') + 1);
        assertThat(volume.getSecret()).as(path + " from a Secret").isNotNull();
        assertThat(volume.getSecret().getItems()).anySatisfy(item -> {
            assertThat(item.getPath()).isEqualTo(key);
            assertThat(item.getKey()).isEqualTo(key);
        });
        return volume.getSecret().getSecretName() + "/" + key;
    }
}
