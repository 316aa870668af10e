package dev.copyservices.agent.it;

import dev.copyservices.api.agent.v1.Event;
import dev.copyservices.api.agent.v1.EventServiceGrpc;
import dev.copyservices.api.agent.v1.WatchEventsRequest;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Waits on an agent's event stream instead of polling its state. */
public final class AgentEvents {
    private AgentEvents() {
    }

    /** The sequence number of the newest event the agent holds, to wait for events after it. */
    public static long lastSequence(AgentProcess agent) {
        long last = 0;
        Iterator<Event> events = EventServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(30,
                TimeUnit.SECONDS).watchEvents(WatchEventsRequest.getDefaultInstance());
        while (events.hasNext()) {
            last = Math.max(last, events.next().getSequence());
        }
        return last;
    }

    /**
     * Follows the stream from after {@code after} until an event with {@code reason} was seen for
     * every object in {@code objects}; fails on FLASHCOPY_RELATIONSHIP_FAILED, VOLUMECOPY_FAILED or after
     * two minutes.
     */
    public static void await(AgentProcess agent, long after, String reason, Set<String> objects, String context) {
        Set<String> missing = new HashSet<>(objects);
        Iterator<Event> events = EventServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(120,
                TimeUnit.SECONDS).watchEvents(WatchEventsRequest.newBuilder().setFollow(true).setAfterSequence(after)
                        .build());
        while (events.hasNext()) {
            Event event = events.next();
            if (event.getReason().equals(reason)) {
                missing.remove(event.getObjectName());
                if (missing.isEmpty()) {
                    return;
                }
            }
            if (event.getReason().equals("FLASHCOPY_RELATIONSHIP_FAILED")
                    || event.getReason().equals("VOLUMECOPY_FAILED")) {
                throw new AssertionError(context + ": " + event.getMessage());
            }
        }
        throw new AssertionError(context + ": no " + reason + " for " + missing);
    }
}
