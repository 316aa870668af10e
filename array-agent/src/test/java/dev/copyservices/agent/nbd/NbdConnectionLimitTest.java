package dev.copyservices.agent.nbd;

import static dev.copyservices.agent.nbd.NbdProtocol.FLAG_C_FIXED_NEWSTYLE;
import static dev.copyservices.agent.nbd.NbdProtocol.FLAG_C_NO_ZEROES;
import static dev.copyservices.agent.nbd.NbdProtocol.OPT_GO;
import static dev.copyservices.agent.nbd.NbdProtocol.REP_ERR_POLICY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** One client may hold a bounded number of connections; past it NBD_OPT_GO is refused, and nothing else changes. */
class NbdConnectionLimitTest extends NbdServerTestBase {
    @Test
    void aClientPastItsConnectionLimitIsRefusedEnteringTransmissionAndTheOthersKeepWorking() throws Exception {
        volume("vol", SIZE, false);
        int port = start(NbdServer.Options.defaults().withMaxConnectionsPerClient(2));
        try (RawNbdClient one = RawNbdClient.negotiated(port, "vol");
                RawNbdClient two = RawNbdClient.negotiated(port, "vol")) {
            try (RawNbdClient third = new RawNbdClient(port)) {
                third.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
                third.option(OPT_GO, RawNbdClient.infoRequest("vol"));
                RawNbdClient.OptionReply refused = third.readOptionReply();
                assertEquals(REP_ERR_POLICY, refused.type());
                assertTrue(refused.text().contains("close some first") && refused.text().contains("2"), refused.text());
            }
            assertEquals(2, registry.volume("vol").holds.get(), "the refused connection took no hold");
            one.read(1, 0, 4096);
            two.read(2, 4096, 4096);
        }
        await("both holds released", () -> registry.volume("vol").holds.get() == 0);
        try (RawNbdClient again = RawNbdClient.negotiated(port, "vol")) {
            again.read(3, 0, 512); // with the others gone, the client may connect again
        }
    }
}
