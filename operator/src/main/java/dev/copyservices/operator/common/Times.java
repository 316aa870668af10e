package dev.copyservices.operator.common;

import com.google.protobuf.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** RFC 3339 times as Kubernetes statuses carry them. */
public final class Times {
    private Times() {
    }

    public static String rfc3339(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()).toString();
    }

    /** Now, to the second: finer would change a status on every reconcile for nothing. */
    public static String now(Clock clock) {
        return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
