package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.copyservices.api.agent.v1.CopyOptions;
import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.GroupPair;
import dev.copyservices.api.agent.v1.GroupState;
import dev.copyservices.api.agent.v1.PairState;
import dev.copyservices.api.agent.v1.RelationshipState;
import org.junit.jupiter.api.Test;

/** How Copy-mode values read: options, states, and a group without pairs. */
class CopyModeOutputTest {

    private static CopyOptions options(boolean backgroundCopy, boolean persistent, boolean incremental) {
        return CopyOptions.newBuilder().setBackgroundCopy(backgroundCopy).setPersistent(persistent)
                .setIncremental(incremental).build();
    }

    @Test
    void optionsAreShortInATableAndSpelledOutInDetails() {
        assertEquals("-", RelationshipOutput.shortOptions(options(false, false, false)));
        assertEquals("none", RelationshipOutput.longOptions(options(false, false, false)));
        assertEquals("bg", RelationshipOutput.shortOptions(options(true, false, false)));
        assertEquals("persistent,incremental", RelationshipOutput.shortOptions(options(false, true, true)));
        assertEquals("bg,persistent,incremental", RelationshipOutput.shortOptions(options(true, true, true)));
        assertEquals("background copy, persistent", RelationshipOutput.longOptions(options(true, true, false)));
        // shown as the agent has it, even a combination the agent would refuse
        assertEquals("incremental", RelationshipOutput.longOptions(options(false, false, true)));
    }

    @Test
    void statesAreSingleWordsAndAStateFromANewerAgentIsUnknown() {
        assertEquals("Copying", RelationshipOutput.state(RelationshipState.RELATIONSHIP_COPYING));
        assertEquals("Copied", RelationshipOutput.state(RelationshipState.RELATIONSHIP_COPIED));
        assertEquals("NoBackgroundCopy", RelationshipOutput.state(RelationshipState.RELATIONSHIP_NO_BACKGROUND_COPY));
        assertEquals("Failed", RelationshipOutput.state(RelationshipState.RELATIONSHIP_FAILED));
        assertEquals("-", RelationshipOutput.state(RelationshipState.RELATIONSHIP_STATE_UNSPECIFIED));
        assertEquals("unknown", RelationshipOutput.state(RelationshipState.UNRECOGNIZED));

        assertEquals("Defined", GroupOutput.state(GroupState.GROUP_DEFINED));
        assertEquals("Preparing", GroupOutput.state(GroupState.GROUP_PREPARING));
        assertEquals("TargetAvailable", GroupOutput.state(GroupState.GROUP_TARGET_AVAILABLE));
        assertEquals("Terminating", GroupOutput.state(GroupState.GROUP_TERMINATING));
        assertEquals("unknown", GroupOutput.state(GroupState.UNRECOGNIZED));
        assertEquals("Defined", GroupOutput.state(PairState.PAIR_DEFINED));
        assertEquals("TargetAvailable", GroupOutput.state(PairState.PAIR_TARGET_AVAILABLE));
        assertEquals("unknown", GroupOutput.state(PairState.UNRECOGNIZED));
    }

    @Test
    void aGroupWithoutPairsHasNoPairTable() {
        String text = GroupOutput.render(FlashCopyGroup.newBuilder().setName("empty")
                .setState(GroupState.GROUP_DEFINED).setConsistent(true).build());
        assertEquals("""
                Name:        empty
                State:       Defined
                Options:     none
                Created:     -
                Last flash:  never
                Consistent:  yes
                Copied:      0%
                Pairs:       0
                """, text);
    }

    @Test
    void aDiscoveredPairWithoutAFlashTimeShowsADash() {
        String table = GroupOutput.pairs(java.util.List.of(GroupPair.newBuilder().setSource("db").setTarget("db-copy")
                .setState(PairState.PAIR_TARGET_AVAILABLE).setDiscovered(true)
                .setRelationship(dev.copyservices.api.agent.v1.Relationship.newBuilder().setCopiedPercent(99.99))
                .build()));
        assertEquals("""
                SOURCE  TARGET   STATE            CONSISTENT       FLASH-TIME  COPIED
                db      db-copy  TargetAvailable  no (discovered)  -           99.9%
                """, table);
    }
}
