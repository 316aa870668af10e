package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.VolumeCopy;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** How VolumeCopy values read: the progress bar, state and priority names, a pair the agent sent little of. */
class VolumeCopyOutputTest {

    @Test
    void anEmptyBarAtNoProgress() {
        assertEquals("[....................]  0%", VolumeCopyOutput.bar(0, 20));
    }

    @Test
    void aBarFilledByWholeSharesWithThePercentToOneDecimal() {
        assertEquals("[#########...........]  45.2%", VolumeCopyOutput.bar(45.2, 20));
        assertEquals("[##########..........]  50%", VolumeCopyOutput.bar(50, 20));
    }

    @Test
    void aFullBarOnlyAtAHundredPercent() {
        assertEquals("[####################]  100%", VolumeCopyOutput.bar(100, 20));
        assertEquals("[###################.]  99.9%", VolumeCopyOutput.bar(99.99, 20));
    }

    @Test
    void theBarHasTheGivenWidthBetweenItsBrackets() {
        assertEquals("[#####.....]  50%", VolumeCopyOutput.bar(50, 10));
        assertEquals("[.]  45.2%", VolumeCopyOutput.bar(45.2, 1));
        assertEquals("[#]  100%", VolumeCopyOutput.bar(100, 1));
        String wide = VolumeCopyOutput.bar(45.2, 60);
        assertEquals("[" + "#".repeat(27) + ".".repeat(33) + "]  45.2%", wide);
        assertEquals(VolumeCopyOutput.BAR_WIDTH + 2, VolumeCopyOutput.bar(12.5, VolumeCopyOutput.BAR_WIDTH)
                .indexOf("  "));
        assertThrows(IllegalArgumentException.class, () -> VolumeCopyOutput.bar(10, 0));
    }

    @Test
    void valuesOutsideZeroToAHundredDrawWithinTheBar() {
        assertEquals("[....]  0%", VolumeCopyOutput.bar(-3, 4));
        assertEquals("[....]  0%", VolumeCopyOutput.bar(Double.NaN, 4));
        assertEquals("[####]  100%", VolumeCopyOutput.bar(250, 4));
    }

    @Test
    void statesAndPrioritiesAreSingleCapitalisedWords() {
        assertEquals("Pending", VolumeCopyOutput.state(CopyState.COPY_PENDING));
        assertEquals("InProgress", VolumeCopyOutput.state(CopyState.COPY_IN_PROGRESS));
        assertEquals("Completed", VolumeCopyOutput.state(CopyState.COPY_COMPLETED));
        assertEquals("Stopped", VolumeCopyOutput.state(CopyState.COPY_STOPPED));
        assertEquals("Failed", VolumeCopyOutput.state(CopyState.COPY_FAILED));
        assertEquals("-", VolumeCopyOutput.state(CopyState.COPY_STATE_UNSPECIFIED));
        assertEquals("unknown", VolumeCopyOutput.state(CopyState.UNRECOGNIZED));

        assertEquals("Lowest", VolumeCopyOutput.priority(CopyPriority.COPY_PRIORITY_LOWEST));
        assertEquals("Low", VolumeCopyOutput.priority(CopyPriority.COPY_PRIORITY_LOW));
        assertEquals("Medium", VolumeCopyOutput.priority(CopyPriority.COPY_PRIORITY_MEDIUM));
        assertEquals("High", VolumeCopyOutput.priority(CopyPriority.COPY_PRIORITY_HIGH));
        assertEquals("Highest", VolumeCopyOutput.priority(CopyPriority.COPY_PRIORITY_HIGHEST));
        assertEquals("-", VolumeCopyOutput.priority(CopyPriority.COPY_PRIORITY_UNSPECIFIED));
        assertEquals("unknown", VolumeCopyOutput.priority(CopyPriority.UNRECOGNIZED));
    }

    @Test
    void everyPriorityOnTheCommandLineIsOneTheOutputShows() {
        Converters.Priority converter = new Converters.Priority();
        for (CopyPriority p : Arrays.stream(CopyPriority.values())
                .filter(p -> p != CopyPriority.COPY_PRIORITY_UNSPECIFIED && p != CopyPriority.UNRECOGNIZED).toList()) {
            assertEquals(p, converter.convert(VolumeCopyOutput.priority(p)));
            assertEquals(p, converter.convert(" " + VolumeCopyOutput.priority(p).toUpperCase(Locale.ROOT) + " "));
        }
        assertEquals(5, VolumeCopyOutput.PRIORITIES.size());
    }

    @Test
    void aPairWithoutIdsOrTimesShowsNamesAndDashes() {
        String text = VolumeCopyOutput.render(VolumeCopy.newBuilder().setSource("db").setTarget("db-copy")
                .setState(CopyState.COPY_STOPPED).setPriority(CopyPriority.COPY_PRIORITY_LOW).build(), true);
        assertEquals("""
                Source:            db
                Target:            db-copy
                ID:                -
                State:             Stopped
                Priority:          Low
                Target read-only:  no
                Created:           -
                Started:           -
                Completed:         -
                """, text);
    }

    @Test
    void aPendingPairWithoutAQueuePositionShowsADash() {
        String text = VolumeCopyOutput.render(VolumeCopy.newBuilder().setState(CopyState.COPY_PENDING).build(), false);
        assertTrue(text.contains("Queue position:    -\n"), text);
        assertFalse(text.contains("Progress"), text);
    }
}
