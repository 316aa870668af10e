package dev.copyservices.e2e;

import dev.copyservices.agent.it.WriteOrderChecker;
import dev.copyservices.agent.nbd.RawNbdClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * An application writing sequence-numbered records (WriteOrderChecker's) to several volumes of one
 * agent over NBD, one at a time in one global order, each with FUA and acknowledged before the next:
 * until its agent goes away, or for a given number of writes. Slot s of a volume is the 4 KiB at s * 4 KiB.
 */
final class SequencedWriter implements Runnable {
    private static final int FUA = 1;

    private final int nbdPort;
    private final List<String> volumes;
    private final WriteOrderChecker checker;
    private final Random random;
    private final int maxWrites;
    private volatile IOException ended;

    SequencedWriter(int nbdPort, List<String> volumes, WriteOrderChecker checker, long seed, int maxWrites) {
        this.nbdPort = nbdPort;
        this.volumes = volumes;
        this.checker = checker;
        this.random = new Random(seed);
        this.maxWrites = maxWrites;
    }

    @Override
    public void run() {
        List<RawNbdClient> clients = new ArrayList<>();
        try {
            for (String volume : volumes) {
                clients.add(RawNbdClient.negotiated(nbdPort, volume));
            }
            for (int i = 0; i < maxWrites; i++) {
                WriteOrderChecker.Write w = checker.next(random.nextInt(volumes.size()), random.nextInt(checker.slots()));
                RawNbdClient client = clients.get(w.volume());
                client.write(FUA, w.seq(), (long) w.slot() * WriteOrderChecker.RECORD_BYTES, checker.record(w));
                if (client.readReply(0).error() != 0) {
                    throw new IOException(w + " failed with an NBD error");
                }
                checker.acknowledged(w);
            }
        } catch (IOException e) {
            ended = e;
        } finally {
            for (RawNbdClient client : clients) {
                try {
                    client.close();
                } catch (IOException ignored) {
                    // the agent is gone
                }
            }
        }
    }

    /** Why the writer stopped before maxWrites, if it did. */
    IOException ended() {
        return ended;
    }

    /** Judges what the volumes at {@code port} hold against the writes issued. */
    static WriteOrderChecker.Verdict check(int port, List<String> volumes, WriteOrderChecker checker) throws IOException {
        List<RawNbdClient> clients = new ArrayList<>();
        try {
            for (String volume : volumes) {
                clients.add(RawNbdClient.negotiated(port, volume));
            }
            return checker.check((volume, slot) -> clients.get(volume).read(slot,
                    (long) slot * WriteOrderChecker.RECORD_BYTES, WriteOrderChecker.RECORD_BYTES));
        } finally {
            for (RawNbdClient client : clients) {
                client.close();
            }
        }
    }
}
