package dev.copyservices.agent.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent process facing clients that misbehave on the wire. After each one, the agent must
 * still serve a well-behaved client and the volume's bytes must be what they were.
 */
class HostileClientsIT {
    private static final int MIB = 1 << 20;
    private static final long SIZE = 16L * MIB;

    @TempDir
    static Path pool;
    private static AgentProcess agent;

    @BeforeAll
    static void start() throws Exception {
        agent = AgentProcess.start(pool);
        VolumeServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                .createVolume(CreateVolumeRequest.newBuilder().setName("target").setSizeBytes(SIZE).build());
    }

    @AfterAll
    static void stop() throws Exception {
        agent.close();
    }

    private static byte[] pattern(int value) {
        byte[] data = new byte[MIB];
        Arrays.fill(data, (byte) value);
        return data;
    }

    /** A well-behaved client writes, reads back, and gets exactly what it wrote. */
    private static void wellBehavedClientIsServed(int value) throws Exception {
        try (RawNbdClient client = RawNbdClient.negotiated(agent.nbdPort(), "target")) {
            client.write(NbdProtocol.CMD_FLAG_FUA, 1, 4 * MIB, pattern(value));
            assertEquals(0, client.readReply(0).error());
            assertArrayEquals(pattern(value), client.read(2, 4 * MIB, MIB));
        }
    }

    @Test
    void garbageAndTruncatedHandshakesAreDroppedWhileOthersAreServed() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(1).nextBytes(garbage);
        try (RawNbdClient noise = new RawNbdClient(agent.nbdPort())) {
            noise.greet(NbdProtocol.FLAG_C_FIXED_NEWSTYLE);
            noise.out.write(garbage);
            noise.out.flush();
            assertTrue(noise.closedByServer());
        }
        try (Socket halfGreeting = new Socket("127.0.0.1", agent.nbdPort())) {
            halfGreeting.getInputStream().readNBytes(5); // then hang up in the middle of the greeting
        }
        try (RawNbdClient badFlags = new RawNbdClient(agent.nbdPort())) {
            badFlags.greet(0x40000000);
            assertTrue(badFlags.closedByServer());
        }
        // a client that connects and says nothing must not hold anyone else up
        try (Socket stalled = new Socket("127.0.0.1", agent.nbdPort())) {
            wellBehavedClientIsServed(0x21);
            assertTrue(stalled.isConnected());
        }
    }

    @Test
    void aClientThatHangsUpInTheMiddleOfAWritePayloadChangesNothing() throws Exception {
        wellBehavedClientIsServed(0x31);
        try (RawNbdClient quitter = RawNbdClient.negotiated(agent.nbdPort(), "target")) {
            quitter.request(0, NbdProtocol.CMD_WRITE, 7, 4 * MIB, MIB);
            OutputStream out = quitter.out;
            out.write(pattern(0x66), 0, MIB / 2);
            out.flush();
        }
        try (RawNbdClient reader = RawNbdClient.negotiated(agent.nbdPort(), "target")) {
            assertArrayEquals(pattern(0x31), reader.read(1, 4 * MIB, MIB));
        }
    }

    @Test
    void requestsPastTheEndOrTooLargeFailAloneAndTheConnectionGoesOn() throws Exception {
        try (RawNbdClient client = RawNbdClient.negotiated(agent.nbdPort(), "target")) {
            client.request(0, NbdProtocol.CMD_READ, 1, SIZE - 512, 1024);
            assertEquals(NbdProtocol.EINVAL, client.readReply(1024).error());
            client.request(0, NbdProtocol.CMD_READ, 2, -4096L, 4096); // offset 2^64-4096 on the wire
            assertEquals(NbdProtocol.EINVAL, client.readReply(4096).error());
            client.request(0, NbdProtocol.CMD_READ, 3, 0, 64L * MIB);
            assertEquals(NbdProtocol.EINVAL, client.readReply(64 * MIB).error());
            client.request(0, NbdProtocol.CMD_TRIM, 4, SIZE, 4096);
            assertEquals(NbdProtocol.EINVAL, client.readReply(0).error());
            client.request(0, 99, 5, 0, 0);
            assertEquals(NbdProtocol.EINVAL, client.readReply(0).error());
            assertEquals(MIB, client.read(6, 0, MIB).length);
        }
        wellBehavedClientIsServed(0x41);
    }

    @Test
    void badRequestMagicEndsOnlyThatConnection() throws Exception {
        try (RawNbdClient liar = RawNbdClient.negotiated(agent.nbdPort(), "target")) {
            liar.out.write(new byte[28]);
            liar.out.flush();
            assertTrue(liar.closedByServer());
        }
        wellBehavedClientIsServed(0x51);
    }
}
