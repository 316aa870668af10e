package dev.copyservices.operator.flashcopy;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;

/**
 * A cron schedule as crontab(5) writes it, in UTC: minute, hour, day of month, month, day of week,
 * each a list of values, ranges and steps ({@code *}, {@code 5}, {@code 1-5}, {@code *}{@code /15},
 * {@code 0-30/10}, {@code 1,15}), or one of {@code @yearly @annually @monthly @weekly @daily @hourly}.
 * Day of week is 0-7 (0 and 7 are Sunday). As in cron, when both day fields are restricted a day
 * matching either one counts.
 */
final class CronSchedule {
    private static final Map<String, String> MACROS = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@hourly", "0 * * * *");
    /** Far enough for any valid schedule (Feb 29 comes within 8 years); a schedule that never fires is refused. */
    private static final int SEARCH_YEARS = 9;

    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet days;
    private final BitSet months;
    private final BitSet weekdays;
    private final boolean dayRestricted;
    private final boolean weekdayRestricted;

    private CronSchedule(BitSet minutes, BitSet hours, BitSet days, BitSet months, BitSet weekdays, boolean dayRestricted,
            boolean weekdayRestricted) {
        this.minutes = minutes;
        this.hours = hours;
        this.days = days;
        this.months = months;
        this.weekdays = weekdays;
        this.dayRestricted = dayRestricted;
        this.weekdayRestricted = weekdayRestricted;
    }

    /** @throws IllegalArgumentException saying which field is wrong and why */
    static CronSchedule parse(String expression) {
        String text = expression == null ? "" : expression.trim().toLowerCase(Locale.ROOT);
        text = MACROS.getOrDefault(text, text);
        String[] fields = text.split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("it has " + fields.length + " fields, not 5");
        }
        BitSet weekdays = field(fields[4], "day of week", 0, 7);
        if (weekdays.get(7)) {
            weekdays.set(0); // 7 is Sunday too
        }
        CronSchedule schedule = new CronSchedule(field(fields[0], "minute", 0, 59), field(fields[1], "hour", 0, 23),
                field(fields[2], "day of month", 1, 31), field(fields[3], "month", 1, 12), weekdays,
                !fields[2].equals("*"), !fields[4].equals("*"));
        ZonedDateTime start = ZonedDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        if (schedule.nextAfter(start) == null) {
            throw new IllegalArgumentException("it names no date that exists (e.g. 31 in a month of 30 days)");
        }
        return schedule;
    }

    private static BitSet field(String text, String name, int min, int max) {
        BitSet values = new BitSet(max + 1);
        for (String part : text.split(",", -1)) {
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), name);
                if (step < 1) {
                    throw new IllegalArgumentException("the " + name + " step in '" + part + "' must be at least 1");
                }
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", -1);
                if (ends.length != 2) {
                    throw new IllegalArgumentException("the " + name + " range '" + range + "' is not FROM-TO");
                }
                from = number(ends[0], name);
                to = number(ends[1], name);
            } else {
                from = number(range, name);
                to = slash >= 0 ? max : from;
            }
            if (from < min || to > max || from > to) {
                throw new IllegalArgumentException("the " + name + " '" + part + "' is outside " + min + "-" + max);
            }
            for (int v = from; v <= to; v += step) {
                values.set(v);
            }
        }
        return values;
    }

    private static int number(String text, String name) {
        if (!text.matches("\\d{1,2}")) {
            throw new IllegalArgumentException("the " + name + " '" + text + "' is not a number");
        }
        return Integer.parseInt(text);
    }

    /** The first time after {@code after} (to the minute, UTC) at which the schedule fires. */
    ZonedDateTime next(ZonedDateTime after) {
        ZonedDateTime next = nextAfter(after.withZoneSameInstant(ZoneOffset.UTC));
        if (next == null) {
            throw new IllegalStateException("no time within " + SEARCH_YEARS + " years"); // parse refuses such schedules
        }
        return next;
    }

    private ZonedDateTime nextAfter(ZonedDateTime after) {
        ZonedDateTime t = after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        ZonedDateTime end = after.plusYears(SEARCH_YEARS);
        while (t.isBefore(end)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
            } else if (!dayMatches(t)) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
            } else if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                return t;
            }
        }
        return null;
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean day = days.get(t.getDayOfMonth());
        boolean weekday = weekdays.get(t.getDayOfWeek().getValue() % 7);
        if (dayRestricted && weekdayRestricted) {
            return day || weekday;
        }
        return day && weekday;
    }
}
