package dev.copyservices.operator.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Kubernetes Events kept in a list as "Type Reason", for unit tests. */
public class RecordedEvents implements KubernetesEvents {
    public final List<String> recorded = new CopyOnWriteArrayList<>();

    @Override
    public void normal(HasMetadata about, String reason, String message) {
        recorded.add("Normal " + reason);
    }

    @Override
    public void warning(HasMetadata about, String reason, String message) {
        recorded.add("Warning " + reason);
    }
}
