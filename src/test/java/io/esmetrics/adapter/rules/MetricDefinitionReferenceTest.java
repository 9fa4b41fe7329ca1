package io.esmetrics.adapter.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The field table of docs/metrics.md is generated from MetricDefinition: a row per field, with the description the
 * CRD carries (what {@code kubectl explain} shows), which states the field's default from its constant. After a
 * deliberate change to the model, run {@code ./mvnw test -Dtest=MetricDefinitionReferenceTest -Dgolden.update=true}
 * and review the diff.
 */
class MetricDefinitionReferenceTest {

    private static final Path PAGE = Path.of("docs/metrics.md");
    private static final String BEGIN = "<!-- Generated from MetricDefinition by MetricDefinitionReferenceTest: edit the Java, "
            + "not this table. -->";
    private static final String END = "<!-- End of the generated table. -->";

    @Test
    void documentsEveryFieldAsTheModelDescribesIt() throws IOException {
        String page = Files.readString(PAGE);
        int begin = page.indexOf(BEGIN);
        int end = page.indexOf(END);
        assertThat(begin).as("%s in %s", BEGIN, PAGE).isNotNegative();
        assertThat(end).as("%s in %s", END, PAGE).isGreaterThan(begin);
        String documented = page.substring(begin, end + END.length());
        String generated = BEGIN + "\n" + table() + END;
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(PAGE, page.substring(0, begin) + generated + page.substring(end + END.length()));
            documented = generated;
        }

        assertThat(documented).isEqualTo(generated);
    }

    @Test
    void describesEveryDefaultWithItsConstant() throws IllegalAccessException {
        List<Field> defaults = Arrays.stream(MetricDefinition.class.getFields())
                .filter(constant -> Modifier.isStatic(constant.getModifiers()) && constant.getName().startsWith("DEFAULT_"))
                .toList();

        assertThat(defaults).isNotEmpty();
        for (Field constant : defaults) {
            String name = camelCase(constant.getName().substring("DEFAULT_".length()));
            RecordComponent component = Arrays.stream(MetricDefinition.class.getRecordComponents())
                    .filter(candidate -> candidate.getName().equals(name)).findFirst().orElse(null);
            assertThat(component).as("the field %s defaults", constant.getName()).isNotNull();
            assertThat(description(component)).as("description of %s", name).contains("Default " + constant.get(null));
        }
    }

    @Test
    void theDocumentedExampleIsAValidDefinitionsFile() throws IOException {
        String page = Files.readString(PAGE);
        String section = page.substring(page.indexOf("## Declaring your own: metric definitions files"));
        int start = section.indexOf("```yaml") + "```yaml".length();
        String yaml = section.substring(start, section.indexOf("```", start));

        assertThat(MetricDefinitionsParser.parse(PAGE.toString(), yaml)).extracting(MetricRule::name)
                .containsExactly("inference_errors_per_second", "gpu_memory_bytes");
    }

    /** The scale-to-zero example is the built-in queue_length, with an activation and nothing else changed. */
    @Test
    void theScaleToZeroExampleIsTheBuiltInQueueLengthWithAnActivation() throws Exception {
        String page = Files.readString(PAGE);
        String section = page.substring(page.indexOf("### Scale to zero: an activation threshold"));
        int start = section.indexOf("```yaml") + "```yaml".length();
        MetricRule example = MetricDefinitionsParser.parse(PAGE.toString(), section.substring(start, section.indexOf("```", start)))
                .get(0);
        MetricRule builtin = MetricDefinitionsParser.parse("built-in", MetricRules.builtins()).stream()
                .filter(rule -> rule.name().equals("queue_length")).findFirst().orElseThrow();

        assertThat(example.activation()).contains(new Activation(5.0, 2.0));
        for (RecordComponent component : MetricRule.class.getRecordComponents()) {
            if (!List.of("activation", "source").contains(component.getName())) {
                assertThat(component.getAccessor().invoke(example)).as(component.getName())
                        .isEqualTo(component.getAccessor().invoke(builtin));
            }
        }
    }

    private static String table() {
        StringBuilder table = new StringBuilder("| field | meaning |\n|---|---|\n");
        for (RecordComponent component : MetricDefinition.class.getRecordComponents()) {
            table.append("| `").append(component.getName()).append('`').append(required(component) ? " (required)" : "")
                    .append(" | ").append(description(component).replace("*", "\\*").replace("|", "\\|")).append(" |\n");
        }
        return table.toString();
    }

    private static String description(RecordComponent component) {
        JsonPropertyDescription description = field(component).getAnnotation(JsonPropertyDescription.class);
        assertThat(description).as("description of %s", component.getName()).isNotNull();
        return description.value();
    }

    private static boolean required(RecordComponent component) {
        return field(component).isAnnotationPresent(Required.class);
    }

    private static Field field(RecordComponent component) {
        try {
            return MetricDefinition.class.getDeclaredField(component.getName());
        } catch (NoSuchFieldException e) {
            throw new AssertionError(e);
        }
    }

    private static String camelCase(String upperSnake) {
        String[] words = upperSnake.toLowerCase(Locale.ROOT).split("_");
        StringBuilder camel = new StringBuilder(words[0]);
        Arrays.stream(words).skip(1).forEach(word -> camel.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1)));
        return camel.toString();
    }
}
