package dev.copyservices.operator.mirror;

import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.crds.mirror.MirrorRole;
import dev.copyservices.crds.mirror.RemoteMirrorStatus;
import dev.copyservices.crds.mirror.ResyncMethod;
import dev.copyservices.crds.mirror.WriteMode;
import dev.copyservices.operator.common.Times;

/** Copies what the agent reports about one mirror member into the resource's status, and maps the enums. */
final class RemoteMirrorStatusMapper {
    private RemoteMirrorStatusMapper() {
    }

    static void fill(RemoteMirrorStatus status, String array, Mirror mirror) {
        status.setArray(array);
        status.setArrayVolume(mirror.getVolume());
        status.setMirrorId(mirror.getId());
        status.setRole(role(mirror.getRole()).name());
        status.setPeerRole(mirror.getPeerRole() == dev.copyservices.api.agent.v1.MirrorRole.MIRROR_ROLE_UNSPECIFIED
                ? null : role(mirror.getPeerRole()).name());
        status.setPeerArray(mirror.getPeerArray().isEmpty() ? null : mirror.getPeerArray());
        status.setState(stateName(mirror.getState()));
        status.setProgressPercent(Math.round(mirror.getProgressPercent() * 10) / 10.0);
        status.setOutOfSyncBytes(mirror.getOutOfSyncBytes());
        status.setLagSeconds(mirror.getWriteMode() == dev.copyservices.api.agent.v1.WriteMode.ASYNCHRONOUS
                ? Math.round(mirror.getLagSeconds() * 10) / 10.0 : null);
        status.setLastSynchronized(mirror.hasLastSynchronized() ? Times.rfc3339(mirror.getLastSynchronized()) : null);
    }

    /** The seeds' mirror states. */
    static String stateName(MirrorState state) {
        return switch (state) {
            case SYNCHRONIZING -> "Synchronizing";
            case SYNCHRONIZED -> "Synchronized";
            case SUSPENDED -> "Suspended";
            case UNSYNCHRONIZED -> "Unsynchronized";
            case DUAL_PRIMARY -> "DualPrimary";
            case DUAL_SECONDARY -> "DualSecondary";
            case UNRESPONSIVE -> "Unresponsive";
            default -> "Unknown";
        };
    }

    static MirrorRole role(dev.copyservices.api.agent.v1.MirrorRole role) {
        return role == dev.copyservices.api.agent.v1.MirrorRole.SECONDARY ? MirrorRole.Secondary : MirrorRole.Primary;
    }

    static dev.copyservices.api.agent.v1.MirrorRole toAgent(MirrorRole role) {
        return role == MirrorRole.Secondary ? dev.copyservices.api.agent.v1.MirrorRole.SECONDARY
                : dev.copyservices.api.agent.v1.MirrorRole.PRIMARY;
    }

    static WriteMode writeMode(dev.copyservices.api.agent.v1.WriteMode mode) {
        return mode == dev.copyservices.api.agent.v1.WriteMode.ASYNCHRONOUS ? WriteMode.Asynchronous : WriteMode.Synchronous;
    }

    /** Unset is Synchronous, as in the CRD's default. */
    static dev.copyservices.api.agent.v1.WriteMode toAgent(WriteMode mode) {
        return mode == WriteMode.Asynchronous ? dev.copyservices.api.agent.v1.WriteMode.ASYNCHRONOUS
                : dev.copyservices.api.agent.v1.WriteMode.SYNCHRONOUS;
    }

    static ResyncMethod resyncMethod(dev.copyservices.api.agent.v1.ResyncMethod method) {
        return method == dev.copyservices.api.agent.v1.ResyncMethod.AUTOMATIC ? ResyncMethod.Automatic : ResyncMethod.Manual;
    }

    /** Unset is Manual, as in the CRD's default. */
    static dev.copyservices.api.agent.v1.ResyncMethod toAgent(ResyncMethod method) {
        return method == ResyncMethod.Automatic ? dev.copyservices.api.agent.v1.ResyncMethod.AUTOMATIC
                : dev.copyservices.api.agent.v1.ResyncMethod.MANUAL;
    }
}
