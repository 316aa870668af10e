package dev.copyservices.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IpAddressesTest {
    @Test
    void ipv4AndIpv6LiteralsParseToTheirAddress() {
        assertEquals("10.0.0.5", IpAddresses.parseLiteral("10.0.0.5").orElseThrow().getHostAddress());
        assertEquals("fd00:0:0:0:0:0:0:5", IpAddresses.parseLiteral("fd00::5").orElseThrow().getHostAddress());
        assertEquals("fd00:0:0:0:0:0:0:5", IpAddresses.parseLiteral("[fd00::5]").orElseThrow().getHostAddress());
        assertEquals("0.0.0.0", IpAddresses.parseLiteral("0.0.0.0").orElseThrow().getHostAddress());
    }

    @Test
    void namesShortFormsAndGarbageAreNotLiterals() {
        for (String bad : new String[] {"localhost", "node-1.example", "10.0.0", "10.1", "167772165", "10.0.0.256",
                "010.0.0.1", "1.2.3.4.5", "1::2::3", "", " ", "fd00::5%eth0", null}) {
            assertTrue(IpAddresses.parseLiteral(bad).isEmpty(), String.valueOf(bad));
        }
    }
}
