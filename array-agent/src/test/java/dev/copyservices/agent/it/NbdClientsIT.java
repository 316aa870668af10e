package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.GetVolumeRequest;
import dev.copyservices.api.agent.v1.UpdateVolumeRequest;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real agent's volumes driven by real NBD clients: qemu-io, nbdinfo, nbdcopy. */
class NbdClientsIT {
    private static final long MIB = 1 << 20;

    @TempDir
    static Path pool;
    @TempDir
    static Path scratch;
    private static AgentProcess agent;
    private static VolumeServiceGrpc.VolumeServiceBlockingStub volumes;

    @BeforeAll
    static void start() throws Exception {
        agent = AgentProcess.start(pool);
        volumes = VolumeServiceGrpc.newBlockingStub(agent.channel());
    }

    @AfterAll
    static void stop() throws Exception {
        agent.close();
    }

    private static void create(String name, long size) {
        volumes.withDeadlineAfter(30, TimeUnit.SECONDS)
                .createVolume(CreateVolumeRequest.newBuilder().setName(name).setSizeBytes(size).build());
    }

    @Test
    void qemuIoWritesPatternsAndReadsThemBack() throws Exception {
        create("patterns", 64 * MIB);
        String uri = agent.nbdUri("patterns");
        Tools.qemuIoOk(uri, List.of("write -P 0xa5 0 1M", "write -P 0x5a 32M 4M", "write -P 0x11 63M 1M",
                "write -P 0x33 5242881 3", "flush"));
        Tools.qemuIoOk(uri, List.of("read -P 0xa5 0 1M", "read -P 0x5a 32M 4M", "read -P 0x11 63M 1M",
                "read -P 0x33 5242881 3", "read -P 0 8M 1M"));
        // and a reader that expects the wrong bytes notices, so the checks above mean something
        assertTrue(Tools.qemuIo(uri, List.of("read -P 0xa6 0 1M")).output().contains("Pattern verification failed"));
    }

    @Test
    void writeZeroesAndTrimReadBackAsZeroes() throws Exception {
        create("zeroes", 16 * MIB);
        String uri = agent.nbdUri("zeroes");
        Tools.qemuIoOk(uri, List.of("write -P 0x77 0 8M", "write -z 1M 1M", "write -z -u 3M 1M", "read -P 0 1M 1M",
                "read -P 0 3M 1M", "read -P 0x77 2M 1M", "write -z -f 5M 64k", "read -P 0 5M 64k"));
    }

    @Test
    void nbdinfoShowsSizeAndFlags() throws Exception {
        create("info vol", 48 * MIB);
        String json = Tools.run("nbdinfo", "--json", agent.nbdUri("info vol")).assertOk("nbdinfo").output();
        assertEquals(48 * MIB, number(json, "export-size"));
        assertEquals(4096, number(json, "block_size_preferred"));
        assertEquals(1, number(json, "block_size_minimum"));
        assertEquals(32 * MIB, number(json, "block_size_maximum"));
        for (String flag : List.of("can_flush", "can_fua", "can_trim", "can_zero", "can_multi_conn")) {
            assertTrue(json.matches("(?s).*\"" + flag + "\": true.*"), flag + " missing in " + json);
        }
        assertTrue(json.matches("(?s).*\"is_read_only\": false.*"), json);
    }

    @Test
    void nbdinfoListsEveryVolume() throws Exception {
        create("listed-a", MIB);
        create("listed-b", MIB);
        String list = Tools.run("nbdinfo", "--list", "nbd://127.0.0.1:" + agent.nbdPort()).assertOk("nbdinfo --list")
                .output();
        assertTrue(list.contains("listed-a") && list.contains("listed-b"), list);
    }

    @Test
    void readOnlyVolumeIsAdvertisedAndRefusesWritesWithEperm() throws Exception {
        create("golden", 8 * MIB);
        String uri = agent.nbdUri("golden");
        Tools.qemuIoOk(uri, List.of("write -P 0x42 0 1M"));
        volumes.updateVolume(UpdateVolumeRequest.newBuilder().setName("golden").setReadOnly(true).build());

        String json = Tools.run("nbdinfo", "--json", uri).assertOk("nbdinfo").output();
        assertTrue(json.matches("(?s).*\"is_read_only\": true.*"), json);
        // the client sees the flag and refuses before sending (the wire-level EPERM answer is covered by
        // NbdServer's raw-socket tests, which can send what a well-behaved client will not)
        Tools.Result write = Tools.qemuIo(uri, List.of("write -P 0x43 0 1M"));
        assertTrue(write.exitCode() != 0 || write.output().contains("failed"), write.output());
        Tools.qemuIoOk(true, uri, List.of("read -P 0x42 0 1M"));
        volumes.updateVolume(UpdateVolumeRequest.newBuilder().setName("golden").setReadOnly(false).build());
        Tools.qemuIoOk(uri, List.of("write -P 0x44 0 1M", "read -P 0x44 0 1M"));
    }

    @Test
    void nbdcopyCopiesAVolumeInAndOutByteForByte() throws Exception {
        create("copy target", 32 * MIB);
        byte[] data = new byte[(int) (32 * MIB)];
        new Random(7).nextBytes(data);
        // leave a hole so sparse handling is exercised too
        java.util.Arrays.fill(data, (int) (8 * MIB), (int) (12 * MIB), (byte) 0);
        Path in = scratch.resolve("in.img");
        Path out = scratch.resolve("out.img");
        Files.write(in, data);
        String uri = agent.nbdUri("copy target");
        Tools.run("nbdcopy", in.toString(), uri).assertOk("nbdcopy in");
        Tools.run("nbdcopy", uri, out.toString()).assertOk("nbdcopy out");
        assertArrayEquals(data, Files.readAllBytes(out));
        assertEquals(0, volumes.getVolume(GetVolumeRequest.newBuilder().setName("copy target").build())
                .getNbdConnections(), "connections were not released");
    }

    @Test
    void unknownExportIsRefusedAndTheAgentGoesOnServing() throws Exception {
        create("still-here", MIB);
        Tools.Result missing = Tools.run("nbdinfo", agent.nbdUri("no-such-volume"));
        assertNotEquals(0, missing.exitCode());
        Tools.qemuIoOk(agent.nbdUri("still-here"), List.of("write -P 1 0 4k", "read -P 1 0 4k"));
    }

    private static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": (\\d+)").matcher(json);
        assertTrue(m.find(), key + " missing in " + json);
        return Long.parseLong(m.group(1));
    }
}
