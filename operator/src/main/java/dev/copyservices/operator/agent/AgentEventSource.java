package dev.copyservices.operator.agent;

import dev.copyservices.api.agent.v1.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Follows the event stream of every agent that some primary resource points at, and triggers a
 * reconcile of those resources for each agent event, so status reaches Kubernetes as soon as the
 * agent reports a change, without polling. When a stream ends (the agent stopped, the network
 * failed) the resources are reconciled at once, which shows the agent unreachable, and the stream is
 * re-opened with a growing delay; a re-opened stream triggers a reconcile again.
 *
 * <p>Reconcilers call {@link #track} with the endpoint a resource uses. A resource that no longer
 * exists is dropped the next time its agent has something to say, and a stream nobody needs is
 * closed, so deleting a resource needs no finalizer (which would block the deletion whenever the
 * operator is not running).
 */
public class AgentEventSource<P extends HasMetadata> extends AbstractEventSource<Event, P> {
    private static final Logger LOG = Logger.getLogger(AgentEventSource.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration MAX_RETRY = Duration.ofSeconds(15);

    private final AgentClient agents;
    private final Predicate<ResourceID> exists;
    private final Map<String, Stream> streams = new HashMap<>();
    private final Map<ResourceID, String> endpointOf = new HashMap<>();
    private final Map<ResourceID, Predicate<Event>> interestOf = new ConcurrentHashMap<>();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "agent-event-retry");
        t.setDaemon(true);
        return t;
    });

    /** {@code exists} tells whether a primary resource is still there (JOSDK's primary cache). */
    public AgentEventSource(AgentClient agents, String name, Predicate<ResourceID> exists) {
        super(Event.class, name);
        this.agents = agents;
        this.exists = exists;
    }

    /** The resource follows every event of the agent at {@code endpoint} from now on (and no longer its earlier agent's). */
    public void track(ResourceID resource, String endpoint) {
        track(resource, endpoint, event -> true);
    }

    /**
     * The resource follows the events of the agent at {@code endpoint} that {@code interest} accepts
     * (for example those about its own object); a lost or re-opened stream reconciles it whatever the
     * interest.
     */
    public synchronized void track(ResourceID resource, String endpoint, Predicate<Event> interest) {
        interestOf.put(resource, interest);
        String previous = endpointOf.put(resource, endpoint);
        if (endpoint.equals(previous)) {
            return;
        }
        if (previous != null) {
            release(resource, previous);
        }
        streams.computeIfAbsent(endpoint, Stream::new).resources.add(resource);
    }

    public synchronized void untrack(ResourceID resource) {
        interestOf.remove(resource);
        String endpoint = endpointOf.remove(resource);
        if (endpoint != null) {
            release(resource, endpoint);
        }
    }

    private void release(ResourceID resource, String endpoint) {
        Stream stream = streams.get(endpoint);
        if (stream != null) {
            stream.resources.remove(resource);
            if (stream.resources.isEmpty()) {
                streams.remove(endpoint);
                stream.close();
            }
        }
    }

    /** The last failure of the stream to the agent at endpoint, if it is down now. */
    public synchronized Optional<AgentException> streamFailure(String endpoint) {
        Stream stream = streams.get(endpoint);
        return stream == null ? Optional.empty() : Optional.ofNullable(stream.failure);
    }

    @Override
    public java.util.Set<Event> getSecondaryResources(P primary) {
        return Set.of();
    }

    @Override
    public synchronized void stop() {
        streams.values().forEach(Stream::close);
        streams.clear();
        retries.shutdownNow();
        super.stop();
    }

    private void trigger(Set<ResourceID> resources) {
        for (ResourceID id : resources) {
            if (!exists.test(id)) {
                untrack(id);
            } else if (isRunning()) {
                getEventHandler().handleEvent(new io.javaoperatorsdk.operator.processing.event.Event(id));
            }
        }
    }

    /** Whether anyone still needs the stream to endpoint; drops resources that are gone. */
    private synchronized boolean stillNeeded(Stream stream) {
        for (ResourceID id : Set.copyOf(stream.resources)) {
            if (!exists.test(id)) {
                untrack(id);
            }
        }
        return !stream.closed;
    }

    /** One agent's event stream, shared by every resource that points at that agent. */
    private final class Stream {
        final String endpoint;
        final Set<ResourceID> resources = ConcurrentHashMap.newKeySet();
        long lastSequence;
        AgentException failure;
        Duration nextRetry = FIRST_RETRY;
        AutoCloseable call;
        boolean closed;

        Stream(String endpoint) {
            this.endpoint = endpoint;
            open();
        }

        private void open() {
            synchronized (AgentEventSource.this) {
                if (closed) {
                    return;
                }
                // Replay from the last event seen: events while the stream was down are not lost.
                call = agents.watchEvents(endpoint, lastSequence, this::onEvent, this::onEnd);
            }
        }

        private void onEvent(Event event) {
            Set<ResourceID> targets;
            boolean recovered;
            synchronized (AgentEventSource.this) {
                if (closed) {
                    return;
                }
                lastSequence = Math.max(lastSequence, event.getSequence());
                recovered = failure != null;
                failure = null;
                nextRetry = FIRST_RETRY;
                targets = Set.copyOf(resources);
                if (recovered) {
                    LOG.infof("event stream of %s is back", endpoint);
                }
            }
            if (!recovered) {
                targets = targets.stream()
                        .filter(id -> interestOf.getOrDefault(id, e -> true).test(event))
                        .collect(java.util.stream.Collectors.toSet());
            }
            trigger(targets);
        }

        private void onEnd(AgentException why) {
            Set<ResourceID> targets;
            Duration delay;
            synchronized (AgentEventSource.this) {
                if (closed) {
                    return;
                }
                boolean wasUp = failure == null;
                failure = why;
                delay = nextRetry;
                nextRetry = nextRetry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : nextRetry.multipliedBy(2);
                targets = wasUp ? Set.copyOf(resources) : Set.of();
                if (wasUp) {
                    LOG.warnf("event stream of %s ended: %s; reconnecting", endpoint, why.describe());
                }
            }
            trigger(targets);
            retries.schedule(this::reopen, delay.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void reopen() {
            if (!stillNeeded(this)) {
                return;
            }
            // A re-opened stream says nothing until the agent has a new event, so ask the agent
            // directly whether it is back and reconcile when it is.
            try {
                agents.getArray(endpoint);
            } catch (AgentException e) {
                onEnd(e);
                return;
            }
            Set<ResourceID> targets;
            synchronized (AgentEventSource.this) {
                if (closed) {
                    return;
                }
                failure = null;
                nextRetry = FIRST_RETRY;
                targets = Set.copyOf(resources);
                LOG.infof("agent %s answers again", endpoint);
            }
            open();
            trigger(targets);
        }

        void close() {
            closed = true;
            if (call != null) {
                try {
                    call.close();
                } catch (Exception e) {
                    LOG.debugf("closing the event stream of %s: %s", endpoint, e);
                }
            }
        }
    }
}
