package dev.copyservices.agent.it;

import dev.copyservices.agent.nbd.RawNbdClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Writes random (incompressible) data to a volume over NBD, one request at a time, each acknowledged
 * before the next: whole volumes, or a number of distinct aligned regions, so that a test knows exactly
 * which bytes changed.
 */
final class NbdWrites {
    private static final int MAX_REQUEST = 1 << 20;

    private NbdWrites() {
    }

    /** {@code count} distinct offsets, multiples of {@code region}, of regions inside {@code size}. */
    static List<Long> distinctRegions(Random random, long size, long region, int count) {
        List<Long> all = new ArrayList<>();
        for (long offset = 0; offset + region <= size; offset += region) {
            all.add(offset);
        }
        if (count > all.size()) {
            throw new IllegalArgumentException(count + " regions of " + region + " bytes do not fit in " + size);
        }
        Collections.shuffle(all, random);
        List<Long> chosen = new ArrayList<>(all.subList(0, count));
        Collections.sort(chosen);
        return chosen;
    }

    /** Fills each region [offset, offset + length) with fresh random bytes; every write must succeed. */
    static void randomRegions(AgentProcess agent, String volume, List<Long> offsets, long length, Random random)
            throws IOException {
        try (RawNbdClient client = RawNbdClient.negotiated(agent.nbdPort(), volume)) {
            long cookie = 1;
            for (long offset : offsets) {
                for (long done = 0; done < length; done += MAX_REQUEST) {
                    byte[] data = new byte[(int) Math.min(MAX_REQUEST, length - done)];
                    random.nextBytes(data);
                    write(client, cookie++, offset + done, data, volume);
                }
            }
        }
    }

    /** Fills the whole volume with random bytes. */
    static void fillRandom(AgentProcess agent, String volume, long size, Random random) throws IOException {
        randomRegions(agent, volume, List.of(0L), size, random);
    }

    /** One write, acknowledged without error, or an AssertionError naming the NBD error. */
    static void write(RawNbdClient client, long cookie, long offset, byte[] data, String volume) throws IOException {
        client.write(0, cookie, offset, data);
        RawNbdClient.Reply reply = client.readReply(0);
        if (reply.error() != 0 || reply.cookie() != cookie) {
            throw new AssertionError("write of " + data.length + " bytes at " + offset + " to " + volume
                    + " failed: NBD error " + reply.error() + " (cookie " + reply.cookie() + ")");
        }
    }
}
