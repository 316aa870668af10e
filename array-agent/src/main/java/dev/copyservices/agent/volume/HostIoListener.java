package dev.copyservices.agent.volume;

/**
 * Told of every host request a volume served or refused, for metrics. Called on the request's own
 * thread after it ended, so it must be quick and must not throw.
 */
public interface HostIoListener {
    enum Operation {
        READ, WRITE, WRITE_ZEROES, TRIM
    }

    HostIoListener NONE = (volume, operation, bytes, nanos, failed) -> {
    };

    void completed(String volume, Operation operation, long bytes, long nanos, boolean failed);
}
