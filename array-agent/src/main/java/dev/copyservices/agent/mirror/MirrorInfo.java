package dev.copyservices.agent.mirror;

import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.WriteMode;
import java.time.Instant;

/** One member of a mirror as a person sees it on this agent; see the Mirror message for each field. */
public record MirrorInfo(String id, String volume, String volumeId, MirrorRole role, MirrorState state,
        String peerArray, String peerArrayId, String peerEndpoint, String peerVolume, MirrorRole peerRole,
        boolean peerReachable, WriteMode writeMode, String consistencyGroup, CopyPriority syncPriority,
        ResyncMethod resyncMethod, long capacityBytes, long outOfSyncBytes, double progressPercent,
        double lagSeconds, Instant lastSynchronized, Instant created, long generation, String reason,
        long bytesSent, boolean secondaryInconsistent, java.util.Map<String, String> labels, long resyncBytesSent,
        double linkRoundTripSeconds) {
}
