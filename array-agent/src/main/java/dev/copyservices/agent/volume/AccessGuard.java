package dev.copyservices.agent.volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The device hosts reach a volume through: checks each request against the restrictions other
 * engines put on the volume (keyed by who asked, so that they do not overwrite each other) and
 * refuses with NOT_PERMITTED (EPERM on NBD). Engines' own I/O uses the device underneath.
 *
 * <p>Each request holds the gate shared from its check to its end, and a change of restrictions takes
 * it exclusively: when {@link #restrict} returns, no request admitted under the old rules is still
 * running, so e.g. a copy that starts afterwards sees no host write land on its source.
 */
final class AccessGuard implements BlockDevice {
    private final BlockDevice device;
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    /** Owner -> restriction; replaced under the exclusive gate, never mutated. */
    private volatile Map<String, Restriction> restrictions = Map.of();
    private volatile HostAccess access = HostAccess.READ_WRITE;

    record Restriction(HostAccess access, String why) {
    }

    /** Where each request's outcome goes: the volume's metrics. */
    interface Observer {
        void completed(HostIoListener.Operation operation, long bytes, long nanos, boolean failed);
    }

    private final Observer observer;

    AccessGuard(BlockDevice device, Observer observer) {
        this.device = device;
        this.observer = observer;
    }

    /** Sets (or with READ_WRITE lifts) {@code owner}'s restriction, after requests in flight end. */
    void restrict(String owner, HostAccess newAccess, String why) {
        Lock exclusive = gate.writeLock();
        exclusive.lock();
        try {
            Map<String, Restriction> next = new HashMap<>(restrictions);
            if (newAccess == HostAccess.READ_WRITE) {
                next.remove(owner);
            } else {
                next.put(owner, new Restriction(newAccess, why));
            }
            HostAccess combined = HostAccess.READ_WRITE;
            for (Restriction r : next.values()) {
                combined = combined.and(r.access());
            }
            restrictions = Map.copyOf(next);
            access = combined;
        } finally {
            exclusive.unlock();
        }
    }

    /** Returns once every host request admitted before the call has ended. */
    void awaitAdmitted() {
        Lock exclusive = gate.writeLock();
        exclusive.lock();
        exclusive.unlock();
    }

    /** Why hosts are restricted, one clause per owner in text order; empty when they are not. */
    String describe() {
        StringBuilder text = new StringBuilder();
        for (Restriction r : restrictions.values().stream().sorted(java.util.Comparator.comparing(Restriction::why))
                .toList()) {
            text.append(text.isEmpty() ? "" : "; ").append(r.access() == HostAccess.NONE ? "no host I/O" : "read-only")
                    .append(": ").append(r.why());
        }
        return text.toString();
    }

    @Override
    public long size() {
        return device.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        admitted(HostIoListener.Operation.READ, dst.remaining(), () -> device.read(offset, dst));
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        admitted(HostIoListener.Operation.WRITE, src.remaining(), () -> device.write(offset, src));
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        admitted(HostIoListener.Operation.WRITE_ZEROES, length, () -> device.writeZeroes(offset, length));
    }

    @Override
    public void trim(long offset, long length) throws IOException {
        admitted(HostIoListener.Operation.TRIM, length, () -> device.trim(offset, length));
    }

    @Override
    public void flush() throws IOException {
        device.flush(); // never refused: it only makes earlier, admitted writes durable
    }

    private interface Request {
        void run() throws IOException;
    }

    /** Runs a host request if the current access allows it, holding the gate shared until it ends. */
    private void admitted(HostIoListener.Operation operation, long bytes, Request request) throws IOException {
        boolean write = operation != HostIoListener.Operation.READ;
        long start = System.nanoTime();
        boolean failed = true;
        Lock shared = gate.readLock();
        shared.lock();
        try {
            HostAccess now = access;
            if (!(write ? now.allowsWrite() : now.allowsRead())) {
                throw new BlockIoException(BlockIoException.Kind.NOT_PERMITTED, (write ? "writes" : "reads")
                        + " refused: " + describe());
            }
            request.run();
            failed = false;
        } finally {
            shared.unlock();
            observer.completed(operation, bytes, System.nanoTime() - start, failed);
        }
    }
}
