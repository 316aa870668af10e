package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.flashcopy.RegionMap.Kind;
import dev.copyservices.agent.pool.catalog.CopyRelationshipRecord;
import java.time.Instant;
import java.util.function.Function;

/** A live relationship as the API reports it. */
final class RelationshipReport {
    private RelationshipReport() {
    }

    static RelationshipInfo info(CopyRelationship relationship, Function<String, String> nameOf) {
        CopyRelationshipRecord r = relationship.record();
        RegionMap map = relationship.map();
        long copied = map.count(Kind.COPIED);
        return new RelationshipInfo(r.getId(), nameOf.apply(r.getSourceId()), nameOf.apply(r.getTargetId()),
                CopyRelationships.options(r), state(relationship, copied), Instant.ofEpochMilli(
                        r.getPointInTimeUnixMillis()), Instant.ofEpochMilli(r.getEstablishedUnixMillis()),
                r.getRegionBytes(), map.regions(), copied, r.getIncremental(),
                r.getIncremental() ? map.count(Kind.SOURCE_CHANGED) : 0,
                r.getIncremental() ? map.count(Kind.TARGET_CHANGED) : 0,
                r.getRegionsToCopyAtFlash(), r.getGroup(), r.getFailure(), r.getFlashCount());
    }

    private static RelationshipState state(CopyRelationship relationship, long copied) {
        if (relationship.failed()) {
            return RelationshipState.FAILED;
        }
        if (copied >= relationship.map().regions()) {
            return RelationshipState.COPIED;
        }
        return relationship.record().getBackgroundCopy() ? RelationshipState.COPYING
                : RelationshipState.NO_BACKGROUND_COPY;
    }
}
