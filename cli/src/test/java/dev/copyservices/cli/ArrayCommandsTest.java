package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.Capacity;
import dev.copyservices.api.agent.v1.Counts;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.api.agent.v1.Limits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code csctl array show}. */
class ArrayCommandsTest {

    private static final long GIB = 1L << 30;

    private final FakeAgent agent = new FakeAgent();

    @AfterEach
    void stop() {
        agent.close();
    }

    private static Array sample() {
        return Array.newBuilder()
                .setId("a1b2").setName("lab array").setSite("rack 3").setVersion("0.1.0")
                .setNbdEndpoint("10.0.0.5:10809")
                .addEnabledFeatures("flashcopy")
                .setCapacity(Capacity.newBuilder().setPoolTotalBytes(100 * GIB).setPoolFreeBytes(85 * GIB / 2)
                        .setProvisionedBytes(120 * GIB).setAllocatedBytes(3 * GIB))
                .setLimits(Limits.newBuilder().setMaxVolumes(512).setMaxFlashcopiesPerBase(8).setMaxFlashcopies(256)
                        .setMaxCopiesInProgress(4).setMaxMirrors(32))
                .setCounts(Counts.newBuilder().setVolumes(12).setFlashcopies(3).setCopiesInProgress(1).setMirrors(0)
                        .setFlashcopyRelationships(5).setFlashcopyGroups(2).setVolumeCopies(3))
                .build();
    }

    @Test
    void showPrintsIdentityCapacityUsedOfMaxAndCopyModeCounts() {
        agent.array = sample();
        FakeAgent.Result r = agent.run("array", "show");
        assertEquals(0, r.exit(), r.err());
        assertEquals(GetArrayRequest.getDefaultInstance(), agent.last(GetArrayRequest.class));
        assertEquals("""
                Name:                  lab array
                ID:                    a1b2
                Site:                  rack 3
                Version:               0.1.0
                NBD endpoint:          10.0.0.5:10809
                Features:              flashcopy
                Security:              -
                Capacity:
                  Pool:                100 GiB total, 42.5 GiB free
                  Provisioned:         120 GiB
                  Allocated:           3 GiB
                Limits (used / max):
                  Volumes:             12 / 512
                  FlashCopies:         3 / 256 (at most 8 per base volume)
                  Copies in progress:  1 / 4
                  VolumeCopies:        3 (pairs in any state)
                  Mirrors:             0 / 32
                FlashCopy Copy mode:
                  Relationships:       5
                  Groups:              2
                """, r.out());
    }

    @Test
    void whatNeedsAttentionComesFirstOneLineEach() {
        agent.array = sample().toBuilder()
                .addNeedsAttention("VolumeCopy \"db\" -> \"db-copy\" failed: read of \"db\" failed: EIO")
                .addNeedsAttention("FlashCopy \"logs-1\" failed: repository full")
                .build();
        FakeAgent.Result r = agent.run("array", "show");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("""
                NEEDS ATTENTION:       VolumeCopy "db" -> "db-copy" failed: read of "db" failed: EIO
                                       FlashCopy "logs-1" failed: repository full
                Name:                  lab array
                """), r.out());
        assertEquals("", r.err(), "the table shows it; no second copy on stderr");
    }

    @Test
    void whatNeedsAttentionIsAlsoAWarningOnStderrWithJson() throws Exception {
        agent.array = sample().toBuilder().addNeedsAttention("VolumeCopy \"db-copy\" failed").build();
        FakeAgent.Result r = agent.run("-o", "json", "array", "show");
        assertEquals(0, r.exit(), r.err());
        Array.Builder printed = Array.newBuilder();
        JsonFormat.parser().merge(r.out(), printed);
        assertEquals(agent.array, printed.build());
        assertEquals("warning: the array needs attention: VolumeCopy \"db-copy\" failed\n", r.err());
    }

    @Test
    void featuresOutOfComplianceFollowTheEnabledFeatures() {
        agent.array = sample().toBuilder().addFeaturesOutOfCompliance("volumecopy").build();
        String out = agent.run("array", "show").out();
        assertTrue(out.contains("Features:              flashcopy\nOut of compliance:     volumecopy (turned off while"
                + " objects of them exist: those keep working, new ones are refused)\nSecurity:              -\nCapacity:\n"), out);
    }

    @Test
    void aHealthyArrayHasNoAttentionOrComplianceLines() {
        agent.array = sample();
        String out = agent.run("array", "show").out();
        assertFalse(out.contains("ATTENTION") || out.contains("compliance"), out);
    }

    @Test
    void emptyFieldsShowAsDash() {
        String text = ArrayCommands.render(Array.getDefaultInstance());
        assertEquals("Site:                  -", text.lines().filter(l -> l.startsWith("Site")).findFirst().orElseThrow());
    }

    @Test
    void showWithJsonPrintsTheArrayInLowerCamelCase() throws Exception {
        agent.array = sample();
        FakeAgent.Result r = agent.run("array", "show", "-o", "json");
        assertEquals(0, r.exit(), r.err());
        Array.Builder printed = Array.newBuilder();
        JsonFormat.parser().merge(r.out(), printed);
        assertEquals(sample(), printed.build());
        assertTrue(r.out().contains("\"nbdEndpoint\": \"10.0.0.5:10809\""), r.out());
        assertTrue(r.out().contains("\"maxFlashcopiesPerBase\": 8"), r.out());
        assertTrue(r.out().contains("\"flashcopyRelationships\": 5"), r.out());
    }
}
