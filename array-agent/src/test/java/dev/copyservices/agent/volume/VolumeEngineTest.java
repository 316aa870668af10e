package dev.copyservices.agent.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.nbd.Export;
import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.nbd.ExportRefusedException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeEngineTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;
    private Pool pool;
    private VolumeEngine engine;

    private VolumeEngine open(ArrayLimits limits) throws IOException {
        pool = Pool.open(dir, "test-array", "site-a");
        engine = VolumeEngine.open(pool, limits);
        return engine;
    }

    /** Opens the export as an NBD client on this machine would, attaching the volume to it first. */
    private Optional<Export> connect(String name, Runnable onRevoke) {
        engine.attach(name, "test-host", List.of("127.0.0.1"));
        try {
            return engine.exports().open(name, InetAddress.getLoopbackAddress(), onRevoke);
        } catch (ExportRefusedException e) {
            throw new AssertionError(e);
        }
    }

    private void reopen() throws IOException {
        engine.close();
        pool.close();
        open(ArrayLimits.defaults());
    }

    @AfterEach
    void closeAll() throws IOException {
        if (engine != null) {
            engine.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    private static EngineException refused(Reason reason, Runnable call) {
        EngineException e = assertThrows(EngineException.class, call::run);
        assertEquals(reason, e.reason(), e.getMessage());
        assertFalse(e.correction().isBlank());
        return e;
    }

    @Test
    void createdVolumeIsThinAndSurvivesRestart() throws IOException {
        open(ArrayLimits.defaults());
        VolumeInfo created = engine.create("data 1", 1L << 40, false, Map.of("k8s/pvc", "ns/claim"));
        assertEquals(1L << 40, created.sizeBytes());
        assertTrue(created.allocatedBytes() < MIB, "a new 1 TiB volume allocated " + created.allocatedBytes());

        reopen();
        VolumeInfo again = engine.get("data 1");
        assertEquals(created.id(), again.id());
        assertEquals(1L << 40, again.sizeBytes());
        assertEquals(Map.of("k8s/pvc", "ns/claim"), again.attributes());
        assertEquals(created.created(), again.created());
    }

    @Test
    void createWithSameNameAndSizeReturnsTheExistingVolume() throws IOException {
        open(ArrayLimits.defaults());
        VolumeInfo first = engine.create("v", MIB, false, Map.of());
        assertEquals(first.id(), engine.create("v", MIB, false, Map.of()).id());
        EngineException e = refused(Reason.VOLUME_EXISTS, () -> engine.create("v", 2 * MIB, false, Map.of()));
        assertTrue(e.getMessage().contains("1 MiB"), e.getMessage());
        assertEquals(1, engine.count());
    }

    @Test
    void badNamesSizesAndAttributesAreRefusedAndChangeNothing() throws IOException {
        open(ArrayLimits.defaults());
        refused(Reason.INVALID_NAME, () -> engine.create("", MIB, false, Map.of()));
        refused(Reason.INVALID_NAME, () -> engine.create("a".repeat(31), MIB, false, Map.of()));
        refused(Reason.INVALID_NAME, () -> engine.create("slash/no", MIB, false, Map.of()));
        refused(Reason.INVALID_NAME, () -> engine.create(" padded", MIB, false, Map.of()));
        refused(Reason.INVALID_SIZE, () -> engine.create("v", 0, false, Map.of()));
        refused(Reason.INVALID_SIZE, () -> engine.create("v", 1000, false, Map.of()));
        refused(Reason.INVALID_SIZE, () -> engine.create("v", Long.MAX_VALUE - 511, false, Map.of()));
        refused(Reason.INVALID_ATTRIBUTE, () -> engine.create("v", MIB, false, Map.of("bad key", "x")));
        refused(Reason.INVALID_NAME, () -> engine.get(""));
        refused(Reason.INVALID_NAME, () -> engine.delete("", true));
        assertEquals(0, engine.count());
        assertEquals(Set.of(), pool.directory().dataFileIds());
        engine.create("a".repeat(30), MIB, false, Map.of());
        engine.create("Ok-name_1.x y", MIB, false, Map.of());
    }

    @Test
    void volumeLimitIsEnforcedWithTheLimitInTheMessage() throws IOException {
        open(new ArrayLimits(2, 4, 1, 8, 64));
        engine.create("a", MIB, false, Map.of());
        engine.create("b", MIB, false, Map.of());
        EngineException e = refused(Reason.VOLUME_LIMIT_REACHED, () -> engine.create("c", MIB, false, Map.of()));
        assertTrue(e.getMessage().contains("2"), e.getMessage());
        engine.delete("a", false);
        engine.create("c", MIB, false, Map.of());
    }

    @Test
    void resizeGrowsKeepsDataAndRefusesShrink() throws IOException {
        open(ArrayLimits.defaults());
        engine.create("v", MIB, false, Map.of());
        Export export = connect("v", () -> { }).orElseThrow();
        export.device().write(MIB - 4, ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
        export.close();

        assertEquals(4 * MIB, engine.resize("v", 4 * MIB).sizeBytes());
        refused(Reason.SHRINK_NOT_SUPPORTED, () -> engine.resize("v", 2 * MIB));
        assertEquals(4 * MIB, engine.resize("v", 4 * MIB).sizeBytes());

        reopen();
        assertEquals(4 * MIB, engine.get("v").sizeBytes());
        ByteBuffer tail = ByteBuffer.allocate(8);
        connect("v", () -> { }).orElseThrow().device().read(MIB - 4, tail);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 0, 0, 0, 0}, tail.array());
    }

    @Test
    void updateChangesAccessAndAttributesDurably() throws IOException {
        open(ArrayLimits.defaults());
        engine.create("v", MIB, false, Map.of("a", "1", "b", "2"));
        VolumeInfo updated = engine.update("v", true, Map.of("c", "3"), List.of("a"));
        assertTrue(updated.readOnly());
        assertEquals(Map.of("b", "2", "c", "3"), updated.attributes());
        reopen();
        assertTrue(engine.get("v").readOnly());
        assertEquals(Map.of("b", "2", "c", "3"), engine.get("v").attributes());
        assertTrue(connect("v", () -> { }).orElseThrow().readOnly());
    }

    @Test
    void listFiltersByAttributesAndSortsByName() throws IOException {
        open(ArrayLimits.defaults());
        engine.create("b", MIB, false, Map.of("team", "x"));
        engine.create("a", MIB, false, Map.of("team", "x", "tier", "gold"));
        engine.create("c", MIB, false, Map.of("team", "y"));
        assertEquals(List.of("a", "b"), engine.list(Map.of("team", "x")).stream().map(VolumeInfo::name).toList());
        assertEquals(List.of("a", "b", "c"), engine.list(Map.of()).stream().map(VolumeInfo::name).toList());
    }

    @Test
    void deleteRefusesWhileConnectedUnlessForcedAndRevokesConnections() throws IOException {
        open(ArrayLimits.defaults());
        engine.create("v", MIB, false, Map.of());
        AtomicBoolean revoked = new AtomicBoolean();
        connect("v", () -> revoked.set(true)).orElseThrow();
        assertEquals(1, engine.get("v").nbdConnections());
        refused(Reason.VOLUME_IN_USE, () -> engine.delete("v", false));
        assertEquals(1, engine.count());

        engine.delete("v", true);
        assertTrue(revoked.get());
        refused(Reason.VOLUME_NOT_FOUND, () -> engine.get("v"));
        assertEquals(Set.of(), pool.directory().dataFileIds());
        reopen();
        assertEquals(0, engine.count());
    }

    @Test
    void orphanDataFilesFromAnInterruptedCreateAreRemovedAtOpen() throws IOException {
        open(ArrayLimits.defaults());
        engine.create("kept", MIB, false, Map.of());
        Files.write(pool.directory().volumeFile("orphan-from-crash"), new byte[512]);
        reopen();
        assertEquals(1, pool.directory().dataFileIds().size());
        assertEquals(1, engine.count());
    }

    @Test
    void trimAndWriteZeroesGiveSpaceBackAndReadAsZero() throws IOException {
        open(ArrayLimits.defaults());
        engine.create("v", 8 * MIB, false, Map.of());
        BlockDevice device = connect("v", () -> { }).orElseThrow().device();
        byte[] ones = new byte[(int) (4 * MIB)];
        java.util.Arrays.fill(ones, (byte) 1);
        device.write(0, ByteBuffer.wrap(ones));
        device.flush();
        long before = engine.get("v").allocatedBytes();
        assertTrue(before >= 4 * MIB, "allocated " + before);

        device.writeZeroes(0, 2 * MIB);
        device.trim(2 * MIB, 2 * MIB);
        assertTrue(engine.get("v").allocatedBytes() < before, "space was not given back");
        ByteBuffer read = ByteBuffer.allocate((int) (2 * MIB));
        device.read(0, read);
        assertArrayEquals(new byte[(int) (2 * MIB)], read.array());
    }

    @Test
    void onlyClientsAtAnAttachedHostsAddressesMayOpenTheExport() throws Exception {
        open(ArrayLimits.defaults());
        engine.create("v", MIB, false, Map.of());
        InetAddress node1 = InetAddress.getByName("10.0.0.1");
        InetAddress node2 = InetAddress.getByName("10.0.0.2");
        ExportRefusedException unattached = assertThrows(ExportRefusedException.class,
                () -> engine.exports().open("v", node1, () -> { }));
        assertEquals("volume 'v' is attached to no host; attach it first: csctl volume attach v --host HOST"
                + " --address 10.0.0.1", unattached.getMessage());
        assertEquals(List.of(), engine.exports().list(node1));

        VolumeInfo attached = engine.attach("v", "node-1", List.of("10.0.0.1", "fd00::1"));
        assertEquals(List.of(new Attachment("node-1", List.of("10.0.0.1", "fd00:0:0:0:0:0:0:1"))),
                attached.attachments());
        assertTrue(engine.exports().open("v", node1, () -> { }).isPresent());
        assertTrue(engine.exports().open("v", InetAddress.getByName("fd00::1"), () -> { }).isPresent());
        // an IPv4 client seen through a dual-stack socket is still that client
        assertTrue(engine.exports().open("v", InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                (byte) 0xff, (byte) 0xff, 10, 0, 0, 1}), () -> { }).isPresent());
        ExportRefusedException other = assertThrows(ExportRefusedException.class,
                () -> engine.exports().info("v", node2));
        assertTrue(other.getMessage().contains("is not attached to a host at 10.0.0.2"), other.getMessage());
        assertEquals(List.of("v"), engine.exports().list(node1).stream().map(e -> e.name()).toList());
        assertEquals(Optional.empty(), engine.exports().open("missing", node1, () -> { }));
    }

    @Test
    void attachIsIdempotentReplacesAHostsAddressesAndSurvivesARestart() throws Exception {
        open(ArrayLimits.defaults());
        engine.create("v", MIB, false, Map.of());
        engine.attach("v", "node-1", List.of("10.0.0.1"));
        engine.attach("v", "node-1", List.of("10.0.0.1"));
        engine.attach("v", "node-2", List.of("10.0.0.2", "10.0.0.2"));
        AtomicBoolean revoked = new AtomicBoolean();
        engine.exports().open("v", InetAddress.getByName("10.0.0.1"), () -> revoked.set(true)).orElseThrow();
        engine.attach("v", "node-1", List.of("10.0.0.11")); // node-1 moved: its old address loses access
        assertTrue(revoked.get(), "the connection from the dropped address is ended");
        reopen();
        assertEquals(List.of(new Attachment("node-1", List.of("10.0.0.11")), new Attachment("node-2",
                List.of("10.0.0.2"))), engine.get("v").attachments());
        assertThrows(ExportRefusedException.class,
                () -> engine.exports().open("v", InetAddress.getByName("10.0.0.1"), () -> { }));
        assertTrue(engine.exports().open("v", InetAddress.getByName("10.0.0.11"), () -> { }).isPresent());
    }

    @Test
    void detachEndsTheHostsConnectionsAndKeepsTheOthers() throws Exception {
        open(ArrayLimits.defaults());
        engine.create("v", MIB, false, Map.of());
        engine.attach("v", "node-1", List.of("10.0.0.1"));
        engine.attach("v", "node-2", List.of("10.0.0.2"));
        AtomicBoolean node1Revoked = new AtomicBoolean();
        AtomicBoolean node2Revoked = new AtomicBoolean();
        engine.exports().open("v", InetAddress.getByName("10.0.0.1"), () -> node1Revoked.set(true)).orElseThrow();
        engine.exports().open("v", InetAddress.getByName("10.0.0.2"), () -> node2Revoked.set(true)).orElseThrow();
        VolumeInfo detached = engine.detach("v", "node-1");
        assertTrue(node1Revoked.get());
        assertFalse(node2Revoked.get());
        assertEquals(1, detached.nbdConnections());
        assertEquals(List.of("node-2"), detached.attachments().stream().map(Attachment::host).toList());
        assertEquals(detached.attachments(), engine.detach("v", "node-1").attachments(), "detaching again is fine");
    }

    @Test
    void badAttachmentsAreRefusedWithAHintAndChangeNothing() throws IOException {
        open(ArrayLimits.defaults());
        engine.create("v", MIB, false, Map.of());
        engine.attach("v", "node-1", List.of("10.0.0.1"));
        List<Attachment> before = engine.get("v").attachments();
        EngineException name = refused(Reason.INVALID_ATTACHMENT, () -> engine.attach("v", "bad host", List.of("10.0.0.1")));
        assertTrue(name.correction().contains("node name"), name.correction());
        EngineException dns = refused(Reason.INVALID_ATTACHMENT, () -> engine.attach("v", "node-1",
                List.of("node-1.example.com")));
        assertTrue(dns.getMessage().contains("is not an IP address"), dns.getMessage());
        refused(Reason.INVALID_ATTACHMENT, () -> engine.attach("v", "node-1", List.of("10.0.0.300")));
        // a legacy short form InetAddress would read as 10.0.0.0, not what the administrator meant
        refused(Reason.INVALID_ATTACHMENT, () -> engine.attach("v", "node-1", List.of("10.0.0")));
        refused(Reason.INVALID_ATTACHMENT, () -> engine.attach("v", "node-1", List.of()));
        refused(Reason.INVALID_ATTACHMENT, () -> engine.attach("v", "node-1", java.util.Collections.nCopies(17,
                "10.0.0.1")));
        refused(Reason.INVALID_ATTACHMENT, () -> engine.detach("v", ""));
        refused(Reason.VOLUME_NOT_FOUND, () -> engine.attach("missing", "node-1", List.of("10.0.0.1")));
        for (int i = 2; i <= 64; i++) {
            engine.attach("v", "node-" + i, List.of("10.0.1." + i));
        }
        refused(Reason.ATTACHMENT_LIMIT_REACHED, () -> engine.attach("v", "node-65", List.of("10.0.2.1")));
        assertEquals(before, engine.get("v").attachments().subList(0, 1));
        assertEquals(64, engine.get("v").attachments().size());
    }

    @Test
    void exportsOpenToEveryClientIgnoreAttachmentsButKeepThem() throws Exception {
        open(ArrayLimits.defaults());
        engine.create("v", MIB, false, Map.of());
        engine.attach("v", "node-1", List.of("10.0.0.1"));
        engine.openToEveryClient();
        assertTrue(engine.exports().open("v", InetAddress.getByName("10.9.9.9"), () -> { }).isPresent());
        AtomicBoolean revoked = new AtomicBoolean();
        engine.exports().open("v", InetAddress.getByName("10.0.0.1"), () -> revoked.set(true)).orElseThrow();
        engine.detach("v", "node-1");
        assertFalse(revoked.get(), "nothing is enforced, so nothing is ended");
    }
}
