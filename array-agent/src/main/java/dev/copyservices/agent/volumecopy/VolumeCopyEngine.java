package dev.copyservices.agent.volumecopy;

import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.events.EventSink;
import dev.copyservices.agent.events.EventSink.Severity;
import dev.copyservices.agent.flashcopy.FlashCopyEngine;
import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.pool.catalog.VolumeCopyRecord;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.agent.volume.HostAccess;
import dev.copyservices.agent.volume.VolumeDevice;
import dev.copyservices.agent.volume.VolumeEngine;
import dev.copyservices.agent.volume.VolumeLifecycle;
import dev.copyservices.agent.volume.VolumeRules;
import dev.copyservices.api.Sizes;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * VolumeCopy (DS4000, seed 004 chapters 3-5): full copies of a source volume onto a target volume,
 * in the background, at most {@code maxCopiesInProgress} at once, the others Pending in order.
 *
 * <p>Locks, in this order: the FlashCopy engine's control (so that a pair's claim on its volumes and
 * FlashCopy operations on them never interleave), the VolumeEngine's control (no delete slips in),
 * this engine's {@link #control}, a pair's monitor (its record), the pool. The checks other engines
 * call ({@link VolumeLifecycle}) take none of them: they read the pairs' volatile records.
 */
public final class VolumeCopyEngine implements VolumeLifecycle, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VolumeCopyEngine.class.getName());

    public record Options(boolean enabled, CopyIo io) {
        public static Options defaults() {
            return new Options(true, CopyIo.DIRECT);
        }
    }

    private final ArrayLimits limits;
    private final EventSink events;
    private final Options options;
    private final Object control = new Object();
    private final PairStore store;
    private final PairGuards guards;
    private final PairReport report;
    private VolumeEngine volumes;
    private FlashCopyEngine flashCopies;
    private PairRules rules;
    private volatile boolean closing;

    public VolumeCopyEngine(Pool pool, ArrayLimits limits, EventSink events, Options options) {
        this.limits = limits;
        this.events = events;
        this.options = options;
        this.store = new PairStore(pool);
        this.guards = new PairGuards(store);
        this.report = new PairReport(store::name);
    }

    /**
     * Takes over the pairs the catalog names, after volumes and FlashCopies are open and before NBD
     * serves: host restrictions first, then InProgress copies continue from their checkpoints.
     */
    public void open(VolumeEngine volumeEngine, FlashCopyEngine flashCopyEngine) throws IOException {
        this.volumes = volumeEngine;
        this.flashCopies = flashCopyEngine;
        this.rules = new PairRules(volumeEngine, flashCopyEngine);
        store.open(volumeEngine);
        for (CopyPair pair : store.all()) {
            if (pair.state().active()) { // the copy may have started before its FlashCopies were failed; outside
                // this engine's lock, which the FlashCopy engine's lock comes before
                flashCopies.failDisabledFlashCopiesOf(pair.record().getTargetId(), failureOfTargetFlashCopy(pair));
            }
        }
        synchronized (control) {
            for (CopyPair pair : store.all()) {
                applyAccess(pair);
                if (pair.state() == CopyState.IN_PROGRESS) {
                    publish(Severity.INFO, "VOLUMECOPY_RESUMED", pair, "VolumeCopy " + store.label(pair) + " continues"
                            + " after the agent's restart from " + report.percent(pair) + "%", "");
                    startCopier(pair);
                }
            }
            schedule();
        }
    }

    // ---- the API -----------------------------------------------------------------------------------

    public VolumeCopyInfo create(String sourceName, String targetName, CopyPriority priority) {
        VolumeRules.checkName(sourceName, "source");
        VolumeRules.checkName(targetName, "target");
        if (!options.enabled()) {
            throw new EngineException(Reason.FEATURE_DISABLED, "the VolumeCopy feature is disabled on this array",
                    "restart the agent without '--disable-feature volumecopy'");
        }
        VolumeRecord source = store.volume(sourceName, "source");
        VolumeRecord target = store.volume(targetName, "target");
        CopyPair existing = store.byTargetId(target.getId());
        if (existing != null && existing.record().getSourceId().equals(source.getId())) {
            return info(existing); // a retry of the same create
        }
        CopyPriority chosen = priority == null ? CopyPriority.MEDIUM : priority;
        try {
            return flashCopies.whileUnchanged(() -> volumes.whileExisting(List.of(source.getId(), target.getId()),
                    () -> {
                        synchronized (control) {
                            return createLocked(current(source), current(target), chosen);
                        }
                    }));
        } catch (IOException e) {
            throw PairStore.poolError("create the VolumeCopy onto '" + targetName + "'", e);
        }
    }

    private VolumeCopyInfo createLocked(VolumeRecord source, VolumeRecord target, CopyPriority priority)
            throws IOException {
        rules.checkSource(source, store.all());
        rules.checkTarget(source, target, store.all());
        List<String> warnings = rules.warnings(source, target);
        VolumeCopyRecord record = VolumeCopyRecord.newBuilder()
                .setId(UUID.randomUUID().toString())
                .setSourceId(source.getId())
                .setTargetId(target.getId())
                .setState(CopyState.PENDING.record())
                .setPriority(priority.record())
                .setTargetReadOnly(true)
                .setCreatedUnixMillis(System.currentTimeMillis())
                .setSizeBytes(source.getSizeBytes())
                .setQueueTicket(store.nextTicket())
                .build();
        CopyPair pair = store.add(record);
        applyAccess(pair);
        List<String> failed = flashCopies.failDisabledFlashCopiesOf(target.getId(), failureOfTargetFlashCopy(pair));
        publish(Severity.INFO, "VOLUMECOPY_CREATED", pair, "VolumeCopy " + store.label(pair) + " created (priority "
                + priority.label() + ")" + (failed.isEmpty() ? "" : "; the target's FlashCopies "
                        + String.join(", ", failed) + " failed"), "");
        schedule();
        return info(pair).withWarnings(warnings);
    }

    public VolumeCopyInfo get(String target) {
        return info(store.require(target));
    }

    /** Every pair, or those with {@code volume} (a name) as source or target, by target name. */
    public List<VolumeCopyInfo> list(String volume) {
        String id = volume == null || volume.isEmpty() ? null : store.volume(volume, "").getId();
        return store.all().stream()
                .filter(p -> id == null || p.record().getSourceId().equals(id) || p.record().getTargetId().equals(id))
                .map(this::info)
                .sorted(Comparator.comparing(VolumeCopyInfo::target))
                .toList();
    }

    /** Pending, InProgress or Failed -> Stopped (L6191-6203). */
    public VolumeCopyInfo stop(String target) {
        synchronized (control) {
            CopyPair pair = store.require(target);
            CopyState was = pair.state();
            if (!was.active()) {
                throw new EngineException(Reason.VOLUMECOPY_STATE, "VolumeCopy " + store.label(pair) + " is " + was.label()
                        + "; only a Pending, InProgress or Failed copy can be stopped", was == CopyState.STOPPED
                                ? "it is already stopped" : "to copy again, recopy it ('csctl volumecopy recopy "
                                        + target + "')");
            }
            store.commit(pair, r -> r.toBuilder().setState(CopyState.STOPPED.record()).setFailure("").build());
            pair.stopCopier();
            applyAccess(pair);
            publish(Severity.WARNING, "VOLUMECOPY_STOPPED", pair, "VolumeCopy " + store.label(pair) + " stopped while "
                    + was.label() + " at " + report.percent(pair) + "%; the source takes writes again and the"
                    + " target may hold a partial copy", "recopy it ('csctl volumecopy recopy " + target + "') for a"
                            + " complete copy");
            schedule();
            return info(pair);
        }
    }

    /** Completed, Stopped or Failed -> a new copy from the first byte (L6126-6146). */
    public VolumeCopyInfo recopy(String target, CopyPriority priority) {
        CopyPair found = store.require(target);
        try {
            return flashCopies.whileUnchanged(() -> volumes.whileExisting(List.of(found.record().getSourceId(),
                    found.record().getTargetId()), () -> {
                        synchronized (control) {
                            return recopyLocked(store.require(target), priority);
                        }
                    }));
        } catch (IOException e) {
            throw PairStore.poolError("recopy the VolumeCopy onto '" + target + "'", e);
        }
    }

    private VolumeCopyInfo recopyLocked(CopyPair pair, CopyPriority priority) throws IOException {
        CopyState was = pair.state();
        if (was == CopyState.PENDING || was == CopyState.IN_PROGRESS) {
            throw new EngineException(Reason.VOLUMECOPY_STATE, "VolumeCopy " + store.label(pair) + " is " + was.label()
                    + "; a recopy starts a Completed, Stopped or Failed copy again", "wait for it to complete, or"
                            + " stop it first ('csctl volumecopy stop " + store.name(pair.record().getTargetId()) + "')");
        }
        VolumeRecord source = current(volumes.findById(pair.record().getSourceId()).orElseThrow());
        VolumeRecord target = current(volumes.findById(pair.record().getTargetId()).orElseThrow());
        List<CopyPair> others = store.all().stream().filter(p -> p != pair).toList();
        rules.checkSource(source, others); // eligibility still applies (L6150)
        rules.checkTarget(source, target, others);
        List<String> warnings = rules.warnings(source, target);
        long ticket = store.nextTicket();
        store.commit(pair, r -> {
            VolumeCopyRecord.Builder b = r.toBuilder().setState(CopyState.PENDING.record()).setFailure("")
                    .setTargetReadOnly(true).setStartedUnixMillis(0).setCompletedUnixMillis(0).setCopiedBytes(0)
                    .setSizeBytes(source.getSizeBytes()).setQueueTicket(ticket);
            if (priority != null) {
                b.setPriority(priority.record());
            }
            return b.build();
        });
        pair.setCopied(0);
        applyAccess(pair);
        flashCopies.failDisabledFlashCopiesOf(target.getId(), failureOfTargetFlashCopy(pair));
        publish(Severity.INFO, "VOLUMECOPY_RECOPY", pair, "VolumeCopy " + store.label(pair) + " copies again from the"
                + " start (it was " + was.label() + ", priority " + pair.priority().label() + ")", "");
        schedule();
        return info(pair).withWarnings(warnings);
    }

    /** Removes pairs; data stays on both volumes (L6240-6268). All or none. */
    public List<VolumeCopyInfo> remove(List<String> targets) {
        synchronized (control) {
            List<CopyPair> chosen = store.requireAll(targets);
            for (CopyPair pair : chosen) {
                if (pair.state() == CopyState.PENDING || pair.state() == CopyState.IN_PROGRESS) {
                    throw new EngineException(Reason.VOLUMECOPY_STATE, "VolumeCopy " + store.label(pair) + " is "
                            + pair.state().label() + "; removing it would leave an unfinished copy behind",
                            "stop it first ('csctl volumecopy stop " + store.name(pair.record().getTargetId()) + "')");
                }
            }
            List<VolumeCopyInfo> removed = chosen.stream().map(this::info).toList();
            try {
                store.remove(chosen);
            } catch (IOException e) {
                throw PairStore.poolError("remove VolumeCopy pairs", e);
            }
            for (CopyPair pair : chosen) {
                liftAccess(pair);
                publish(Severity.INFO, "VOLUMECOPY_REMOVED", pair, "VolumeCopy " + store.label(pair) + " removed; the data"
                        + " stays on both volumes and the target takes writes again", "");
            }
            return removed;
        }
    }

    /**
     * Changes priority (any state, L6011-6026; an InProgress copy changes pace at once) and/or the
     * target's read-only attribute (Completed and Stopped only, L6116 and C6). All or none.
     */
    public List<VolumeCopyInfo> update(List<String> targets, CopyPriority priority, Boolean targetReadOnly) {
        if (priority == null && targetReadOnly == null) {
            throw new EngineException(Reason.INVALID_COPY_REQUEST, "nothing to change", "give a priority or a"
                    + " target read-only setting");
        }
        synchronized (control) {
            List<CopyPair> chosen = store.requireAll(targets);
            if (targetReadOnly != null) {
                for (CopyPair pair : chosen) {
                    if (pair.state() != CopyState.COMPLETED && pair.state() != CopyState.STOPPED) {
                        throw new EngineException(Reason.VOLUMECOPY_STATE, "VolumeCopy " + store.label(pair) + " is "
                                + pair.state().label() + "; the target's read-only setting changes only once the"
                                + " copy is Completed or Stopped (until then the target takes no I/O at all)",
                                "wait for the copy to complete");
                    }
                }
            }
            for (CopyPair pair : chosen) {
                store.commit(pair, r -> {
                    VolumeCopyRecord.Builder b = r.toBuilder();
                    if (priority != null) {
                        b.setPriority(priority.record());
                    }
                    if (targetReadOnly != null) {
                        b.setTargetReadOnly(targetReadOnly);
                    }
                    return b.build();
                });
                CopyPace pace = pair.pace();
                if (pace != null) {
                    pace.priorityChanged();
                }
                applyAccess(pair);
            }
            return chosen.stream().map(this::info).toList();
        }
    }

    /** Volumes that are a remote mirror's secondary (the mirror engine's view), refused as source or target. */
    public void mirrorSecondaries(java.util.function.Predicate<String> secondary) {
        rules.mirrorSecondaries(secondary);
    }

    /**
     * Fails the Pending and InProgress copies reading a volume that stopped being a mirror's primary
     * (L6488-6496); they cannot be copied again until it is primary again.
     */
    public void failCopiesFromSource(String sourceId, String why) {
        synchronized (control) {
            for (CopyPair pair : store.all()) {
                CopyState state = pair.state();
                if (!pair.record().getSourceId().equals(sourceId)
                        || state != CopyState.PENDING && state != CopyState.IN_PROGRESS) {
                    continue;
                }
                store.commit(pair, r -> r.toBuilder().setState(CopyState.FAILED.record()).setFailure(why).build());
                pair.stopCopier();
                applyAccess(pair);
                publish(Severity.CRITICAL, "VOLUMECOPY_FAILED", pair, "VolumeCopy operation failed (event 6600): "
                        + store.label(pair) + ": " + why, "stop the pair, and copy again once the source is primary,"
                                + " or copy a FlashCopy of it");
            }
            schedule();
        }
    }

    public int count() {
        return store.count();
    }

    public int inProgress() {
        return (int) store.all().stream().filter(p -> p.state() == CopyState.IN_PROGRESS).count();
    }

    public boolean enabled() {
        return options.enabled();
    }

    /** One line per Failed pair: the seed's Needs-Attention, cleared by stopping the pair (L6201). */
    public List<String> needsAttention() {
        return store.all().stream().filter(p -> p.state() == CopyState.FAILED)
                .map(p -> "VolumeCopy " + store.label(p) + " failed: " + p.record().getFailure()
                        + " (stop it, fix the cause, recopy)")
                .sorted().toList();
    }

    @Override
    public void close() {
        closing = true;
        store.all().forEach(CopyPair::stopCopier);
        for (CopyPair pair : store.all()) {
            Thread copier = pair.copier();
            if (copier != null) {
                try {
                    copier.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    // ---- VolumeLifecycle: what other engines and the VolumeEngine ask ------------------------------

    @Override
    public VolumeDevice wrapStandard(VolumeRecord record, VolumeDevice file) {
        return file;
    }

    @Override
    public void checkDeletable(VolumeRecord record) {
        guards.checkDeletable(record);
    }

    @Override
    public void checkResizable(VolumeRecord record, long newSize) {
        guards.checkResizable(record);
    }

    @Override
    public void checkDataChange(VolumeRecord record, String operation) {
        guards.checkDataChange(record, operation);
    }

    @Override
    public void checkImageRead(VolumeRecord record, String operation) {
        guards.checkImageRead(record, operation);
    }

    /** A volume's delete committed: its pairs (all inactive, see checkDeletable) go with it. */
    @Override
    public void deleted(VolumeRecord record) {
        synchronized (control) {
            List<CopyPair> gone = store.all().stream().filter(p -> p.record().getSourceId().equals(record.getId())
                    || p.record().getTargetId().equals(record.getId())).toList();
            if (gone.isEmpty()) {
                return;
            }
            try {
                store.remove(gone);
            } catch (IOException e) {
                LOG.warning("could not remove the VolumeCopy pairs of deleted volume '" + record.getName()
                        + "' (removed at next start): " + e.getMessage());
                store.forget(gone);
            }
            gone.forEach(this::liftAccess);
        }
    }

    // ---- the copy runs -----------------------------------------------------------------------------

    /** Starts Pending pairs, first come first served, while fewer than the limit are InProgress. */
    private void schedule() {
        if (closing) {
            return;
        }
        List<CopyPair> waiting = store.waiting();
        int running = inProgress();
        for (CopyPair pair : waiting) {
            if (running >= limits.maxCopiesInProgress()) {
                return;
            }
            if (pair.copierRunning()) {
                continue; // the previous run is finishing its last chunk; it calls schedule when it ends
            }
            try {
                store.commit(pair, r -> r.toBuilder().setState(CopyState.IN_PROGRESS.record())
                        .setStartedUnixMillis(System.currentTimeMillis()).setRun(r.getRun() + 1).build());
            } catch (EngineException e) {
                LOG.warning("could not start VolumeCopy " + store.label(pair) + ": " + e.getMessage());
                return;
            }
            running++;
            applyAccess(pair); // the same access, but the reason volumes show names the new state
            publish(Severity.INFO, "VOLUMECOPY_STARTED", pair, "VolumeCopy " + store.label(pair) + " started copying "
                    + Sizes.format(pair.record().getSizeBytes()) + " at priority "
                    + pair.priority().label(), "");
            startCopier(pair);
        }
    }

    private void startCopier(CopyPair pair) {
        VolumeDevice source = volumes.device(pair.record().getSourceId()).orElseThrow();
        VolumeDevice target = volumes.device(pair.record().getTargetId()).orElseThrow();
        pair.setCopied(pair.record().getCopiedBytes());
        CopyPace pace = new CopyPace(pair::priority, System::nanoTime);
        Copier copier = new Copier(pair, source, target, options.io(), pace, copierHost, store.label(pair));
        pair.startCopier(Thread.ofPlatform().name("volumecopy-" + store.name(pair.record().getTargetId())).daemon()
                .unstarted(copier), pace);
    }

    private final Copier.Host copierHost = new Copier.Host() {
        @Override
        public void checkpoint(CopyPair pair, long run, long copied) {
            store.commit(pair, r -> ofRun(r, run) ? r.toBuilder().setCopiedBytes(copied).build() : r);
        }

        @Override
        public void progressed(CopyPair pair, long run, int percent) {
            // One event per tenth: watchers (the operator) see progress without polling the agent.
            publish(Severity.INFO, "VOLUMECOPY_PROGRESS", pair, "VolumeCopy " + store.label(pair) + ": " + percent
                    + "% copied", "");
        }

        @Override
        public void completed(CopyPair pair, long run) {
            synchronized (control) {
                if (closing || !ofRun(pair.record(), run)) {
                    return;
                }
                long now = System.currentTimeMillis();
                store.commit(pair, r -> r.toBuilder().setState(CopyState.COMPLETED.record()).setCompletedUnixMillis(now)
                        .setCopiedBytes(r.getSizeBytes()).build());
                applyAccess(pair);
                long seconds = Math.max(0, (now - pair.record().getStartedUnixMillis()) / 1000);
                publish(Severity.INFO, "VOLUMECOPY_COMPLETED", pair, "VolumeCopy " + store.label(pair) + " completed: "
                        + Sizes.format(pair.record().getSizeBytes()) + " in " + seconds + " s; the"
                        + " target is " + (pair.record().getTargetReadOnly() ? "read-only" : "readable and writable"),
                        "");
                schedule();
            }
        }

        @Override
        public void failed(CopyPair pair, long run, String why) {
            synchronized (control) {
                if (closing || !ofRun(pair.record(), run)) {
                    return;
                }
                store.commit(pair, r -> r.toBuilder().setState(CopyState.FAILED.record()).setFailure(why).build());
                applyAccess(pair);
                String target = store.name(pair.record().getTargetId());
                publish(Severity.CRITICAL, "VOLUMECOPY_FAILED", pair, "VolumeCopy operation failed (event 6600): "
                        + store.label(pair) + ": " + why, "stop the pair ('csctl volumecopy stop " + target + "'), check the"
                                + " source and the target (a failed FlashCopy source, the pool's disk: see the agent's"
                                + " log), then copy again ('csctl volumecopy recopy " + target + "')");
                schedule();
            }
        }

        @Override
        public void ended(CopyPair pair) {
            synchronized (control) {
                schedule();
            }
        }
    };

    private static boolean ofRun(VolumeCopyRecord record, long run) {
        return record.getRun() == run && CopyState.of(record.getState()) == CopyState.IN_PROGRESS;
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /** Host access as the seed's matrix (L4881-4897, L6213, §3.2) for the pair's state. */
    private void applyAccess(CopyPair pair) {
        PairReport.Access access = report.access(pair);
        volumes.restrictHostAccess(pair.record().getSourceId(), owner(pair), access.source(), access.sourceWhy());
        volumes.restrictHostAccess(pair.record().getTargetId(), owner(pair), access.target(), access.targetWhy());
    }

    private void liftAccess(CopyPair pair) {
        volumes.restrictHostAccess(pair.record().getSourceId(), owner(pair),
                HostAccess.READ_WRITE, "");
        volumes.restrictHostAccess(pair.record().getTargetId(), owner(pair),
                HostAccess.READ_WRITE, "");
    }

    private static String owner(CopyPair pair) {
        return "volumecopy:" + pair.id();
    }

    private VolumeCopyInfo info(CopyPair pair) {
        return report.info(pair, store.waiting().indexOf(pair) + 1);
    }

    private VolumeRecord current(VolumeRecord record) {
        return volumes.findById(record.getId()).orElseThrow();
    }

    private String failureOfTargetFlashCopy(CopyPair pair) {
        return "its base '" + store.name(pair.record().getTargetId()) + "' is overwritten by VolumeCopy " + store.label(pair);
    }

    private void publish(Severity severity, String reason, CopyPair pair, String message, String correction) {
        events.publish(severity, reason, "VolumeCopy", store.name(pair.record().getTargetId()), message, correction);
    }
}
