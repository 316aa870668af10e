package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Duration;
import dev.copyservices.api.agent.v1.FlashCopyState;
import dev.copyservices.api.agent.v1.FullPolicy;
import org.junit.jupiter.api.Test;

/** How FlashCopy values read in tables. */
class FlashCopyOutputTest {

    private static String duration(long seconds) {
        return FlashCopyOutput.duration(Duration.newBuilder().setSeconds(seconds).build());
    }

    @Test
    void usedPercentHasOneDecimalRoundedDown() {
        assertEquals("12.5%", FlashCopyOutput.percent(12.5));
        assertEquals("33.3%", FlashCopyOutput.percent(100.0 / 3));
        assertEquals("0%", FlashCopyOutput.percent(0));
        assertEquals("100%", FlashCopyOutput.percent(100));
    }

    @Test
    void usedPercentNeverReadsFullBeforeItIsNorEmptyWhileSomethingIsUsed() {
        assertEquals("99.9%", FlashCopyOutput.percent(99.96));
        assertEquals("<0.1%", FlashCopyOutput.percent(0.01));
    }

    @Test
    void durationShowsTheTwoLargestAdjacentUnits() {
        assertEquals("1 day 6 hours", duration(30 * 3600));
        assertEquals("3 days", duration(3 * 86_400 + 5));
        assertEquals("2 hours 1 minute", duration(2 * 3600 + 60 + 59));
        assertEquals("1 minute 30 seconds", duration(90));
        assertEquals("45 seconds", duration(45));
        assertEquals("0 seconds", duration(0));
        assertEquals("400 days", duration(400L * 86_400));
    }

    @Test
    void negativeDurationIsShownAsUnknown() {
        assertEquals("-", duration(-1));
    }

    @Test
    void statesAndPoliciesUseTheGuidesWords() {
        assertEquals("Optimal", FlashCopyOutput.state(FlashCopyState.OPTIMAL));
        assertEquals("Disabled", FlashCopyOutput.state(FlashCopyState.DISABLED));
        assertEquals("Failed", FlashCopyOutput.state(FlashCopyState.FAILED));
        assertEquals("Full", FlashCopyOutput.state(FlashCopyState.FULL));
        assertEquals("-", FlashCopyOutput.state(FlashCopyState.FLASH_COPY_STATE_UNSPECIFIED));
        assertEquals("unknown", FlashCopyOutput.state(FlashCopyState.UNRECOGNIZED));
        assertEquals("FailFlashCopy", FlashCopyOutput.policy(FullPolicy.FAIL_FLASH_COPY));
        assertEquals("FailBaseWrites", FlashCopyOutput.policy(FullPolicy.FAIL_BASE_WRITES));
        assertEquals("-", FlashCopyOutput.policy(FullPolicy.FULL_POLICY_UNSPECIFIED));
    }
}
