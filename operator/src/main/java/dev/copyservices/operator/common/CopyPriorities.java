package dev.copyservices.operator.common;

import dev.copyservices.crds.common.CopyPriority;

/** The five copy priorities between the Kubernetes API and the agent's API (VolumeCopy and mirrors share them). */
public final class CopyPriorities {
    private CopyPriorities() {
    }

    /** Unset is Medium, the agent's default too. */
    public static dev.copyservices.api.agent.v1.CopyPriority toAgent(CopyPriority priority) {
        if (priority == null) {
            return dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_MEDIUM;
        }
        return switch (priority) {
            case Lowest -> dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_LOWEST;
            case Low -> dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_LOW;
            case Medium -> dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_MEDIUM;
            case High -> dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_HIGH;
            case Highest -> dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_HIGHEST;
        };
    }

    /** Unspecified is Medium. */
    public static CopyPriority fromAgent(dev.copyservices.api.agent.v1.CopyPriority priority) {
        return switch (priority) {
            case COPY_PRIORITY_LOWEST -> CopyPriority.Lowest;
            case COPY_PRIORITY_LOW -> CopyPriority.Low;
            case COPY_PRIORITY_HIGH -> CopyPriority.High;
            case COPY_PRIORITY_HIGHEST -> CopyPriority.Highest;
            default -> CopyPriority.Medium;
        };
    }
}
