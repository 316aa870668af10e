package dev.copyservices.operator.common;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Sets metav1.Conditions the way Kubernetes expects: one per type, and lastTransitionTime moves only
 * when the status changes (so a steady condition keeps the time it became true).
 */
public final class Conditions {
    private Conditions() {
    }

    public static void set(List<Condition> conditions, String type, boolean status, String reason, String message,
            Long observedGeneration, Clock clock) {
        Optional<Condition> existing = find(conditions, type);
        String statusText = status ? "True" : "False";
        String transition = existing.filter(c -> statusText.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .orElse(Times.now(clock));
        Condition condition = new ConditionBuilder()
                .withType(type)
                .withStatus(statusText)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(observedGeneration)
                .withLastTransitionTime(transition)
                .build();
        conditions.removeIf(c -> type.equals(c.getType()));
        conditions.add(condition);
    }

    /**
     * Ready=False with this reason and message, and a Warning Event unless Ready already said the
     * same: one Event per change, not one per reconcile.
     */
    public static void notReady(HasMetadata resource, List<Condition> conditions, String reason, String message,
            Long observedGeneration, Clock clock, KubernetesEvents events) {
        boolean sameProblem = find(conditions, "Ready")
                .map(c -> "False".equals(c.getStatus()) && reason.equals(c.getReason()))
                .orElse(false);
        set(conditions, "Ready", false, reason, message, observedGeneration, clock);
        if (!sameProblem) {
            events.warning(resource, reason, message);
        }
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty() : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
    }
}
