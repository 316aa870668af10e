package dev.copyservices.agent.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.pool.catalog.MirrorRecord;
import dev.copyservices.agent.pool.catalog.MirrorRoleRecord;
import dev.copyservices.api.agent.v1.MemberStatus;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorState;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a member makes of its peer's status when exchanges arrive out of order. A heartbeat's request
 * is built before its call waits for the peer to come back, so a role change made meanwhile (a forced
 * promotion while the peer is gone) leaves a status with the old role in flight; the returning peer
 * may hear it after a newer one. The statuses are handed to the member in the order the agent saw
 * them in issue 6 (ConsistencyGroupOrderIT's log), so the race needs no timing here.
 */
class MemberPeerStatusTest {
    private static final int REGION = 64 << 10;
    private static final String MIRROR = "m-1";

    @TempDir
    Path dir;
    private ChangeMap map;

    @AfterEach
    void closeMap() throws IOException {
        if (map != null) {
            map.close();
        }
    }

    @Test
    void aStatusFromBeforeThePeersForcedPromotionDoesNotEndADualPrimary() throws IOException {
        Member returning = member(MirrorRoleRecord.MR_PRIMARY, 1); // the old primary, back from kill -9
        returning.heardFromPeer(status(MirrorRole.PRIMARY, 2)); // its first exchange: the peer was promoted
        assertTrue(returning.dualRole(), "two primaries are a dual role");

        // the peer's heartbeat request built before its promotion, delivered once this agent listens again
        returning.heardFromPeer(status(MirrorRole.SECONDARY, 1));

        assertTrue(returning.dualRole(), "an out-of-date status ended the dual role; the member would resync"
                + " toward the other primary");
        assertEquals(MirrorState.DUAL_PRIMARY, returning.state());
        assertEquals(MirrorRole.PRIMARY, returning.peer().getRole(), "the older status replaced the newer one");
    }

    @Test
    void aStatusFromBeforeThePeersForcedDemotionDoesNotEndADualSecondary() throws IOException {
        Member secondary = member(MirrorRoleRecord.MR_SECONDARY, 1);
        secondary.heardFromPeer(status(MirrorRole.SECONDARY, 2));
        assertTrue(secondary.dualRole(), "two secondaries are a dual role");

        secondary.heardFromPeer(status(MirrorRole.PRIMARY, 1));

        assertTrue(secondary.dualRole(), "an out-of-date status ended the dual role");
        assertEquals(MirrorState.DUAL_SECONDARY, secondary.state());
    }

    @Test
    void thePeersRoleChangeThatResolvesTheConflictEndsIt() throws IOException {
        Member kept = member(MirrorRoleRecord.MR_PRIMARY, 2);
        kept.heardFromPeer(status(MirrorRole.PRIMARY, 2));
        assertTrue(kept.dualRole());

        kept.heardFromPeer(status(MirrorRole.SECONDARY, 3)); // an administrator demoted the peer

        assertFalse(kept.dualRole(), "the peer's demotion resolves the dual primary");
    }

    @Test
    void statusesOfTheSameGenerationAreAllHeard() throws IOException {
        Member primary = member(MirrorRoleRecord.MR_PRIMARY, 1);
        primary.heardFromPeer(status(MirrorRole.SECONDARY, 1).toBuilder().setOutOfSyncBytes(REGION).build());
        primary.heardFromPeer(status(MirrorRole.SECONDARY, 1));

        assertFalse(primary.dualRole());
        assertEquals(0, primary.peer().getOutOfSyncBytes(), "the later status of the same generation was dropped");
    }

    @Test
    void aPeerThatNoLongerKnowsTheMirrorIsHeardWhateverTheGenerationBefore() throws IOException {
        Member primary = member(MirrorRoleRecord.MR_PRIMARY, 1);
        primary.heardFromPeer(status(MirrorRole.PRIMARY, 4));

        primary.heardFromPeer(MemberStatus.newBuilder().setMirrorId(MIRROR).setKnown(false).build());

        assertFalse(primary.peerKnows(), "the peer removed its member; its reply carries no generation");
        assertFalse(primary.dualRole());
    }

    private Member member(MirrorRoleRecord role, long generation) throws IOException {
        map = ChangeMap.create(dir.resolve(MIRROR + ".map"), 16L * REGION, REGION, false);
        MirrorRecord record = MirrorRecord.newBuilder().setId(MIRROR).setVolumeId("v-1").setRole(role)
                .setGeneration(generation).setCapacityBytes(16L * REGION).setRegionBytes(REGION).build();
        return new Member(null, record, map); // what is tested here never reaches the engine
    }

    private static MemberStatus status(MirrorRole role, long generation) {
        return MemberStatus.newBuilder().setMirrorId(MIRROR).setKnown(true).setRole(role).setGeneration(generation)
                .setState(role == MirrorRole.PRIMARY ? MirrorState.DUAL_PRIMARY : MirrorState.UNRESPONSIVE).build();
    }
}
