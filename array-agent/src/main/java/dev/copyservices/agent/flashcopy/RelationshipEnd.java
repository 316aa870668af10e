package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.events.EventSink.Severity;
import dev.copyservices.agent.pool.catalog.Catalog;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * How relationships end: withdrawn (alone or by a group's terminate) or, for a non-persistent one,
 * by itself once its background copy completes.
 *
 * <p>Seed 000 describes hardware that discards the target's cached writes when a relationship is
 * withdrawn. Here the target's writes go to its own file from the moment they are acknowledged;
 * ending a relationship takes the gates exclusively, which waits for writes in flight, and then only
 * removes the redirection of uncopied regions. Nothing the target acknowledged is dropped. What a
 * withdraw can lose is the source's image in regions never copied, so that needs {@code force}, and
 * the target then carries a note that it is incomplete.
 */
final class RelationshipEnd {
    private static final Logger LOG = Logger.getLogger(RelationshipEnd.class.getName());

    private final CopyRelationships engine;

    RelationshipEnd(CopyRelationships engine) {
        this.engine = engine;
    }

    /**
     * Caller holds the control lock. {@code alsoCommit} joins the catalog commit (a group's pairs);
     * {@code copyCommand} is the command that starts the background copy of what is withdrawn.
     */
    List<WithdrawResult> withdraw(List<CopyRelationship> relationships, boolean force,
            Consumer<Catalog.Builder> alsoCommit, String copyCommand) {
        List<CopyRelationship> incomplete = relationships.stream().filter(r -> !r.complete()).toList();
        if (!incomplete.isEmpty() && !force) {
            List<String> which = incomplete.stream().map(r -> engine.label(r) + " (" + CopyRelationships.percent(r)
                    + " copied" + (r.failed() ? ", failed" : "") + ")").toList();
            boolean failed = incomplete.stream().anyMatch(CopyRelationship::failed);
            throw new EngineException(Reason.BACKGROUND_COPY_INCOMPLETE, "not every region is copied yet: "
                    + String.join(", ", which) + "; withdrawing now would leave the target"
                    + (incomplete.size() > 1 ? "s" : "") + " without the source's point-in-time image in the uncopied"
                    + " regions", failed ? "a failed relationship's image is lost: repeat with --force, then flash"
                            + " again" : "start the background copy ('" + copyCommand + "') and repeat once it"
                                    + " completes, or repeat with --force to keep an incomplete copy");
        }
        List<WithdrawResult> results = end(relationships, alsoCommit, true);
        for (WithdrawResult result : results) {
            RelationshipInfo info = result.relationship();
            if (result.targetComplete()) {
                engine.events.publish(Severity.INFO, "FLASHCOPY_WITHDRAWN", "FlashCopyRelationship", info.target(),
                        "FlashCopy relationship '" + info.source() + "' -> '" + info.target() + "' withdrawn; the"
                                + " target is a complete copy as of " + info.pointInTime(), "");
            } else {
                engine.events.publish(Severity.WARNING, "FLASHCOPY_TARGET_INCOMPLETE", "Volume", info.target(),
                        "FlashCopy relationship '" + info.source() + "' -> '" + info.target() + "' withdrawn by force"
                                + " with " + (info.regions() - info.copiedRegions()) + " of " + info.regions()
                                + " regions uncopied: the target is an incomplete copy",
                        "do not use '" + info.target() + "' as a copy of '" + info.source() + "'; flash it again"
                                + " for a complete one");
            }
        }
        return results;
    }

    /** A non-persistent relationship whose background copy completed; caller holds the control lock. */
    void endCompleted(CopyRelationship relationship) {
        try {
            WithdrawResult result = end(List.of(relationship), c -> {
            }, false).get(0);
            engine.events.publish(Severity.INFO, "FLASHCOPY_RELATIONSHIP_ENDED", "FlashCopyRelationship",
                    result.relationship().target(), "background copy of '" + result.relationship().source()
                            + "' -> '" + result.relationship().target() + "' completed; the relationship ended by"
                            + " itself (not persistent) and the target is a complete copy as of "
                            + result.relationship().pointInTime(), "");
        } catch (RuntimeException e) {
            LOG.warning("ending completed relationship " + engine.label(relationship) + " failed (tried again at"
                    + " next start): " + e.getMessage());
        }
    }

    private List<WithdrawResult> end(List<CopyRelationship> relationships, Consumer<Catalog.Builder> alsoCommit,
            boolean clearGroupPairs) {
        for (CopyRelationship r : relationships) {
            engine.copies.stop(r.id()); // before any gate: a copier waits on gates, and we would wait on it
        }
        List<RelationshipInfo> before = relationships.stream().map(engine::report).toList();
        List<CowBase> gates = gates(relationships);
        gates.forEach(g -> g.gate.writeLock().lock());
        try {
            // writes in flight on every target and source have finished; what they wrote stays
            for (int i = 0; i < relationships.size(); i++) {
                CopyRelationship r = relationships.get(i);
                if (!r.complete()) {
                    RelationshipInfo info = engine.report(r);
                    String note = "a forced withdraw of the FlashCopy relationship from '" + info.source() + "' ("
                            + "point in time " + info.pointInTime().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ") at "
                            + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " left "
                            + (info.regions() - info.copiedRegions()) + " of " + info.regions() + " regions of "
                            + info.regionBytes() / 1024 + " KiB uncopied; they hold what the volume held before";
                    engine.volumes.mutate(r.record().getTargetId(), v -> v.toBuilder().setIncompleteCopy(note).build());
                }
            }
            Set<String> ids = new HashSet<>();
            relationships.forEach(r -> ids.add(r.id()));
            engine.pool.update(c -> {
                List<dev.copyservices.agent.pool.catalog.CopyRelationshipRecord> kept =
                        new ArrayList<>(c.getRelationshipsList());
                kept.removeIf(r -> ids.contains(r.getId()));
                c.clearRelationships().addAllRelationships(kept);
                if (clearGroupPairs) {
                    relationships.forEach(r -> FlashCopyGroups.forgetFlash(c, r.record()));
                }
                alsoCommit.accept(c);
            });
            for (CopyRelationship r : relationships) {
                r.source().deactivate(r);
                r.target().setImage(null);
                engine.byId.remove(r.id());
            }
        } catch (IOException e) {
            relationships.forEach(r -> {
                if (engine.byId.containsKey(r.id()) && r.record().getBackgroundCopy() && !r.failed()) {
                    engine.copies.start(r.id(), engine.name(r.record().getTargetId()));
                }
            });
            throw CopyRelationships.poolError("withdraw " + String.join(", ", relationships.stream()
                    .map(engine::label).toList()), e);
        } finally {
            for (int i = gates.size() - 1; i >= 0; i--) {
                gates.get(i).gate.writeLock().unlock();
            }
        }
        for (CopyRelationship r : relationships) {
            engine.discardMap(r.map());
        }
        List<WithdrawResult> results = new ArrayList<>();
        for (RelationshipInfo info : before) {
            results.add(new WithdrawResult(info, info.complete()));
        }
        return results;
    }

    /** Targets' gates first, then sources', each by id: the order the flash takes them in. */
    private List<CowBase> gates(List<CopyRelationship> relationships) {
        Set<String> targets = new LinkedHashSet<>();
        Set<String> sources = new LinkedHashSet<>();
        for (CopyRelationship r : relationships) {
            targets.add(r.record().getTargetId());
            sources.add(r.record().getSourceId());
        }
        List<String> ordered = new ArrayList<>(targets.stream().sorted(Comparator.naturalOrder()).toList());
        sources.stream().filter(s -> !targets.contains(s)).sorted().forEach(ordered::add);
        return ordered.stream().map(engine::cow).toList();
    }
}
