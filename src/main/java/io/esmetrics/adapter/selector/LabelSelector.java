package io.esmetrics.adapter.selector;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A parsed label selector: requirements joined by AND. The empty selector matches everything. */
public record LabelSelector(List<Requirement> requirements) {

    private static final LabelSelector EVERYTHING = new LabelSelector(List.of());

    public LabelSelector {
        requirements = List.copyOf(requirements);
    }

    public static LabelSelector everything() {
        return EVERYTHING;
    }

    /** Parses the Kubernetes selector grammar; {@code null} or blank means "everything". */
    public static LabelSelector parse(String selector) {
        return LabelSelectorParser.parse(selector);
    }

    public boolean isEmpty() {
        return requirements.isEmpty();
    }

    /** Whether a series with these labels (label → value; a missing field is an absent key) is selected. */
    public boolean matches(Map<String, String> labels) {
        return requirements.stream().allMatch(requirement -> requirement.matches(labels));
    }

    /** The labels this selector pins to a single value ({@code a=b} or {@code a in (b)}). */
    public Map<String, String> pinnedLabels() {
        Map<String, String> pinned = new LinkedHashMap<>();
        for (Requirement requirement : requirements) {
            boolean singleValue = requirement.values().size() == 1;
            if (singleValue && (requirement.operator() == Operator.EQUALS || requirement.operator() == Operator.IN)) {
                pinned.put(requirement.key(), requirement.values().get(0));
            }
        }
        return pinned;
    }

    @Override
    public String toString() {
        return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
    }
}
