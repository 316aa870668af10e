package dev.copyservices.operator.volumecopy;

import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.VolumeCopy;
import dev.copyservices.crds.volumecopy.VolumeCopyStatus;
import dev.copyservices.operator.common.Times;

/** Copies what the agent reports about a VolumeCopy pair into the resource's status. */
final class VolumeCopyStatusMapper {
    private VolumeCopyStatusMapper() {
    }

    static void fill(VolumeCopyStatus status, String array, VolumeCopy copy) {
        status.setArray(array);
        status.setSourceVolume(copy.getSource());
        status.setTargetVolume(copy.getTarget());
        status.setState(stateName(copy.getState()));
        status.setCopiedPercent(Math.round(copy.getCopiedPercent() * 10) / 10.0);
        status.setBytesCopied(copy.getBytesCopied());
        status.setBytesTotal(copy.getBytesTotal());
        status.setEstimatedSecondsLeft(copy.hasEstimatedTimeLeft() ? copy.getEstimatedTimeLeft().getSeconds() : null);
        status.setQueuePosition(copy.getQueuePosition());
        status.setStarted(copy.hasStarted() ? Times.rfc3339(copy.getStarted()) : null);
        status.setCompleted(copy.hasCompleted() ? Times.rfc3339(copy.getCompleted()) : null);
    }

    /** The seeds' copy states. */
    static String stateName(CopyState state) {
        return switch (state) {
            case COPY_PENDING -> "Pending";
            case COPY_IN_PROGRESS -> "InProgress";
            case COPY_COMPLETED -> "Completed";
            case COPY_STOPPED -> "Stopped";
            case COPY_FAILED -> "Failed";
            default -> "Unknown";
        };
    }
}
