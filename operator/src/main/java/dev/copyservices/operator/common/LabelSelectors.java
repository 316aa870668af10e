package dev.copyservices.operator.common;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/** Whether labels match a metav1.LabelSelector, as the API server decides it. */
public final class LabelSelectors {
    private LabelSelectors() {
    }

    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, String> have = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (var wanted : selector.getMatchLabels().entrySet()) {
                if (!wanted.getValue().equals(have.get(wanted.getKey()))) {
                    return false;
                }
            }
        }
        List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
        if (expressions != null) {
            for (LabelSelectorRequirement e : expressions) {
                String value = have.get(e.getKey());
                List<String> values = e.getValues() == null ? List.of() : e.getValues();
                boolean ok = switch (e.getOperator()) {
                    case "In" -> value != null && values.contains(value);
                    case "NotIn" -> value == null || !values.contains(value);
                    case "Exists" -> have.containsKey(e.getKey());
                    case "DoesNotExist" -> !have.containsKey(e.getKey());
                    default -> false;
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
