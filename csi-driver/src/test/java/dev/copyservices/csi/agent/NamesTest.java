package dev.copyservices.csi.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class NamesTest {
    @Test
    void agentNamesAreStableShortAndDifferPerRequestName() {
        String name = Names.volumeName("pvc-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        assertEquals(name, Names.volumeName("pvc-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"));
        assertEquals(30, name.length());
        assertTrue(name.matches("csi-[a-z2-7]{26}"), name);
        assertNotEquals(name, Names.volumeName("pvc-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f1"));
        String snapshot = Names.snapshotName("snapshot-1");
        assertTrue(Names.repositoryName(snapshot).length() <= 30, "the repository name fits the agent's 30 characters");
    }

    @Test
    void idsSplitIntoArrayAndNameAndOtherStringsAreNotIds() {
        assertEquals(Optional.of(new Names.Ref("array-1", "csi-abc")), Names.parse("array-1/csi-abc"));
        assertEquals("array-1/csi-abc", Names.parse("array-1/csi-abc").orElseThrow().id());
        for (String notAnId : new String[] {"", "plain", "/x", "x/", "a/b/c"}) {
            assertEquals(Optional.empty(), Names.parse(notAnId), notAnId);
        }
    }
}
