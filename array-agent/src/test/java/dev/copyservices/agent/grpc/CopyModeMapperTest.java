package dev.copyservices.agent.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.copyservices.agent.flashcopy.CopyOptions;
import dev.copyservices.agent.flashcopy.GroupInfo;
import dev.copyservices.agent.flashcopy.GroupPairInfo;
import dev.copyservices.agent.flashcopy.GroupState;
import dev.copyservices.agent.flashcopy.RelationshipInfo;
import dev.copyservices.agent.flashcopy.RelationshipState;
import dev.copyservices.agent.flashcopy.WithdrawResult;
import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.GroupPair;
import dev.copyservices.api.agent.v1.PairState;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.WithdrawResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Copy-mode engine records to messages, field by field, and requests' options to engine options. */
class CopyModeMapperTest {

    static final Instant POINT_IN_TIME = Instant.parse("2026-03-01T10:15:30.250Z");
    static final Instant ESTABLISHED = Instant.parse("2026-03-01T09:00:00Z");
    static final Instant CREATED = Instant.parse("2026-02-28T08:00:00Z");
    static final CopyOptions ALL = new CopyOptions(true, true, true);

    /** Every field different from its neighbours, so that a swapped setter shows. */
    static RelationshipInfo relationship(String source, String target, String group) {
        return new RelationshipInfo("rel-1", source, target, ALL, RelationshipState.COPYING, POINT_IN_TIME,
                ESTABLISHED, 65536, 1000, 250, true, 7, 3, 900, group, "", 4);
    }

    private static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    private static dev.copyservices.api.agent.v1.CopyOptions allOptions() {
        return dev.copyservices.api.agent.v1.CopyOptions.newBuilder()
                .setBackgroundCopy(true).setPersistent(true).setIncremental(true).build();
    }

    @Test
    void relationshipCarriesEveryField() {
        Relationship expected = Relationship.newBuilder()
                .setId("rel-1").setSource("db").setTarget("db-copy")
                .setOptions(allOptions())
                .setState(dev.copyservices.api.agent.v1.RelationshipState.RELATIONSHIP_COPYING)
                .setPointInTime(ts(POINT_IN_TIME))
                .setEstablished(ts(ESTABLISHED))
                .setRegionBytes(65536).setRegions(1000).setCopiedRegions(250).setCopiedPercent(25.0)
                .setChangesTracked(true).setSourceChangedRegions(7).setTargetChangedRegions(3)
                .setRegionsToCopyAtFlash(900)
                .setGroup("nightly")
                .setFailure("")
                .setFlashCount(4)
                .build();
        assertEquals(expected, CopyModeMapper.toProto(relationship("db", "db-copy", "nightly")));
    }

    @Test
    void relationshipWithoutGroupFailureOrTimesHasEmptyTextAndNoTimestamps() {
        RelationshipInfo bare = new RelationshipInfo("rel-2", "db", "db-copy", new CopyOptions(false, false, false),
                RelationshipState.FAILED, null, null, 65536, 10, 0, false, 0, 0, 10, null, null, 1);
        Relationship r = CopyModeMapper.toProto(bare);
        assertEquals("", r.getGroup());
        assertEquals("", r.getFailure());
        assertFalse(r.hasPointInTime(), "an unknown time is unset, not the epoch");
        assertFalse(r.hasEstablished());
        assertEquals(dev.copyservices.api.agent.v1.CopyOptions.getDefaultInstance(), r.getOptions());
    }

    @Test
    void failedRelationshipCarriesItsFailure() {
        RelationshipInfo failed = new RelationshipInfo("rel-3", "db", "db-copy", ALL, RelationshipState.FAILED,
                POINT_IN_TIME, ESTABLISHED, 65536, 10, 4, true, 0, 0, 10, "", "target write failed: EIO", 1);
        Relationship r = CopyModeMapper.toProto(failed);
        assertEquals(dev.copyservices.api.agent.v1.RelationshipState.RELATIONSHIP_FAILED, r.getState());
        assertEquals("target write failed: EIO", r.getFailure());
    }

    @Test
    void withdrawCarriesTheRelationshipAndWhetherTheTargetIsComplete() {
        RelationshipInfo r = relationship("db", "db-copy", "");
        assertEquals(WithdrawResponse.newBuilder().setRelationship(CopyModeMapper.toProto(r)).setTargetComplete(false)
                .build(), CopyModeMapper.toProto(new WithdrawResult(r, false)));
        assertTrue(CopyModeMapper.toProto(new WithdrawResult(r, true)).getTargetComplete());
    }

    @Test
    void groupCarriesEveryFieldAndItsPairs() {
        Instant flashed = POINT_IN_TIME;
        RelationshipInfo rel = relationship("db", "db-copy", "nightly");
        GroupPairInfo flashedPair = new GroupPairInfo("db", "db-copy", true, true, false, flashed, rel);
        GroupPairInfo definedPair = new GroupPairInfo("logs", "logs-copy", false, false, false, null, null);
        GroupInfo group = new GroupInfo("nightly", GroupState.DEFINED, new CopyOptions(true, true, false), flashed,
                CREATED, List.of(flashedPair, definedPair));

        FlashCopyGroup expected = FlashCopyGroup.newBuilder()
                .setName("nightly")
                .setState(dev.copyservices.api.agent.v1.GroupState.GROUP_DEFINED)
                .setOptions(dev.copyservices.api.agent.v1.CopyOptions.newBuilder().setBackgroundCopy(true)
                        .setPersistent(true))
                .setLastFlash(ts(flashed))
                .addPairs(GroupPair.newBuilder().setSource("db").setTarget("db-copy")
                        .setState(PairState.PAIR_TARGET_AVAILABLE).setConsistent(true).setDiscovered(false)
                        .setFlashTime(ts(flashed)).setRelationship(CopyModeMapper.toProto(rel)))
                .addPairs(GroupPair.newBuilder().setSource("logs").setTarget("logs-copy")
                        .setState(PairState.PAIR_DEFINED))
                .setConsistent(true)
                .setCreated(ts(CREATED))
                .setCopiedPercent(25.0)
                .build();
        assertEquals(expected, CopyModeMapper.toProto(group));
    }

    @Test
    void groupNeverFlashedHasNoLastFlash() {
        GroupInfo fresh = new GroupInfo("nightly", GroupState.DEFINED, ALL, null, CREATED,
                List.of(new GroupPairInfo("db", "db-copy", false, false, false, null, null)));
        FlashCopyGroup g = CopyModeMapper.toProto(fresh);
        assertFalse(g.hasLastFlash(), "never flashed is unset, not the epoch");
        assertTrue(g.hasCreated());
        assertFalse(g.getPairs(0).hasFlashTime());
        assertFalse(g.getPairs(0).hasRelationship());
    }

    @Test
    void discoveredPairHasARelationshipButNoFlashTimeAndMakesTheGroupInconsistent() {
        GroupPairInfo discovered = new GroupPairInfo("db", "db-copy", true, false, true, null,
                relationship("db", "db-copy", "nightly"));
        GroupInfo group = new GroupInfo("nightly", GroupState.TARGET_AVAILABLE, ALL, null, CREATED,
                List.of(discovered));
        FlashCopyGroup g = CopyModeMapper.toProto(group);
        GroupPair pair = g.getPairs(0);
        assertTrue(pair.getDiscovered());
        assertFalse(pair.getConsistent());
        assertFalse(pair.hasFlashTime(), "a discovered pair's flash time is unknown");
        assertTrue(pair.hasRelationship());
        assertEquals(PairState.PAIR_TARGET_AVAILABLE, pair.getState());
        assertFalse(g.getConsistent());
    }

    @Test
    void everyEngineStateHasItsProtoValue() {
        for (RelationshipState s : RelationshipState.values()) {
            assertEquals("RELATIONSHIP_" + s.name(), CopyModeMapper.toProto(s).name());
        }
        for (GroupState s : GroupState.values()) {
            assertEquals("GROUP_" + s.name(), CopyModeMapper.toProto(s).name());
        }
    }

    @Test
    void requestOptionsArePassedAsAskedEvenWhenTheEngineWillRefuseThem() {
        assertEquals(ALL, CopyModeMapper.fromProto(allOptions()));
        assertEquals(new CopyOptions(false, false, false),
                CopyModeMapper.fromProto(dev.copyservices.api.agent.v1.CopyOptions.getDefaultInstance()));
        // the rule "incremental needs persistent" is the engine's; the mapper must not hide the mistake
        assertEquals(new CopyOptions(false, false, true), CopyModeMapper.fromProto(
                dev.copyservices.api.agent.v1.CopyOptions.newBuilder().setIncremental(true).build()));
        for (int bits = 0; bits < 8; bits++) {
            CopyOptions o = new CopyOptions((bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0);
            assertEquals(o, CopyModeMapper.fromProto(CopyModeMapper.toProto(o)));
        }
    }
}
