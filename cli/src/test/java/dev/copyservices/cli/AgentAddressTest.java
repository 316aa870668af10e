package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AgentAddressTest {

    @Test
    void parsesHostsIpv4AndBracketedIpv6() {
        assertEquals(new AgentAddress("127.0.0.1", 7400), AgentAddress.parse("127.0.0.1:7400"));
        assertEquals(new AgentAddress("agent.storage.svc", 1), AgentAddress.parse(" agent.storage.svc:1 "));
        assertEquals(new AgentAddress("::1", 65535), AgentAddress.parse("[::1]:65535"));
        assertEquals("[::1]:7400", new AgentAddress("::1", 7400).toString());
        assertEquals("host:7400", new AgentAddress("host", 7400).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "host", "host:", ":7400", "host:0", "host:65536", "host:http", "::1:7400",
            "[]:7400", "a b:7400"})
    void refusesWhatIsNotHostColonPort(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AgentAddress.parse(text));
        assertTrue(e.getMessage().startsWith("'" + text + "'"), e.getMessage());
    }

    @Test
    void errorsAboutAnotherAddressGiveItsExampleRatherThanTheAgentsDefault() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AgentAddress.parse("array-b", "array-b.example:7401"));
        assertEquals("'array-b' is not HOST:PORT, e.g. array-b.example:7401", e.getMessage());
        assertEquals(new AgentAddress("array-b", 7401), AgentAddress.parse("array-b:7401", "x:1"));
    }
}
