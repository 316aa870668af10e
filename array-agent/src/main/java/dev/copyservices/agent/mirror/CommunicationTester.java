package dev.copyservices.agent.mirror;

import dev.copyservices.api.agent.v1.CommunicationResult;
import dev.copyservices.api.agent.v1.CommunicationTest;
import io.grpc.StatusRuntimeException;

/**
 * The seed's communication test (L11909-11950): round trips to the mirror's peer, reported as Passed,
 * Warning (Passed with Caution: the average comes within 80% of the maximum allowed) or Failed.
 */
final class CommunicationTester {
    /** Round trips a synchronous mirror tolerates before host writes suffer badly. */
    static final double MAXIMUM_ALLOWED_MILLIS = 100;
    private static final int PROBES = 5;

    private CommunicationTester() {
    }

    static CommunicationTest test(MirrorEngine engine, Member member) {
        PeerLink link = engine.linkOf(member);
        double first = 0;
        double total = 0;
        CommunicationTest.Builder result = CommunicationTest.newBuilder()
                .setMaximumAllowedRoundTripMillis(MAXIMUM_ALLOWED_MILLIS);
        for (int i = 0; i < PROBES; i++) {
            long start = System.nanoTime();
            try {
                link.call().hello(PeerSide.hello(engine));
                link.succeeded();
            } catch (StatusRuntimeException e) {
                link.failed(e);
                return result.setResult(CommunicationResult.COMMUNICATION_FAILED).setDetail("array '"
                        + member.record().getPeerArrayName() + "' at " + link.endpoint() + " did not answer ("
                        + PeerLink.describe(e) + "); the heartbeat keeps trying, and the mirror "
                        + (member.record().getAutomaticResync() ? "resumes by itself" : "waits for a resume")
                        + " once it answers").build();
            }
            double millis = (System.nanoTime() - start) / 1e6;
            if (i == 0) {
                first = millis;
            }
            total += millis;
        }
        double average = total / PROBES;
        boolean caution = average >= 0.8 * MAXIMUM_ALLOWED_MILLIS || first >= MAXIMUM_ALLOWED_MILLIS;
        return result.setResult(caution ? CommunicationResult.COMMUNICATION_WARNING
                : CommunicationResult.COMMUNICATION_PASSED).setTestRoundTripMillis(first)
                .setAverageRoundTripMillis(average).setDetail(caution ? "round trips come close to the maximum"
                        + " allowed; synchronous writes will be slow: consider asynchronous mode" : "").build();
    }
}
