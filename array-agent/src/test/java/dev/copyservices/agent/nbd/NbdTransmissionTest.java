package dev.copyservices.agent.nbd;

import static dev.copyservices.agent.nbd.NbdProtocol.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.volume.BlockIoException;

import java.io.IOException;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** Transmission phase: commands, errors, and what happens when clients misbehave. */
class NbdTransmissionTest extends NbdServerTestBase {

    @Test
    void writtenDataReadsBack() throws Exception {
        volume("vol", SIZE, false);
        int port = start();
        byte[] data = pattern(64 << 10, 1);
        try (RawNbdClient c = RawNbdClient.negotiated(port, "vol")) {
            c.write(0, 1, 12345, data);
            RawNbdClient.Reply r = c.readReply(0);
            assertEquals(SIMPLE_REPLY_MAGIC, r.magic());
            assertEquals(0, r.error());
            assertEquals(1, r.cookie());
            assertArrayEquals(data, c.read(2, 12345, data.length));
        }
        assertArrayEquals(data, Arrays.copyOfRange(fileBytes("vol"), 12345, 12345 + data.length));
    }

    @Test
    void maximalReadsAndWritesOf32MiBWork() throws Exception {
        volume("big", 64L << 20, false);
        int port = start();
        byte[] data = pattern(MAX_PAYLOAD, 2);
        try (RawNbdClient c = RawNbdClient.negotiated(port, "big")) {
            c.write(0, 1, 1 << 20, data);
            assertEquals(0, c.readReply(0).error());
            assertArrayEquals(data, c.read(2, 1 << 20, MAX_PAYLOAD));
        }
    }

    @Test
    void zeroLengthRequestsSucceedEvenAtTheEnd() throws Exception {
        volume("vol", SIZE, false);
        int port = start();
        try (RawNbdClient c = RawNbdClient.negotiated(port, "vol")) {
            assertEquals(0, c.read(1, SIZE, 0).length);
            c.write(0, 2, SIZE, new byte[0]);
            assertEquals(0, c.readReply(0).error());
            c.request(0, CMD_TRIM, 3, 0, 0);
            assertEquals(0, c.readReply(0).error());
        }
    }

    @Test
    void readPastTheEndIsEinvalAndTheConnectionStaysUsable() throws Exception {
        volume("vol", SIZE, false);
        int port = start();
        try (RawNbdClient c = RawNbdClient.negotiated(port, "vol")) {
            c.request(0, CMD_READ, 1, SIZE - 512, 1024);
            RawNbdClient.Reply r = c.readReply(1024);
            assertEquals(EINVAL, r.error());
            assertEquals(1, r.cookie());
            c.request(0, CMD_TRIM, 2, SIZE, 1);
            assertEquals(EINVAL, c.readReply(0).error());
            c.read(3, SIZE - 512, 512);
        }
    }

    @Test
    void writePastTheEndIsEnospcAndItsPayloadIsSkipped() throws Exception {
        volume("vol", SIZE, false);
        int port = start();
        try (RawNbdClient c = RawNbdClient.negotiated(port, "vol")) {
            byte[] payload = new byte[8192];
            Arrays.fill(payload, (byte) 0x11);
            c.write(0, 1, SIZE - 4096, payload);
            RawNbdClient.Reply r = c.readReply(0);
            assertEquals(ENOSPC, r.error());
            // Had the payload not been consumed, it would be parsed as a request and fail here.
            assertArrayEquals(new byte[4096], c.read(2, SIZE - 4096, 4096));
            c.request(0, CMD_WRITE_ZEROES, 3, SIZE - 1, 2);
            assertEquals(ENOSPC, c.readReply(0).error());
        }
    }

    @Test
    void offsetsThatWouldOverflowAreRejected() throws Exception {
        volume("vol", SIZE, false);
        int port = start();
        try (RawNbdClient c = RawNbdClient.negotiated(port, "vol")) {
            c.request(0, CMD_READ, 1, 0xfffffffffffff000L, 8192); // offset + length wraps to 4096
            assertEquals(EINVAL, c.readReply(8192).error());
            c.request(0, CMD_READ, 2, Long.MAX_VALUE - 100, 4096); // wraps past Long.MAX_VALUE
            assertEquals(EINVAL, c.readReply(4096).error());
            c.write(0, 3, -4096L, new byte[8192]);
            assertEquals(ENOSPC, c.readReply(0).error());
            c.read(4, 0, 16);
        }
    }

    @Test
    void readsLongerThan32MiBAreEinval() throws Exception {
        volume("big", 64L << 20, false);
        int port = start();
        try (RawNbdClient c = RawNbdClient.negotiated(port, "big")) {
            c.request(0, CMD_READ, 1, 0, MAX_PAYLOAD + 1L);
            assertEquals(EINVAL, c.readReply(MAX_PAYLOAD + 1).error());
            c.read(2, 0, 16);
        }
    }

    @Test
    void writesLongerThan32MiBAreDrainedAndAnsweredEinval() throws Exception {
        HookedDevice device = hookedVolume("big", 64L << 20, false);
        int port = start();
        try (RawNbdClient c = RawNbdClient.negotiated(port, "big")) {
            byte[] payload = new byte[MAX_PAYLOAD + 4096];
            Arrays.fill(payload, (byte) 0x42);
            c.write(0, 1, 0, payload);
            RawNbdClient.Reply r = c.readReply(0);
            assertEquals(EINVAL, r.error());
            assertEquals(1, r.cookie());
            assertArrayEquals(new byte[4096], c.read(2, 0, 4096));
        }
        assertEquals(0, device.writes.get());
    }

    @Test
    void badRequestMagicDisconnects() throws Exception {
        volume("vol", SIZE, false);
        int port = start();
        try (RawNbdClient c = RawNbdClient.negotiated(port, "vol")) {
            c.out.writeInt(0xdeadbeef);
            c.out.write(new byte[24]);
            c.out.flush();
            assertTrue(c.closedByServer());
        }
        await("the hold is released", () -> registry.volume("vol").holds.get() == 0);
    }

    @Test
    void writeToReadOnlyExportIsAnsweredWithEperm() throws Exception {
        volume("ro", SIZE, true);
        int port = start();
        try (RawNbdClient c = RawNbdClient.negotiated(port, "ro")) {
            byte[] payload = new byte[4096];
            Arrays.fill(payload, (byte) 1);
            c.write(0, 1, 0, payload);
            assertEquals(EPERM, c.readReply(0).error());
            c.request(0, CMD_TRIM, 2, 0, 4096);
            assertEquals(EPERM, c.readReply(0).error());
            c.request(0, CMD_WRITE_ZEROES, 3, 0, 4096);
            assertEquals(EPERM, c.readReply(0).error());
            c.request(0, CMD_FLUSH, 4, 0, 0);
            assertEquals(0, c.readReply(0).error(), "flush is harmless on a read-only export");
            assertArrayEquals(new byte[4096], c.read(5, 0, 4096));
        }
        assertArrayEquals(new byte[4096], Arrays.copyOf(fileBytes("ro"), 4096));
    }

    @Test
    void exportTurningReadOnlyRefusesFurtherWritesOnOpenConnections() throws Exception {
        volume("vol", SIZE, false);
        int port = start();
        try (RawNbdClient c = RawNbdClient.negotiated(port, "vol")) {
            c.write(0, 1, 0, new byte[512]);
            assertEquals(0, c.readReply(0).error());
            registry.volume("vol").readOnly.set(true);
            c.write(0, 2, 0, new byte[512]);
            assertEquals(EPERM, c.readReply(0).error());
        }
    }

    @Test
    void unknownCommandsAndFlagsAreEinval() throws Exception {
        volume("vol", SIZE, false);
        int port = start();
        try (RawNbdClient c = RawNbdClient.negotiated(port, "vol")) {
            c.request(0, 5, 1, 0, 4096); // NBD_CMD_CACHE, not advertised
            assertEquals(EINVAL, c.readReply(0).error());
            c.request(0, 0x7777, 2, 0, 0);
            assertEquals(EINVAL, c.readReply(0).error());
            c.request(CMD_FLAG_NO_HOLE, CMD_READ, 3, 0, 512); // NO_HOLE only applies to WRITE_ZEROES
            assertEquals(EINVAL, c.readReply(512).error());
            c.write(1 << 4, 4, 0, new byte[512]); // FAST_ZERO was not negotiated
            assertEquals(EINVAL, c.readReply(0).error());
            c.request(CMD_FLAG_FUA, CMD_READ, 5, 0, 512); // FUA is valid on every command
            assertEquals(0, c.readReply(512).error());
        }
    }

    @Test
    void fuaAndFlushReachTheDevice() throws Exception {
        HookedDevice device = hookedVolume("vol", SIZE, false);
        int port = start();
        try (RawNbdClient c = RawNbdClient.negotiated(port, "vol")) {
            c.write(0, 1, 0, new byte[512]);
            assertEquals(0, c.readReply(0).error());
            assertEquals(0, device.flushes.get(), "a plain write must not flush");
            c.write(CMD_FLAG_FUA, 2, 0, new byte[512]);
            assertEquals(0, c.readReply(0).error());
            assertEquals(1, device.flushes.get(), "FUA write was acknowledged before a flush");
            c.request(0, CMD_FLUSH, 3, 0, 0);
            assertEquals(0, c.readReply(0).error());
            assertEquals(2, device.flushes.get());
            c.request(CMD_FLAG_FUA, CMD_TRIM, 4, 0, 512);
            assertEquals(0, c.readReply(0).error());
            assertEquals(3, device.flushes.get());
            c.request(CMD_FLAG_FUA, CMD_WRITE_ZEROES, 5, 0, 512);
            assertEquals(0, c.readReply(0).error());
            assertEquals(4, device.flushes.get());
        }
    }

    @Test
    void writeZeroesAndTrimLeaveZeroes() throws Exception {
        volume("vol", SIZE, false);
        int port = start();
        byte[] ones = new byte[64 << 10];
        Arrays.fill(ones, (byte) 0x77);
        try (RawNbdClient c = RawNbdClient.negotiated(port, "vol")) {
            c.write(0, 1, 0, ones);
            assertEquals(0, c.readReply(0).error());
            c.request(0, CMD_WRITE_ZEROES, 2, 0, 16 << 10);
            assertEquals(0, c.readReply(0).error());
            c.request(CMD_FLAG_NO_HOLE, CMD_WRITE_ZEROES, 3, 16 << 10, 16 << 10);
            assertEquals(0, c.readReply(0).error());
            c.request(0, CMD_TRIM, 4, 32 << 10, 16 << 10);
            assertEquals(0, c.readReply(0).error());
            byte[] expected = ones.clone();
            Arrays.fill(expected, 0, 48 << 10, (byte) 0);
            assertArrayEquals(expected, c.read(5, 0, 64 << 10));
        }
    }

    @Test
    void deviceErrorsAreAnsweredWithMatchingErrnoAndTheConnectionGoesOn() throws Exception {
        HookedDevice device = hookedVolume("vol", SIZE, false);
        int port = start();
        try (RawNbdClient c = RawNbdClient.negotiated(port, "vol")) {
            Object[][] cases = {
                {new BlockIoException(BlockIoException.Kind.IO, "medium"), EIO},
                {new BlockIoException(BlockIoException.Kind.NO_SPACE, "pool full"), ENOSPC},
                {new BlockIoException(BlockIoException.Kind.NOT_PERMITTED, "frozen"), EPERM},
                {new IOException("plain"), EIO},
                {new IllegalStateException("bug"), EIO},
            };
            long cookie = 0;
            for (Object[] each : cases) {
                Exception failure = (Exception) each[0];
                device.hook = (op, offset, length) -> {
                    if (failure instanceof IOException io) {
                        throw io;
                    }
                    throw (RuntimeException) failure;
                };
                c.write(0, ++cookie, 0, new byte[512]);
                assertEquals(each[1], c.readReply(0).error(), failure.toString());
                c.request(0, CMD_READ, ++cookie, 0, 512);
                RawNbdClient.Reply r = c.readReply(512);
                assertEquals(each[1], r.error(), "read: " + failure);
                assertEquals(0, r.data().length, "a failed read must carry no data");
            }
            device.hook = (op, offset, length) -> { };
            c.read(++cookie, 0, 512);
        }
    }
}
