package dev.copyservices.agent.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The server driven by real NBD clients run as separate processes. */
class NbdRealClientsTest extends NbdServerTestBase {

    @Test
    void qemuIoWritesAPatternAndReadsItBack() throws Exception {
        volume("vol", SIZE, false);
        start();
        ExternalTool.Result r = ExternalTool.run("qemu-io", "-f", "raw", uri("vol"),
                "-c", "write -P 0xab 0 1M", "-c", "read -P 0xab 0 1M", "-c", "read -P 0 1M 1M");
        assertEquals(0, r.exitCode(), r.output());
        assertFalse(r.output().contains("Pattern verification failed"), r.output());
        assertFalse(r.output().contains("failed"), r.output());
        byte[] data = fileBytes("vol");
        for (int i = 0; i < 1 << 20; i++) {
            if (data[i] != (byte) 0xab) {
                throw new AssertionError("byte " + i + " not written");
            }
        }
        assertEquals(0, data[1 << 20], "write went past its range");
        await("qemu-io's hold is released", () -> registry.volume("vol").holds.get() == 0);
    }

    @Test
    void qemuIoSeesZeroesAfterWriteZeroesAndDiscard() throws Exception {
        volume("vol", SIZE, false);
        start();
        ExternalTool.Result r = ExternalTool.run("qemu-io", "-f", "raw", uri("vol"),
                "-c", "write -P 0x5a 0 256k", "-c", "write -z 0 64k", "-c", "discard 64k 64k",
                "-c", "read -P 0 0 128k", "-c", "read -P 0x5a 128k 128k", "-c", "flush");
        assertEquals(0, r.exitCode(), r.output());
        assertFalse(r.output().contains("failed"), r.output());
    }

    @Test
    void qemuIoCannotWriteToAReadOnlyExport() throws Exception {
        volume("ro", SIZE, true);
        start();
        ExternalTool.Result r = ExternalTool.run("qemu-io", "-f", "raw", "-r", uri("ro"),
                "-c", "read -P 0 0 64k");
        assertEquals(0, r.exitCode(), r.output());
        ExternalTool.Result w = ExternalTool.run("qemu-io", "-f", "raw", uri("ro"), "-c", "write -P 1 0 4k");
        assertTrue(w.exitCode() != 0 || w.output().toLowerCase().contains("read-only")
                || w.output().contains("Operation not permitted"), w.output());
        assertEquals(0, fileBytes("ro")[0], "read-only export was modified");
    }

    @Test
    void nbdinfoReportsSizeReadOnlyFlagAndBlockSizes() throws Exception {
        volume("rw", 3 * SIZE, false);
        volume("ro", SIZE, true);
        start();
        ExternalTool.Result rw = ExternalTool.run("nbdinfo", "--json", uri("rw"));
        assertEquals(0, rw.exitCode(), rw.output());
        assertEquals(3 * SIZE, jsonLong(rw.output(), "export-size"));
        assertEquals("false", jsonValue(rw.output(), "is_read_only"));
        assertEquals(1, jsonLong(rw.output(), "block_size_minimum"));
        assertEquals(4096, jsonLong(rw.output(), "block_size_preferred"));
        assertEquals(32L << 20, jsonLong(rw.output(), "block_size_maximum"));
        assertEquals("true", jsonValue(rw.output(), "can_flush"));
        assertEquals("true", jsonValue(rw.output(), "can_fua"));
        assertEquals("true", jsonValue(rw.output(), "can_trim"));
        assertEquals("true", jsonValue(rw.output(), "can_zero"));
        assertEquals("true", jsonValue(rw.output(), "can_multi_conn"));
        assertEquals("false", jsonValue(rw.output(), "structured"));
        assertEquals("\"test volume rw\"", jsonValue(rw.output(), "description"));

        ExternalTool.Result ro = ExternalTool.run("nbdinfo", "--json", uri("ro"));
        assertEquals(0, ro.exitCode(), ro.output());
        assertEquals(SIZE, jsonLong(ro.output(), "export-size"));
        assertEquals("true", jsonValue(ro.output(), "is_read_only"));
    }

    @Test
    void nbdinfoFailsOnAnUnknownExport() throws Exception {
        volume("vol", SIZE, false);
        start();
        ExternalTool.Result r = ExternalTool.run("nbdinfo", "--json", uri("nope"));
        assertNotEquals(0, r.exitCode(), r.output());
    }

    @Test
    void nbdinfoListShowsEveryExport() throws Exception {
        volume("alpha", SIZE, false);
        volume("beta", 2 * SIZE, true);
        start();
        ExternalTool.Result r = ExternalTool.run("nbdinfo", "--list", "--json", "nbd://127.0.0.1:" + server.port());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("\"export-name\": \"alpha\""), r.output());
        assertTrue(r.output().contains("\"export-name\": \"beta\""), r.output());
        assertTrue(r.output().contains("\"description\": \"test volume beta\""), r.output());
        assertTrue(r.output().contains("\"export-size\": " + 2 * SIZE), r.output());
    }

    @Test
    void nbdcopyCopiesAVolumeInAndOutByteForByte() throws Exception {
        volume("vol", SIZE, false);
        start();
        byte[] content = new byte[(int) SIZE];
        new Random(42).nextBytes(content);
        Arrays.fill(content, 1 << 20, 2 << 20, (byte) 0); // a zero run, which nbdcopy may send as zeroes
        Path source = dir.resolve("source.bin");
        Files.write(source, content);

        ExternalTool.Result in = ExternalTool.run("nbdcopy", "--connections=2", source.toString(), uri("vol"));
        assertEquals(0, in.exitCode(), in.output());
        assertArrayEquals(content, fileBytes("vol"), "copy into the volume differs");

        Path target = dir.resolve("target.bin");
        ExternalTool.Result out = ExternalTool.run("nbdcopy", uri("vol"), target.toString());
        assertEquals(0, out.exitCode(), out.output());
        assertArrayEquals(content, Files.readAllBytes(target), "copy out of the volume differs");
    }

    private static String jsonValue(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":\\s*(\"[^\"]*\"|[^,\\s}]+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no " + key + " in " + json);
        }
        return m.group(1);
    }

    private static long jsonLong(String json, String key) {
        return Long.parseLong(jsonValue(json, key));
    }
}
