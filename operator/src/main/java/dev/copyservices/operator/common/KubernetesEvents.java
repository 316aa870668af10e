package dev.copyservices.operator.common;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Kubernetes Events about a resource. Best-effort: a failure to record one never fails a reconcile. */
public interface KubernetesEvents {
    void normal(HasMetadata about, String reason, String message);

    void warning(HasMetadata about, String reason, String message);
}
