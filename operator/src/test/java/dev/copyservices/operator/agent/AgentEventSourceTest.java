package dev.copyservices.operator.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.Event;
import dev.copyservices.crds.array.StorageArray;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AgentEventSourceTest {
    private static final String ENDPOINT = "10.0.0.1:7400";
    private final FakeAgent agent = new FakeAgent();
    private final Set<ResourceID> existing = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<ResourceID> triggered = new LinkedBlockingQueue<>();
    private final AgentEventSource<StorageArray> source = new AgentEventSource<>(agent, "test", existing::contains);

    AgentEventSourceTest() {
        source.setEventHandler(event -> triggered.add(event.getRelatedCustomResourceID()));
        source.start();
    }

    @AfterEach
    void stop() {
        source.stop();
    }

    @Test
    void everyAgentEventReconcilesEachResourceThatUsesTheAgentAndOneStreamServesThemAll() throws Exception {
        ResourceID a = resource("a");
        ResourceID b = resource("b");
        source.track(a, ENDPOINT);
        source.track(b, ENDPOINT);

        agent.streams.get(0).events.accept(Event.newBuilder().setSequence(5).build());

        assertEquals(Set.of(a, b), Set.of(next(), next()));
        assertEquals(1, agent.streams.size());
    }

    @Test
    void aLostStreamReconcilesAtOnceThenReopensFromTheLastEventOnceTheAgentAnswers() throws Exception {
        ResourceID a = resource("a");
        source.track(a, ENDPOINT);
        agent.streams.get(0).events.accept(Event.newBuilder().setSequence(9).build());
        assertEquals(a, next());

        agent.down = true;
        agent.streams.get(0).end.accept(new AgentException("AgentUnreachable", "gone", ""));
        assertEquals(a, next(), "the loss is reconciled at once");
        assertTrue(source.streamFailure(ENDPOINT).isPresent());

        agent.down = false;
        assertEquals(a, next(), "the agent answering again is reconciled");
        assertEquals(2, agent.streams.size());
        assertEquals(9, agent.streams.get(1).afterSequence, "events while the stream was down are replayed");
        assertTrue(source.streamFailure(ENDPOINT).isEmpty());
    }

    @Test
    void aDeletedResourceIsDroppedAndItsStreamClosedWithoutAFinalizer() throws Exception {
        ResourceID a = resource("a");
        source.track(a, ENDPOINT);
        existing.remove(a);

        agent.streams.get(0).events.accept(Event.newBuilder().setSequence(1).build());

        assertEquals(null, triggered.poll(200, TimeUnit.MILLISECONDS));
        assertTrue(agent.streams.get(0).closed);
    }

    @Test
    void aResourceThatMovesToAnotherAgentLeavesTheOldStream() {
        ResourceID a = resource("a");
        source.track(a, ENDPOINT);
        source.track(a, "10.0.0.2:7400");

        assertTrue(agent.streams.get(0).closed);
        assertEquals("10.0.0.2:7400", agent.streams.get(1).endpoint);
    }

    private ResourceID resource(String name) {
        ResourceID id = new ResourceID(name);
        existing.add(id);
        return id;
    }

    private ResourceID next() throws InterruptedException {
        ResourceID id = triggered.poll(10, TimeUnit.SECONDS);
        if (id == null) {
            throw new AssertionError("no reconcile was triggered within 10 s");
        }
        return id;
    }

    private static final class FakeAgent extends FakeAgentClient {
        final List<FakeStream> streams = new CopyOnWriteArrayList<>();
        volatile boolean down;

        @Override
        public Array getArray(String endpoint) throws AgentException {
            if (down) {
                throw new AgentException("AgentUnreachable", "cannot reach " + endpoint, "");
            }
            return Array.getDefaultInstance();
        }

        @Override
        public AutoCloseable watchEvents(String endpoint, long afterSequence, Consumer<Event> onEvent, Consumer<AgentException> onEnd) {
            FakeStream stream = new FakeStream(endpoint, afterSequence, onEvent, onEnd);
            streams.add(stream);
            return () -> stream.closed = true;
        }
    }

    private static final class FakeStream {
        final String endpoint;
        final long afterSequence;
        final Consumer<Event> events;
        final Consumer<AgentException> end;
        volatile boolean closed;

        FakeStream(String endpoint, long afterSequence, Consumer<Event> events, Consumer<AgentException> end) {
            this.endpoint = endpoint;
            this.afterSequence = afterSequence;
            this.events = events;
            this.end = end;
        }
    }
}
