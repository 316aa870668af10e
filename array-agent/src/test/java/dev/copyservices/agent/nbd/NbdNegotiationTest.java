package dev.copyservices.agent.nbd;

import static dev.copyservices.agent.nbd.NbdProtocol.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/** Negotiation phase, driven byte by byte, including what misbehaving clients send. */
class NbdNegotiationTest extends NbdServerTestBase {

    private int port;

    private void startWithVolumes() throws IOException {
        volume("vol", SIZE, false);
        volume("ro", 2 * SIZE, true);
        port = start();
    }

    /** The server still negotiates and serves after a connection went wrong. */
    private void assertStillServing() throws IOException {
        try (RawNbdClient c = RawNbdClient.negotiated(port, "vol")) {
            c.read(1, 0, 512);
        }
    }

    @Test
    void goEntersTransmissionWithSizeAndFlags() throws Exception {
        startWithVolumes();
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
            RawNbdClient.Go go = c.go("vol");
            assertEquals(SIZE, go.size());
            int expected = FLAG_HAS_FLAGS | FLAG_SEND_FLUSH | FLAG_SEND_FUA | FLAG_SEND_TRIM
                    | FLAG_SEND_WRITE_ZEROES | FLAG_CAN_MULTI_CONN;
            assertEquals(expected, go.flags());
            c.read(7, 0, 4096);
            assertEquals(1, registry.volume("vol").holds.get());
        }
        await("the hold is released", () -> registry.volume("vol").holds.get() == 0);
    }

    @Test
    void goOnAReadOnlyExportAdvertisesReadOnly() throws Exception {
        startWithVolumes();
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE);
            RawNbdClient.Go go = c.go("ro");
            assertEquals(2 * SIZE, go.size());
            assertTrue((go.flags() & FLAG_READ_ONLY) != 0);
        }
    }

    @Test
    void infoAnswersNameDescriptionAndBlockSizeWithoutTakingAHold() throws Exception {
        startWithVolumes();
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
            c.option(OPT_INFO, RawNbdClient.infoRequest("vol", INFO_NAME, INFO_DESCRIPTION, INFO_BLOCK_SIZE));
            Map<Integer, ByteBuffer> infos = new HashMap<>();
            RawNbdClient.OptionReply r;
            while ((r = c.readOptionReply()).type() == REP_INFO) {
                ByteBuffer b = ByteBuffer.wrap(r.data());
                infos.put((int) b.getShort(), b.slice());
            }
            assertEquals(REP_ACK, r.type());
            assertEquals(OPT_INFO, r.option());
            assertEquals(Set.of(INFO_EXPORT, INFO_NAME, INFO_DESCRIPTION, INFO_BLOCK_SIZE), infos.keySet());
            assertEquals(SIZE, infos.get(INFO_EXPORT).getLong());
            assertEquals("vol", StandardCharsets.UTF_8.decode(infos.get(INFO_NAME)).toString());
            assertEquals("test volume vol", StandardCharsets.UTF_8.decode(infos.get(INFO_DESCRIPTION)).toString());
            ByteBuffer bs = infos.get(INFO_BLOCK_SIZE);
            assertEquals(1, bs.getInt());
            assertEquals(4096, bs.getInt());
            assertEquals(32 << 20, bs.getInt());
            assertEquals(0, registry.volume("vol").holds.get(), "INFO must not take a hold");
            // Negotiation goes on after INFO.
            c.go("vol");
            c.read(1, 0, 16);
        }
    }

    @Test
    void unknownExportIsAnsweredErrUnknownAndNegotiationContinues() throws Exception {
        startWithVolumes();
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
            c.option(OPT_INFO, RawNbdClient.infoRequest("missing"));
            assertEquals(REP_ERR_UNKNOWN, c.readOptionReply().type());
            c.option(OPT_GO, RawNbdClient.infoRequest("missing"));
            RawNbdClient.OptionReply r = c.readOptionReply();
            assertEquals(REP_ERR_UNKNOWN, r.type());
            assertEquals(OPT_GO, r.option());
            c.go("vol");
            c.read(1, 0, 16);
        }
    }

    @Test
    void malformedGoIsAnsweredErrInvalid() throws Exception {
        startWithVolumes();
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE);
            byte[] lying = ByteBuffer.allocate(8).putInt(1000).putInt(0).array(); // name longer than data
            c.option(OPT_GO, lying);
            assertEquals(REP_ERR_INVALID, c.readOptionReply().type());
            byte[] trailing = ByteBuffer.allocate(4 + 3 + 2 + 1).putInt(3).put("vol".getBytes()).putShort((short) 0)
                    .put((byte) 9).array(); // a byte after the info requests
            c.option(OPT_GO, trailing);
            assertEquals(REP_ERR_INVALID, c.readOptionReply().type());
            c.go("vol");
        }
    }

    @Test
    void unsupportedOptionsAreAnsweredErrUnsup() throws Exception {
        startWithVolumes();
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
            for (int option : new int[] {OPT_STRUCTURED_REPLY, OPT_STARTTLS, 9, 10, 11, 4242}) {
                c.option(option, new byte[option == 4242 ? 100 : 0]);
                RawNbdClient.OptionReply r = c.readOptionReply();
                assertEquals(option, r.option());
                assertEquals(REP_ERR_UNSUP, r.type(), "option " + option);
            }
            c.go("vol");
            c.read(1, 0, 16); // simple replies, since structured ones were refused
        }
    }

    @Test
    void listNamesEveryExportThenAcks() throws Exception {
        startWithVolumes();
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
            c.option(OPT_LIST, new byte[0]);
            Set<String> names = new TreeSet<>();
            RawNbdClient.OptionReply r;
            while ((r = c.readOptionReply()).type() == REP_SERVER) {
                ByteBuffer b = ByteBuffer.wrap(r.data());
                byte[] name = new byte[b.getInt()];
                b.get(name);
                names.add(new String(name, StandardCharsets.UTF_8));
            }
            assertEquals(REP_ACK, r.type());
            assertEquals(Set.of("ro", "vol"), names);

            c.option(OPT_LIST, new byte[] {1});
            assertEquals(REP_ERR_INVALID, c.readOptionReply().type(), "LIST takes no data");
        }
    }

    @Test
    void abortIsAcknowledgedThenTheConnectionCloses() throws Exception {
        startWithVolumes();
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
            c.option(OPT_ABORT, new byte[0]);
            RawNbdClient.OptionReply r = c.readOptionReply();
            assertEquals(OPT_ABORT, r.option());
            assertEquals(REP_ACK, r.type());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void exportNameEntersTransmissionAndSendsZeroPaddingUnlessNoZeroes() throws Exception {
        startWithVolumes();
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE);
            c.option(OPT_EXPORT_NAME, "vol".getBytes(StandardCharsets.UTF_8));
            assertEquals(SIZE, c.in.readLong());
            assertEquals(0, c.in.readUnsignedShort() & FLAG_READ_ONLY);
            byte[] padding = new byte[124];
            c.readFullyOrEof(padding);
            assertArrayEquals(new byte[124], padding);
            c.read(3, 0, 64);
        }
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
            c.option(OPT_EXPORT_NAME, "ro".getBytes(StandardCharsets.UTF_8));
            assertEquals(2 * SIZE, c.in.readLong());
            assertEquals(FLAG_READ_ONLY, c.in.readUnsignedShort() & FLAG_READ_ONLY);
            // No padding: the next bytes are the reply to our read.
            c.read(4, 0, 64);
        }
    }

    @Test
    void anExportTheClientMayNotOpenIsRefusedWithErrPolicyAndLeftOutOfTheList() throws Exception {
        startWithVolumes();
        registry.refuse("vol", "volume 'vol' is attached to no host; attach it first");
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
            c.option(OPT_GO, RawNbdClient.infoRequest("vol"));
            RawNbdClient.OptionReply go = c.readOptionReply();
            assertEquals(REP_ERR_POLICY, go.type());
            assertEquals("volume 'vol' is attached to no host; attach it first",
                    new String(go.data(), StandardCharsets.UTF_8));
            c.option(OPT_INFO, RawNbdClient.infoRequest("vol"));
            assertEquals(REP_ERR_POLICY, c.readOptionReply().type());
            c.option(OPT_LIST, new byte[0]);
            Set<String> listed = new TreeSet<>();
            RawNbdClient.OptionReply r;
            while ((r = c.readOptionReply()).type() == REP_SERVER) {
                ByteBuffer b = ByteBuffer.wrap(r.data());
                byte[] name = new byte[b.getInt()];
                b.get(name);
                listed.add(new String(name, StandardCharsets.UTF_8));
            }
            assertEquals(Set.of("ro"), listed);
            assertEquals(0, registry.volume("vol").holds.get());
            c.go("ro"); // negotiation goes on: an export it may open still opens
        }
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
            c.option(OPT_EXPORT_NAME, "vol".getBytes(StandardCharsets.UTF_8));
            assertTrue(c.closedByServer(), "EXPORT_NAME cannot carry an error: the server hangs up");
        }
        assertEquals(0, registry.volume("vol").holds.get());
    }

    @Test
    void exportNameWithAnUnknownNameClosesTheConnection() throws Exception {
        startWithVolumes();
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
            c.option(OPT_EXPORT_NAME, "missing".getBytes(StandardCharsets.UTF_8));
            assertTrue(c.closedByServer());
        }
        assertStillServing();
    }

    @Test
    void unknownClientFlagsCloseTheConnection() throws Exception {
        startWithVolumes();
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | 1 << 5);
            assertTrue(c.closedByServer());
        }
        assertStillServing();
    }

    @Test
    void truncatedHandshakeIsCleanedUpAndTheServerKeepsServing() throws Exception {
        startWithVolumes();
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE);
            c.out.writeLong(IHAVEOPT);
            c.out.writeInt(OPT_GO); // and then nothing: the client goes away mid-option
            c.out.flush();
        }
        assertStillServing();
    }

    @Test
    void garbageInsteadOfAnOptionClosesTheConnection() throws Exception {
        startWithVolumes();
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE);
            c.out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            assertTrue(c.closedByServer());
        }
        assertStillServing();
    }

    @Test
    void oversizedOptionLengthClosesTheConnectionWithoutWaitingForTheData() throws Exception {
        startWithVolumes();
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE);
            c.out.writeLong(IHAVEOPT);
            c.out.writeInt(OPT_GO);
            c.out.writeInt(0xfffffff0); // ~4 GiB claimed, none sent
            c.out.flush();
            assertTrue(c.closedByServer(), "server waited for, or tried to buffer, the claimed data");
        }
        assertStillServing();
    }

    @Test
    void aClientStalledInNegotiationIsDisconnectedAfterTheTimeout() throws Exception {
        volume("vol", SIZE, false);
        port = start(shortHandshake(Duration.ofMillis(300)));
        try (RawNbdClient idle = new RawNbdClient(port)) {
            // Never answers the greeting.
            assertTrue(idle.closedByServer());
        }
        try (RawNbdClient slow = new RawNbdClient(port)) {
            slow.greet(FLAG_C_FIXED_NEWSTYLE);
            slow.option(OPT_LIST, new byte[0]);
            // Sends options but never picks an export: the deadline covers the whole negotiation.
            assertTrue(slow.closedByServer());
        }
        // The deadline ends with negotiation: a connected client is not dropped.
        try (RawNbdClient c = RawNbdClient.negotiated(port, "vol")) {
            ExportRegistry.ExportSummaryInfo info = registry.info("vol", java.net.InetAddress.getLoopbackAddress()).orElseThrow();
            long waitUntil = System.nanoTime() + Duration.ofMillis(900).toNanos();
            long cookie = 0;
            while (System.nanoTime() < waitUntil) {
                c.read(cookie++, 0, 512); // keeps working well past the 300 ms deadline
            }
            assertEquals(SIZE, info.size());
        }
    }
}
