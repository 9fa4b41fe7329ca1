package io.esmetrics.adapter.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.esmetrics.adapter.testsupport.SearchEngine.Product;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Java 99 does not exist: no JDK on any machine satisfies it, so these tests see the failures a build would. */
class JavaHomeTest {

    private static final SearchEngine ENGINE = new SearchEngine(Product.ELASTICSEARCH, "99.0.0");

    @TempDir
    Path jdk;

    @AfterEach
    void forgetOverride() {
        System.clearProperty("es.java.home.99");
    }

    @ParameterizedTest
    @CsvSource({ "25.0.3, 25", "21, 21", "17.0.15, 17", "1.8.0_392, 8" })
    void readsTheFeatureVersionOfTheReleaseFile(String javaVersion, int feature) throws IOException {
        Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"" + javaVersion + "\"\n");

        assertThat(JavaHome.featureVersion(jdk)).contains(feature);
    }

    @Test
    void takesTheBuildsOwnJavaWhenRecentEnough() {
        assertThat(JavaHome.atLeast(Runtime.version().feature(), ENGINE)).isEqualTo(Path.of(System.getProperty("java.home")));
    }

    @Test
    void refusesAnOverrideTooOldForTheEngine() throws IOException {
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"21.0.4\"\n");
        System.setProperty("es.java.home.99", jdk.toString());

        assertThatThrownBy(() -> JavaHome.atLeast(99, ENGINE))
                .hasMessageContaining("es.java.home.99 / ES_JAVA_HOME_99 is " + jdk + ", a Java 21")
                .hasMessageContaining("Elasticsearch 99.0.0 needs Java 99 or later");
    }

    @Test
    void saysHowToProvideAJdkWhenNoneIsFound() {
        assertThatThrownBy(() -> JavaHome.atLeast(99, ENGINE))
                .hasMessageContaining("Elasticsearch 99.0.0 needs Java 99 or later")
                .hasMessageContaining("-Des.java.home.99=<jdk>")
                .hasMessageContaining("ES_JAVA_HOME_99");
    }
}
