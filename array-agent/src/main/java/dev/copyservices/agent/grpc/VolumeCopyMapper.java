package dev.copyservices.agent.grpc;

import com.google.protobuf.Duration;
import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.volumecopy.CopyPriority;
import dev.copyservices.agent.volumecopy.CopyState;
import dev.copyservices.agent.volumecopy.VolumeCopyInfo;
import dev.copyservices.api.agent.v1.VolumeCopy;

/** VolumeCopy between engine records and the wire. */
final class VolumeCopyMapper {
    private VolumeCopyMapper() {
    }

    static VolumeCopy toProto(VolumeCopyInfo c) {
        VolumeCopy.Builder b = VolumeCopy.newBuilder()
                .setId(c.id())
                .setSource(c.source())
                .setTarget(c.target())
                .setSourceId(c.sourceId())
                .setTargetId(c.targetId())
                .setState(toProto(c.state()))
                .setPriority(toProto(c.priority()))
                .setTargetReadOnly(c.targetReadOnly())
                .setCreated(ProtoMapper.timestamp(c.created()))
                .setBytesTotal(c.bytesTotal())
                .setBytesCopied(c.bytesCopied())
                .setCopiedPercent(c.copiedPercent())
                .setFailure(c.failure())
                .setQueuePosition(c.queuePosition())
                .addAllWarnings(c.warnings());
        c.started().ifPresent(t -> b.setStarted(ProtoMapper.timestamp(t)));
        c.completed().ifPresent(t -> b.setCompleted(ProtoMapper.timestamp(t)));
        c.timeLeft().ifPresent(d -> b.setEstimatedTimeLeft(Duration.newBuilder().setSeconds(d.getSeconds())
                .setNanos(d.getNano())));
        return b.build();
    }

    static dev.copyservices.api.agent.v1.CopyState toProto(CopyState state) {
        return switch (state) {
            case PENDING -> dev.copyservices.api.agent.v1.CopyState.COPY_PENDING;
            case IN_PROGRESS -> dev.copyservices.api.agent.v1.CopyState.COPY_IN_PROGRESS;
            case COMPLETED -> dev.copyservices.api.agent.v1.CopyState.COPY_COMPLETED;
            case STOPPED -> dev.copyservices.api.agent.v1.CopyState.COPY_STOPPED;
            case FAILED -> dev.copyservices.api.agent.v1.CopyState.COPY_FAILED;
        };
    }

    static dev.copyservices.api.agent.v1.CopyPriority toProto(CopyPriority priority) {
        return switch (priority) {
            case LOWEST -> dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_LOWEST;
            case LOW -> dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_LOW;
            case MEDIUM -> dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_MEDIUM;
            case HIGH -> dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_HIGH;
            case HIGHEST -> dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_HIGHEST;
        };
    }

    /** Null for unspecified: the engine's "leave it" (or Medium on create). Unknown numbers are refused. */
    static CopyPriority fromProto(dev.copyservices.api.agent.v1.CopyPriority priority) {
        return switch (priority) {
            case COPY_PRIORITY_UNSPECIFIED -> null;
            case COPY_PRIORITY_LOWEST -> CopyPriority.LOWEST;
            case COPY_PRIORITY_LOW -> CopyPriority.LOW;
            case COPY_PRIORITY_MEDIUM -> CopyPriority.MEDIUM;
            case COPY_PRIORITY_HIGH -> CopyPriority.HIGH;
            case COPY_PRIORITY_HIGHEST -> CopyPriority.HIGHEST;
            case UNRECOGNIZED -> throw new EngineException(Reason.INVALID_COPY_REQUEST, "unknown copy priority",
                    "give one of Lowest, Low, Medium, High, Highest");
        };
    }
}
