package dev.copyservices.agent.volumecopy;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.pool.catalog.VolumeCopyRecord;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.agent.volume.VolumeEngine;
import dev.copyservices.agent.volume.VolumeRules;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The pairs: in memory for the data path and the checks other engines make without locks, in the
 * catalog for restarts. A pair's record changes only through {@link #commit}, under the pair's monitor,
 * so the copier's checkpoints and the control path's state changes never overwrite each other. Also
 * finds pairs and volumes by the names users give.
 */
final class PairStore {
    private final Pool pool;
    private final Map<String, CopyPair> pairs = new ConcurrentHashMap<>();
    private VolumeEngine volumes;

    PairStore(Pool pool) {
        this.pool = pool;
    }

    /** Loads the catalog's pairs; drops (durably) those naming a volume that is gone. */
    void open(VolumeEngine volumeEngine) throws IOException {
        this.volumes = volumeEngine;
        Set<String> orphans = new LinkedHashSet<>();
        for (VolumeCopyRecord record : pool.catalog().getVolumeCopiesList()) {
            if (volumes.findById(record.getSourceId()).isEmpty() || volumes.findById(record.getTargetId()).isEmpty()) {
                orphans.add(record.getId()); // a volume's delete committed, the pair's removal did not
                continue;
            }
            pairs.put(record.getId(), new CopyPair(record));
        }
        if (!orphans.isEmpty()) {
            delete(orphans);
        }
    }

    Collection<CopyPair> all() {
        return pairs.values();
    }

    /** Pending pairs in the order they start: first come, first served. */
    List<CopyPair> waiting() {
        return pairs.values().stream().filter(p -> p.state() == CopyState.PENDING)
                .sorted(Comparator.comparingLong(p -> p.record().getQueueTicket())).toList();
    }

    CopyPair add(VolumeCopyRecord record) throws IOException {
        pool.update(c -> c.addVolumeCopies(record));
        CopyPair pair = new CopyPair(record);
        pairs.put(record.getId(), pair);
        return pair;
    }

    void remove(Collection<CopyPair> gone) throws IOException {
        delete(new LinkedHashSet<>(gone.stream().map(CopyPair::id).toList()));
        forget(gone);
    }

    /** Drops pairs from memory only (their catalog records are dropped at the next start). */
    void forget(Collection<CopyPair> gone) {
        gone.forEach(p -> pairs.remove(p.id()));
    }

    int count() {
        return pairs.size();
    }

    void commit(CopyPair pair, UnaryOperator<VolumeCopyRecord> change) {
        synchronized (pair) {
            VolumeCopyRecord updated = change.apply(pair.record());
            if (updated.equals(pair.record())) {
                return;
            }
            try {
                pool.update(c -> {
                    for (int i = 0; i < c.getVolumeCopiesCount(); i++) {
                        if (c.getVolumeCopies(i).getId().equals(updated.getId())) {
                            c.setVolumeCopies(i, updated);
                            return;
                        }
                    }
                    throw new IllegalStateException("VolumeCopy " + updated.getId() + " is not in the catalog");
                });
            } catch (IOException e) {
                throw poolError("record VolumeCopy " + label(pair), e);
            }
            pair.setRecord(updated);
        }
    }

    long nextTicket() {
        return pairs.values().stream().mapToLong(p -> p.record().getQueueTicket()).max().orElse(0) + 1;
    }

    /** The pair whose target is named {@code target}, or an error that helps find it. */
    CopyPair require(String target) {
        VolumeRules.checkName(target, "target");
        VolumeRecord volume = volumes.find(target).orElse(null);
        CopyPair pair = volume == null ? null : byTargetId(volume.getId());
        if (pair == null) {
            List<String> targetsOfSource = volume == null ? List.of() : pairs.values().stream()
                    .filter(p -> p.record().getSourceId().equals(volume.getId()))
                    .map(p -> name(p.record().getTargetId())).sorted().toList();
            throw new EngineException(Reason.VOLUMECOPY_NOT_FOUND, "no VolumeCopy pair has '" + target
                    + "' as its target", targetsOfSource.isEmpty() ? "pairs are named by their target; see 'csctl"
                            + " volumecopy list'" : "pairs are named by their target; '" + target + "' is the source"
                                    + " of the pair(s) onto " + String.join(", ", targetsOfSource));
        }
        return pair;
    }

    List<CopyPair> requireAll(List<String> targets) {
        if (targets.isEmpty()) {
            throw new EngineException(Reason.INVALID_COPY_REQUEST, "no pair given", "name one or more pairs by"
                    + " their targets");
        }
        List<CopyPair> chosen = new ArrayList<>();
        for (String target : new LinkedHashSet<>(targets)) {
            chosen.add(require(target));
        }
        return chosen;
    }

    CopyPair byTargetId(String id) {
        return pairs.values().stream().filter(p -> p.record().getTargetId().equals(id)).findFirst().orElse(null);
    }

    /** A volume named in a request as {@code role} ("source", or "" for none), or an error saying what the name is. */
    VolumeRecord volume(String name, String role) {
        return volumes.find(name).orElseThrow(() -> volumes.nameInUse(name)
                ? PairRules.ineligible("'" + name + "' is a FlashCopy repository; a repository can be neither the"
                        + " source nor the target of a copy", "copy the FlashCopy itself, or its base")
                : new EngineException(Reason.VOLUME_NOT_FOUND, (role.isEmpty() ? "" : role + " ") + "volume '" + name
                        + "' does not exist",
                        "check the name with 'csctl volume list'; names are case-sensitive"));
    }

    String name(String volumeId) {
        return volumes.findById(volumeId).map(VolumeRecord::getName).orElse(volumeId);
    }

    /** {@code 'source' -> 'target'}, as messages name a pair. */
    String label(CopyPair pair) {
        return "'" + name(pair.record().getSourceId()) + "' -> '" + name(pair.record().getTargetId()) + "'";
    }

    private void delete(Set<String> ids) throws IOException {
        pool.update(c -> {
            List<VolumeCopyRecord> kept = new ArrayList<>(c.getVolumeCopiesList());
            kept.removeIf(r -> ids.contains(r.getId()));
            c.clearVolumeCopies().addAllVolumeCopies(kept);
        });
    }

    static EngineException poolError(String action, Exception e) {
        if (e instanceof EngineException ee) {
            return ee;
        }
        return new EngineException(Reason.POOL_IO_ERROR, "could not " + action + ": " + e.getMessage(),
                "check the pool directory's disk and permissions, and the agent's log", e);
    }
}
