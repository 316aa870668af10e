package dev.copyservices.agent.volumecopy;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.pool.catalog.VolumeCopyRecord;
import dev.copyservices.agent.pool.catalog.VolumeRecord;

/**
 * What pairs forbid other engines and the VolumeEngine to do to their volumes. Called with other engines'
 * locks held, so it takes none: it reads the pairs' volatile records. The tightening changes (create,
 * recopy) happen under those engines' locks, so no check can miss them.
 */
final class PairGuards {
    private final PairStore store;

    PairGuards(PairStore store) {
        this.store = store;
    }

    void checkDeletable(VolumeRecord record) {
        refuseIfActive(record, "delete", "stop it first ('csctl volumecopy stop %s'), then delete");
    }

    void checkResizable(VolumeRecord record) {
        refuseIfActive(record, "resize", "resize it once the copy is Completed or Stopped"); // L5946
    }

    /** A pair's target keeps what the copy wrote; an active pair's source keeps what it copies. */
    void checkDataChange(VolumeRecord record, String operation) {
        for (CopyPair pair : store.all()) {
            boolean target = pair.record().getTargetId().equals(record.getId());
            boolean source = pair.record().getSourceId().equals(record.getId());
            if (target || source && pair.state().active()) {
                throw new EngineException(Reason.VOLUME_IN_COPY, "cannot " + operation + ": '" + record.getName()
                        + "' is the " + (target ? "target" : "source") + " of VolumeCopy " + store.label(pair) + " ("
                        + pair.state().label() + ")", target ? "remove the pair first ('csctl volumecopy remove "
                                + store.name(pair.record().getTargetId()) + "', stopping it before if it runs)"
                                : "wait for the copy to complete, or stop it");
            }
        }
    }

    /** An active pair's target holds no complete image yet. */
    void checkImageRead(VolumeRecord record, String operation) {
        for (CopyPair pair : store.all()) {
            if (pair.record().getTargetId().equals(record.getId()) && pair.state().active()) {
                throw new EngineException(Reason.VOLUME_IN_COPY, "cannot " + operation + ": '" + record.getName()
                        + "' is the target of VolumeCopy " + store.label(pair) + ", which is " + pair.state().label()
                        + "; its data is not a complete copy yet", "wait for the copy to complete");
            }
        }
    }

    private void refuseIfActive(VolumeRecord record, String action, String correction) {
        for (CopyPair pair : store.all()) {
            VolumeCopyRecord r = pair.record();
            if ((r.getSourceId().equals(record.getId()) || r.getTargetId().equals(record.getId()))
                    && pair.state().active()) {
                throw new EngineException(Reason.VOLUME_IN_COPY, "cannot " + action + " '" + record.getName()
                        + "': it is the " + (r.getSourceId().equals(record.getId()) ? "source" : "target")
                        + " of VolumeCopy " + store.label(pair) + ", which is " + pair.state().label(),
                        String.format(correction, store.name(r.getTargetId())));
            }
        }
    }
}
