package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.nbd.RawNbdClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The consistency-group writer: WriteOrderChecker records to random slots of several volumes of one
 * agent, over one NBD connection per volume, one at a time in one global order (each acknowledged
 * before the next is sent), with a kill -9 of the agent from another thread once a given number are
 * acknowledged, so that the kill lands at a random point of a write. Slot s of a volume is the 4 KiB
 * at s * stride.
 */
final class OrderedWriter {
    /** NBD_CMD_FLAG_FUA: the write is durable when acknowledged. */
    static final int FUA = 1;

    private OrderedWriter() {
    }

    /**
     * Writes until a write fails after the kill (or {@code maxWrites} were written). A write that fails
     * before the kill fails the test.
     */
    static void writeUntilKilled(AgentProcess agent, List<String> volumes, long stride, int flags,
            WriteOrderChecker checker, Random random, int killAt, int maxWrites, String context) throws Exception {
        List<RawNbdClient> clients = new ArrayList<>();
        AtomicReference<Thread> killer = new AtomicReference<>();
        AtomicReference<Exception> killFailed = new AtomicReference<>();
        try {
            for (String volume : volumes) {
                clients.add(RawNbdClient.negotiated(agent.nbdPort(), volume));
            }
            for (int i = 0; i < maxWrites; i++) {
                WriteOrderChecker.Write w = checker.next(random.nextInt(volumes.size()),
                        random.nextInt(checker.slots()));
                RawNbdClient client = clients.get(w.volume());
                RawNbdClient.Reply reply;
                try {
                    client.write(flags, w.seq(), w.slot() * stride, checker.record(w));
                    reply = client.readReply(0);
                } catch (IOException e) {
                    if (killer.get() == null) {
                        throw new AssertionError(context + ": " + w + " failed before the kill", e);
                    }
                    break; // the agent is gone: this write was in flight
                }
                if (reply.error() != 0) {
                    if (killer.get() == null) {
                        throw new AssertionError(context + ": " + w + " failed before the kill: NBD error "
                                + reply.error());
                    }
                    break;
                }
                checker.acknowledged(w);
                if (w.seq() == killAt) {
                    killer.set(Thread.ofVirtual().start(() -> {
                        try {
                            agent.kill9();
                        } catch (InterruptedException e) {
                            killFailed.set(e);
                        }
                    }));
                }
            }
        } finally {
            for (RawNbdClient client : clients) {
                client.close();
            }
            if (killer.get() != null) {
                killer.get().join();
            }
        }
        assertTrue(killer.get() != null, context + ": the writer finished before the kill point " + killAt);
        if (killFailed.get() != null) {
            throw killFailed.get();
        }
    }

    /** Reads every slot of the volumes on {@code agent} (one connection per volume) and judges them. */
    static WriteOrderChecker.Verdict check(AgentProcess agent, List<String> volumes, long stride,
            WriteOrderChecker checker) throws IOException {
        List<RawNbdClient> clients = new ArrayList<>();
        try {
            for (String volume : volumes) {
                clients.add(RawNbdClient.negotiated(agent.nbdPort(), volume));
            }
            return checker.check((volume, slot) -> clients.get(volume).read(slot, slot * stride,
                    WriteOrderChecker.RECORD_BYTES));
        } finally {
            for (RawNbdClient client : clients) {
                client.close();
            }
        }
    }
}
