package dev.copyservices.agent.mirror;

import dev.copyservices.agent.volume.VolumeDevice;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The outermost device of every standard volume: while the volume is a mirror's primary, writes go
 * through its member (change map, replication); otherwise straight to the device underneath. The
 * member is looked up per request, so a mirror created or removed later takes effect at once.
 */
final class MirrorDevice implements VolumeDevice {
    private final VolumeDevice device;
    private final String volumeId;
    private final MirrorEngine engine;

    MirrorDevice(VolumeDevice device, String volumeId, MirrorEngine engine) {
        this.device = device;
        this.volumeId = volumeId;
        this.engine = engine;
    }

    VolumeDevice device() {
        return device;
    }

    @Override
    public long size() {
        return device.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        device.read(offset, dst); // reads never involve the peer (L7542)
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        Member member = engine.primaryOf(volumeId);
        if (member == null) {
            device.write(offset, src);
            return;
        }
        ByteBuffer data = src.duplicate();
        member.hostWrite(offset, src.remaining(), data, () -> device.write(offset, src));
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        Member member = engine.primaryOf(volumeId);
        if (member == null) {
            device.writeZeroes(offset, length);
            return;
        }
        member.hostWrite(offset, length, null, () -> device.writeZeroes(offset, length));
    }

    @Override
    public void trim(long offset, long length) throws IOException {
        Member member = engine.primaryOf(volumeId);
        if (member == null) {
            device.trim(offset, length);
            return;
        }
        // a trimmed range reads as zeroes here (holes); the peer gets zeroes so the members stay equal
        member.hostWrite(offset, length, null, () -> device.trim(offset, length));
    }

    @Override
    public void flush() throws IOException {
        device.flush();
        Member member = engine.primaryOf(volumeId);
        if (member != null) {
            member.hostFlush();
        }
    }

    @Override
    public long allocatedBytes() {
        return device.allocatedBytes();
    }

    @Override
    public void grow(long newSize) throws IOException {
        device.grow(newSize);
    }

    /**
     * A whole-volume copy from this volume: reads need no mirroring, so the device underneath copies
     * (inside the kernel where it can) unless the target is itself a replicating primary, whose writes
     * must pass its member.
     */
    @Override
    public void copyRangeTo(VolumeDevice target, long offset, long length) throws IOException {
        if (target instanceof MirrorDevice other && engine.primaryOf(other.volumeId) == null) {
            device.copyRangeTo(other.device, offset, length);
        } else {
            device.copyRangeTo(target, offset, length);
        }
    }

    @Override
    public void close() throws IOException {
        device.close();
    }
}
