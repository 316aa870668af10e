package dev.copyservices.agent.events;

/**
 * Where engines report what happened (the seeds' Major Event Log). Publishing never blocks on
 * readers and never throws: an event is information, never a reason to fail an I/O.
 */
public interface EventSink {
    enum Severity {
        INFO,
        WARNING,
        CRITICAL
    }

    void publish(Severity severity, String reason, String objectKind, String objectName, String message,
            String correction);

    /** Drops everything; for engines under unit test. */
    EventSink NONE = (severity, reason, kind, name, message, correction) -> {
    };
}
