package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** csctl's --agent and --peer values: a HOST:PORT with a usable host and port, or a usage error that says so. */
class AgentAddressFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void anyAddressTextIsAHostAndPortOrAUsageErrorWithAMessage(String text) {
        try {
            AgentAddress address = AgentAddress.parse(text);
            assertTrue(address.port() >= 1 && address.port() <= 65535, text + " gave port " + address.port());
            assertFalse(address.host().isEmpty(), text + " gave an empty host");
            assertTrue(address.host().chars().noneMatch(Character::isWhitespace), text + " gave host " + address.host());
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage() != null && refused.getMessage().contains("HOST:PORT")
                    || refused.getMessage().contains("port"), refused.getMessage());
        }
    }
}
