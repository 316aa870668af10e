package dev.copyservices.csi.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeAddressTest {
    @Test
    void aGivenAddressIsWhatTheNodeAttachesWith() {
        assertEquals("10.0.0.5", new NodeAddress(Optional.of("10.0.0.5")).toward("10.0.0.9:10809"));
        assertEquals("fd00::5", new NodeAddress(Optional.of("fd00::5")).toward("[fd00::9]:10809"));
    }

    @Test
    void withoutOneItIsTheLocalAddressTowardTheAgent() {
        assertEquals("127.0.0.1", new NodeAddress(Optional.empty()).toward("127.0.0.1:10809"));
    }

    @Test
    void aHostNameOrGarbageIsRefusedAtStartWithWhatToGive() {
        for (String bad : new String[] {"node-1.example", "localhost", "10.0.0", "", "1.2.3.4.5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new NodeAddress(Optional.of(bad)), bad);
            assertTrue(e.getMessage().contains("is not an IP address; give the IPv4 or IPv6 address"), e.getMessage());
        }
    }
}
