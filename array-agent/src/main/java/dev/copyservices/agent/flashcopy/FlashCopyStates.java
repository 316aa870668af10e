package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.events.EventSink;
import dev.copyservices.agent.events.EventSink.Severity;
import dev.copyservices.agent.pool.catalog.FlashCopyRecord;
import dev.copyservices.agent.pool.catalog.FlashCopyStateRecord;
import dev.copyservices.agent.pool.catalog.FullPolicyRecord;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.agent.volume.VolumeEngine;
import java.io.IOException;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * Durable state changes of FlashCopies and the events they raise, for the control path and for
 * the data path (a repository that fills or cannot be written). It never takes the engine's
 * control lock, so the data path can call it while holding a base's gate.
 */
final class FlashCopyStates implements FlashCopyVolume.Host {
    private static final Logger LOG = Logger.getLogger(FlashCopyStates.class.getName());

    private final EventSink events;
    private final Supplier<VolumeEngine> volumes;

    FlashCopyStates(EventSink events, Supplier<VolumeEngine> volumes) {
        this.events = events;
        this.volumes = volumes;
    }

    /** Changes the FlashCopy's record durably, then shows it to the data path. */
    VolumeRecord change(FlashCopyVolume flashCopy, UnaryOperator<VolumeRecord> change) {
        try {
            VolumeRecord updated = volumes.get().mutate(flashCopy.id(), change);
            flashCopy.setRecord(updated);
            return updated;
        } catch (IOException e) {
            throw new EngineException(Reason.POOL_IO_ERROR, "could not change FlashCopy '"
                    + flashCopy.record().getName() + "': " + e.getMessage(), "check the pool directory's disk and"
                            + " permissions, and the agent's log", e);
        }
    }

    static VolumeRecord withState(VolumeRecord r, FlashCopyStateRecord state, String failure) {
        VolumeRecord.Builder b = r.toBuilder();
        b.getFlashCopyBuilder().setState(state).setFailure(failure);
        return b.build();
    }

    @Override
    public void fail(FlashCopyVolume flashCopy, String why) {
        String name = flashCopy.record().getName();
        boolean[] failedNow = {false};
        try {
            change(flashCopy, r -> {
                failedNow[0] = r.getFlashCopy().getState() == FlashCopyStateRecord.OPTIMAL;
                return failedNow[0] ? withState(r, FlashCopyStateRecord.FAILED, why) : r;
            });
        } catch (EngineException e) {
            LOG.warning("could not record the failure of FlashCopy '" + name + "': " + e.getMessage());
            return; // deleted meanwhile, or the pool failed: the base write fails with the caller's error
        }
        if (!failedNow[0]) {
            return; // already failed or disabled: one event per failure
        }
        flashCopy.base().deactivate(flashCopy);
        publish(Severity.CRITICAL, "FLASHCOPY_FAILED", name, "FlashCopy '" + name + "' of '"
                + flashCopy.base().name() + "' failed: " + why + "; its data cannot be recovered", "delete it, or"
                        + " re-create it for a new point in time; grow its repository first ('csctl flashcopy"
                        + " repository grow " + name + " --by SIZE') so that it does not fill again");
    }

    @Override
    public void thresholdExceeded(FlashCopyVolume flashCopy) {
        FlashCopyRecord s = flashCopy.settings();
        String name = flashCopy.record().getName();
        publish(Severity.WARNING, "REPOSITORY_THRESHOLD_EXCEEDED", s.getRepositoryName(), "repository '"
                + s.getRepositoryName() + "' of FlashCopy '" + name + "' is above its warning threshold of "
                + s.getWarningThresholdPercent() + "%; this is the only warning before it is full",
                "grow it ('csctl flashcopy repository grow " + name + " --by SIZE') or raise the threshold ('csctl"
                        + " flashcopy set " + name + " --warning-threshold PERCENT')");
    }

    @Override
    public void repositoryFull(FlashCopyVolume flashCopy) {
        FlashCopyRecord s = flashCopy.settings();
        String name = flashCopy.record().getName();
        boolean failBase = s.getFullPolicy() == FullPolicyRecord.FAIL_BASE_WRITES;
        publish(Severity.CRITICAL, "REPOSITORY_FULL", s.getRepositoryName(), "repository '" + s.getRepositoryName()
                + "' of FlashCopy '" + name + "' is full; " + (failBase ? "writes to base '"
                        + flashCopy.base().name() + "' are rejected (policy FailBaseWrites)"
                        : "the FlashCopy fails at the next copy-on-write (policy FailFlashCopy)"),
                "grow it ('csctl flashcopy repository grow " + name + " --by SIZE'), or disable or delete the"
                        + " FlashCopy");
    }

    void publish(Severity severity, String reason, String object, String message, String correction) {
        String kind = reason.startsWith("REPOSITORY") ? "Repository" : "FlashCopy";
        events.publish(severity, reason, kind, object, message, correction);
    }
}
