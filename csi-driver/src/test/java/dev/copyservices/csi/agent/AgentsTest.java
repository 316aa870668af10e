package dev.copyservices.csi.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.csi.common.CsiError;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentsTest {
    /** Down until told otherwise; counts how often it was asked. */
    private static final class FlakyAgent extends FakeAgent {
        volatile boolean up;
        int asked;

        FlakyAgent(String name) {
            super(name);
        }

        @Override
        public Array array() throws AgentException {
            asked++;
            if (!up) {
                throw new AgentException("UNAVAILABLE", "", "down", "", null);
            }
            return super.array();
        }
    }

    @Test
    void anAgentThatDidNotAnswerIsAskedAgainOnlyAfterTheRetryInterval() {
        FlakyAgent flaky = new FlakyAgent("b");
        Agents agents = new Agents(List.of(new FakeAgent("a"), flaky), Duration.ofHours(1));
        assertEquals(List.of("a"), List.copyOf(agents.byArray().keySet()));
        flaky.up = true;
        assertEquals(List.of("a"), List.copyOf(agents.byArray().keySet()), "not asked again within the interval");
        assertEquals(1, flaky.asked);
        assertEquals(CsiError.Code.UNAVAILABLE, assertThrows(CsiError.class, () -> agents.require("b")).code(),
                "an array that may be the silent agent's is not reported missing");
    }

    @Test
    void anAgentThatComesUpIsKnownOnTheNextLookupAfterTheInterval() {
        FlakyAgent flaky = new FlakyAgent("b");
        Agents agents = new Agents(List.of(new FakeAgent("a"), flaky), Duration.ZERO);
        agents.byArray();
        flaky.up = true;
        assertEquals(List.of("a", "b"), List.copyOf(agents.byArray().keySet()));
        assertEquals(CsiError.Code.NOT_FOUND, assertThrows(CsiError.class, () -> agents.require("c")).code());
    }

    @Test
    void twoAgentsWithOneArrayNameAreRefused() {
        Agents agents = new Agents(List.of(new FakeAgent("same"), new FakeAgent("same")));
        assertEquals(CsiError.Code.FAILED_PRECONDITION, assertThrows(CsiError.class, agents::byArray).code());
    }
}
