package dev.copyservices.agent.nbd;

import static dev.copyservices.agent.nbd.NbdProtocol.*;

import dev.copyservices.agent.volume.BlockDevice;
import dev.copyservices.agent.volume.BlockIoException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Checks and performs transmission-phase commands against one export's device. */
final class RequestHandler {
    private static final Logger LOG = Logger.getLogger(RequestHandler.class.getName());
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

    private final Export export;
    private final BlockDevice device;
    private final long size;
    private final AtomicBoolean bugLogged = new AtomicBoolean();

    RequestHandler(Export export) {
        this.export = export;
        this.device = export.device();
        this.size = export.size();
    }

    /** Returns 0 if the request may run, or the error to answer it with without running it. */
    int validate(int type, int flags, long offset, long length) {
        switch (type) {
            case CMD_READ, CMD_WRITE, CMD_FLUSH, CMD_TRIM, CMD_WRITE_ZEROES -> {
            }
            default -> {
                return EINVAL;
            }
        }
        // FUA is valid on every command once negotiated; NO_HOLE only on WRITE_ZEROES. The spec
        // asks for EINVAL on any other flag, including ones we did not negotiate (DF, FAST_ZERO).
        int allowed = CMD_FLAG_FUA | (type == CMD_WRITE_ZEROES ? CMD_FLAG_NO_HOLE : 0);
        if ((flags & ~allowed) != 0) {
            return EINVAL;
        }
        if (type == CMD_FLUSH) {
            return 0;
        }
        // Asked per request: a volume can turn read-only while a client is connected.
        if (type != CMD_READ && export.readOnly()) {
            return EPERM;
        }
        if ((type == CMD_READ || type == CMD_WRITE) && length > MAX_PAYLOAD) {
            return EINVAL;
        }
        // offset is unsigned on the wire, so a negative long lies beyond any export. Comparing
        // against size - offset rather than computing offset + length cannot overflow.
        if (offset < 0 || offset > size || length > size - offset) {
            // As the spec asks: ENOSPC for writes past the end, EINVAL for reads and trims.
            return type == CMD_WRITE || type == CMD_WRITE_ZEROES ? ENOSPC : EINVAL;
        }
        return 0;
    }

    /**
     * Performs a validated request and returns its NBD error (0 on success). For a read, the
     * buffer holds the data from position 0 to {@code length} afterwards. Never throws: a failing
     * or buggy device costs one request, not the connection.
     */
    int execute(int type, int flags, long offset, long length, ByteBuffer buffer) {
        try {
            switch (type) {
                case CMD_READ -> {
                    device.read(offset, buffer);
                    buffer.position(0).limit((int) length);
                }
                case CMD_WRITE -> device.write(offset, buffer);
                case CMD_FLUSH -> device.flush();
                case CMD_TRIM -> device.trim(offset, length);
                case CMD_WRITE_ZEROES -> {
                    if ((flags & CMD_FLAG_NO_HOLE) != 0) {
                        writeAllocatedZeroes(offset, length);
                    } else {
                        device.writeZeroes(offset, length);
                    }
                }
                default -> throw new IllegalStateException("command was not validated: " + type);
            }
            // FUA: the reply promises durability, so flush before sending it.
            if ((flags & CMD_FLAG_FUA) != 0 && type != CMD_READ && type != CMD_FLUSH) {
                device.flush();
            }
            return 0;
        } catch (BlockIoException e) {
            return switch (e.kind()) {
                case IO -> EIO;
                case NO_SPACE -> ENOSPC;
                case NOT_PERMITTED -> EPERM;
            };
        } catch (IOException e) {
            // a full pool file system is the client's ENOSPC, as the protocol asks, not a device failure
            return dev.copyservices.agent.volume.PoolErrors.noSpace(e) ? ENOSPC : EIO;
        } catch (RuntimeException | Error e) {
            // Logged once per connection: a broken device would otherwise flood the log per request.
            Level level = bugLogged.compareAndSet(false, true) ? Level.WARNING : Level.FINE;
            LOG.log(level, "NBD request on export " + export.name() + " failed unexpectedly", e);
            return EIO;
        }
    }

    /** NO_HOLE asks for the range to stay allocated, so write real zeroes instead of punching. */
    private void writeAllocatedZeroes(long offset, long length) throws IOException {
        long done = 0;
        while (done < length) {
            int chunk = (int) Math.min(length - done, ZEROES.capacity());
            device.write(offset + done, ZEROES.duplicate().clear().limit(chunk));
            done += chunk;
        }
    }
}
