package dev.copyservices.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRecordsTest {
    private static ProcessHandle sleeper() throws Exception {
        return new ProcessBuilder("sleep", "600").start().toHandle();
    }

    @Test
    void aRecordedProcessIsFoundAgainAndStoppedTogetherWithTheOthers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("processes.properties");
        ProcessHandle one = sleeper();
        ProcessHandle two = sleeper();
        ProcessRecords records = ProcessRecords.load(file);
        records.put("node-1", one);
        records.put("operator", two);
        ProcessRecords loaded = ProcessRecords.load(file);
        assertEquals(List.of("node-1", "operator"), loaded.components());
        assertEquals(one.pid(), loaded.alive("node-1").orElseThrow().pid());

        loaded.stop(List.of("node-1", "operator"), false);
        assertFalse(one.isAlive());
        assertFalse(two.isAlive());
        assertEquals(List.of(), ProcessRecords.load(file).components());
    }

    @Test
    void aPidReusedByAnotherProcessIsNotTakenForTheRecordedOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("processes.properties");
        ProcessHandle other = sleeper();
        try {
            // the record says the pid started at another time than the process that has it now
            Files.writeString(file, "order=node-1\nnode-1=" + other.pid() + "@1\n");
            ProcessRecords records = ProcessRecords.load(file);
            assertTrue(records.alive("node-1").isEmpty());
            records.stop(List.of("node-1"), true);
            assertTrue(other.isAlive(), "stop must not signal a process it did not start");
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void anUnknownSiteIsRefusedNamingTheSites() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Layout.requireSite("site-c"));
        assertTrue(e.getMessage().contains("site-a and site-b"), e.getMessage());
        assertEquals("site-b", Layout.peerSite("site-a"));
    }
}
