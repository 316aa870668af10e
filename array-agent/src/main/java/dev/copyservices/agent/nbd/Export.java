package dev.copyservices.agent.nbd;

import dev.copyservices.agent.volume.BlockDevice;

/**
 * One client connection's hold on an export. Opened at the end of the handshake, closed when the
 * connection ends, so the owner of the export can count and revoke connections.
 */
public interface Export extends AutoCloseable {
    String name();

    /** Size as told to the client at handshake time; requests are checked against it. */
    long size();

    /** Asked at the handshake and again for each write, because a volume's access can change. */
    boolean readOnly();

    BlockDevice device();

    @Override
    void close();
}
