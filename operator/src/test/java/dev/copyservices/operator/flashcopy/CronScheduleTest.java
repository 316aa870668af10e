package dev.copyservices.operator.flashcopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
    private static ZonedDateTime at(String time) {
        return ZonedDateTime.parse(time);
    }

    private static String next(String schedule, String after) {
        return CronSchedule.parse(schedule).next(at(after)).toString();
    }

    @Test
    void aNightlyScheduleFiresAtTwoEveryNightAndNeverAtTheSameMinuteAgain() {
        assertEquals("2026-12-07T02:00Z", next("0 2 * * *", "2026-12-06T22:40Z"));
        assertEquals("2026-12-08T02:00Z", next("0 2 * * *", "2026-12-07T02:00Z"));
        assertEquals("2026-12-07T00:00Z", next("@daily", "2026-12-06T22:40:30Z"));
    }

    @Test
    void stepsRangesListsAndWeekdaysWorkAsInCrontab() {
        assertEquals("2026-12-06T22:45Z", next("*/15 * * * *", "2026-12-06T22:40Z"));
        assertEquals("2026-12-07T09:00Z", next("0 9-17/4 * * 1-5", "2026-12-05T23:00Z")); // Saturday -> Monday 09:00
        assertEquals("2026-12-06T23:00Z", next("0 * * * 0,7", "2026-12-06T22:40Z")); // 2026-12-06 is a Sunday
        assertEquals("2027-01-01T00:00Z", next("@yearly", "2026-12-06T22:40Z"));
    }

    @Test
    void withBothDayFieldsRestrictedEitherDayCounts() {
        // the 15th or any Monday: Monday 2026-12-07 comes first
        assertEquals("2026-12-07T00:00Z", next("0 0 15 * 1", "2026-12-06T01:00Z"));
    }

    @Test
    void aLeapDayScheduleWaitsForTheNextLeapYear() {
        assertEquals("2028-02-29T00:00Z", next("0 0 29 2 *", "2026-12-06T00:00Z"));
    }

    @Test
    void wrongSchedulesAreRefusedWithWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("61 * * * *")).getMessage()
                .contains("minute '61' is outside 0-59"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("* * *")).getMessage()
                .contains("3 fields"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("0 0 31 2 *")).getMessage()
                .contains("no date that exists"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("*/0 * * * *")).getMessage()
                .contains("at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("a * * * *")).getMessage()
                .contains("not a number"));
    }
}
