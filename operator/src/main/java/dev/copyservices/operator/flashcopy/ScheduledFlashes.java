package dev.copyservices.operator.flashcopy;

import dev.copyservices.crds.flashcopy.FlashCopy;
import dev.copyservices.crds.flashcopy.FlashCopyStatus;
import dev.copyservices.operator.agent.AgentException;
import dev.copyservices.operator.common.KubernetesEvents;
import dev.copyservices.operator.common.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * spec.schedule: a new point in time at each time the cron schedule names (the seeds' nightly
 * FlashCopy of the banking example). The operator wakes itself for the next one (a timer, not a
 * poll); if it was not running at a scheduled time it takes one point in time when it is back, not
 * one per missed time. A disabled FlashCopy is not flashed by its schedule.
 */
final class ScheduledFlashes {
    /** Takes a new point in time and returns it, for the Event. */
    interface Flash {
        String run() throws AgentException;
    }

    private final KubernetesEvents events;
    private final Clock clock;

    ScheduledFlashes(KubernetesEvents events, Clock clock) {
        this.events = events;
        this.clock = clock;
    }

    /** Flashes when a scheduled time has come; returns when to look again, empty without a schedule. */
    Optional<Duration> apply(FlashCopy resource, FlashCopyStatus status, Flash flash) throws AgentException {
        String expression = resource.getSpec().getSchedule();
        if (expression == null) {
            return Optional.empty();
        }
        CronSchedule cron;
        try {
            cron = CronSchedule.parse(expression);
        } catch (IllegalArgumentException e) {
            throw new AgentException("InvalidSchedule", "schedule '" + expression + "' is not a cron schedule: " + e.getMessage(),
                    "write five fields in UTC (minute hour day-of-month month day-of-week), e.g. '0 2 * * *' for 02:00"
                            + " every night, or @daily");
        }
        ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        ZonedDateTime since = since(resource, status, now);
        if (!Boolean.FALSE.equals(resource.getSpec().getEnabled()) && !now.isBefore(cron.next(since))) {
            String pointInTime = flash.run();
            status.setLastScheduleTime(Times.now(clock));
            events.normal(resource, "ScheduledFlash", "new point in time " + pointInTime + ", as schedule '" + expression
                    + "' says");
        }
        return Optional.of(Duration.between(now, cron.next(now)).plusSeconds(1));
    }

    /** The last scheduled flash, else the resource's creation: a schedule counts from there. */
    private static ZonedDateTime since(FlashCopy resource, FlashCopyStatus status, ZonedDateTime now) {
        String last = status.getLastScheduleTime() != null ? status.getLastScheduleTime()
                : resource.getMetadata().getCreationTimestamp();
        return last == null ? now : ZonedDateTime.ofInstant(Instant.parse(last), ZoneOffset.UTC);
    }
}
