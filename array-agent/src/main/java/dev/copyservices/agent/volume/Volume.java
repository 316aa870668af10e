package dev.copyservices.agent.volume;

import dev.copyservices.agent.nbd.Export;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A live volume: its catalog record, its data, and the NBD connections holding it. Connections reach
 * the data through an {@link AccessGuard}; engines use {@link #device()} directly.
 */
final class Volume {
    private volatile VolumeRecord record;
    private final VolumeDevice device;
    private final AccessGuard guard;
    private final Set<Hold> holds = ConcurrentHashMap.newKeySet();

    Volume(VolumeRecord record, VolumeDevice device, HostIoListener io) {
        this.record = record;
        this.device = device;
        this.guard = new AccessGuard(device, (operation, bytes, nanos, failed) ->
                io.completed(this.record.getName(), operation, bytes, nanos, failed));
    }

    VolumeRecord record() {
        return record;
    }

    void setRecord(VolumeRecord record) {
        this.record = record;
    }

    VolumeDevice device() {
        return device;
    }

    void restrict(String owner, HostAccess access, String why) {
        guard.restrict(owner, access, why);
    }

    void awaitHostRequests() {
        guard.awaitAdmitted();
    }

    int connections() {
        return holds.size();
    }

    /** {@code base} is the base volume's name for a FlashCopy, else empty. */
    VolumeInfo info(String base) {
        VolumeRecord r = record;
        long allocated = device.allocatedBytes();
        return new VolumeInfo(r.getName(), r.getId(), r.getSizeBytes(), Math.max(allocated, 0), r.getReadOnly(),
                Map.copyOf(r.getAttributesMap()), Instant.ofEpochMilli(r.getCreatedUnixMillis()), holds.size(),
                r.getKind() == dev.copyservices.agent.pool.catalog.VolumeKind.FLASHCOPY ? VolumeKind.FLASHCOPY
                        : VolumeKind.STANDARD, base, r.getIncompleteCopy(), guard.describe(),
                r.getAttachmentsList().stream().map(a -> new Attachment(a.getHost(), a.getAddressesList())).toList());
    }

    Export hold(InetAddress client, Runnable onRevoke) {
        Hold hold = new Hold(record.getName(), device.size(), client, onRevoke);
        holds.add(hold);
        return hold;
    }

    /** Ends the connections of clients that may no longer open the volume (their host was detached). */
    void revokeUnless(Predicate<InetAddress> stillAllowed) {
        for (Hold hold : Set.copyOf(holds)) {
            if (!stillAllowed.test(hold.client)) {
                hold.onRevoke.run();
                holds.remove(hold);
            }
        }
    }

    /** Ends every connection to this volume, e.g. before a forced delete. */
    void revokeAll() {
        revokeUnless(client -> false);
    }

    void close() throws IOException {
        device.close();
    }

    /** One connection's view: the size it was told at the handshake, the volume's current access. */
    private final class Hold implements Export {
        private final String name;
        private final long size;
        private final InetAddress client;
        private final Runnable onRevoke;

        Hold(String name, long size, InetAddress client, Runnable onRevoke) {
            this.name = name;
            this.size = size;
            this.client = client;
            this.onRevoke = onRevoke;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public boolean readOnly() {
            return record.getReadOnly();
        }

        @Override
        public BlockDevice device() {
            return guard;
        }

        @Override
        public void close() {
            holds.remove(this);
        }
    }
}
