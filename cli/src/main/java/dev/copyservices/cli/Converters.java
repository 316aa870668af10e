package dev.copyservices.cli;

import dev.copyservices.api.Sizes;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.FullPolicy;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.WriteMode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option value parsers; a value they refuse is a usage error (exit 2) carrying their message. */
final class Converters {

    private Converters() {
    }

    /** {@code --size}: bytes or binary units, as {@link Sizes} reads them. */
    static final class Size implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Sizes.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --after}: an event sequence number, 0 to 2^64-1 (a uint64 in the API). */
    static final class Sequence implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseUnsignedLong(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not an event sequence number; give a whole"
                        + " number of 0 or more, e.g. 42");
            }
        }
    }

    /** {@code --timeout}: seconds, fractions allowed, more than zero. */
    static final class Timeout implements ITypeConverter<Duration> {
        private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(24L * 3600);

        @Override
        public Duration convert(String value) {
            BigDecimal seconds;
            try {
                seconds = new BigDecimal(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a number of seconds, e.g. 30 or 2.5");
            }
            if (seconds.compareTo(BigDecimal.ZERO) <= 0 || seconds.compareTo(MAX_SECONDS) > 0) {
                throw new TypeConversionException("'" + value + "' is out of range; give more than 0 and at most "
                        + MAX_SECONDS + " seconds");
            }
            long millis = Math.max(1, seconds.movePointRight(3).longValue());
            return Duration.ofMillis(millis);
        }
    }

    /** {@code --warning-threshold}: the repository use that raises a warning. */
    static final class WarningThreshold implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return percent(value, 100, "the warning threshold is a whole percent of the repository from 1 to 100,"
                    + " e.g. 50");
        }
    }

    /**
     * {@code --repository-percent}: repository capacity as a percent of the base. Above 100 is allowed
     * because a FlashCopy of a busy base may need more room than the base itself.
     */
    static final class RepositoryPercent implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return percent(value, 1000, "the repository capacity is a whole percent of the base from 1 to 1000,"
                    + " e.g. 20; give --repository-size for an exact capacity");
        }
    }

    /** {@code --full-policy}: the DS4000 names, in any letter case. */
    static final class Policy implements ITypeConverter<FullPolicy> {
        @Override
        public FullPolicy convert(String value) {
            String wanted = value.strip();
            return Arrays.stream(FullPolicy.values())
                    .filter(p -> p != FullPolicy.FULL_POLICY_UNSPECIFIED && p != FullPolicy.UNRECOGNIZED)
                    .filter(p -> FlashCopyOutput.policy(p).equalsIgnoreCase(wanted))
                    .findFirst()
                    .orElseThrow(() -> new TypeConversionException("'" + value + "' is not a full policy; use "
                            + FlashCopyOutput.policy(FullPolicy.FAIL_FLASH_COPY) + " (the default: a full repository"
                            + " fails the FlashCopy) or " + FlashCopyOutput.policy(FullPolicy.FAIL_BASE_WRITES)
                            + " (a full repository stops writes to the base)"));
        }
    }

    /** {@code --priority} of a VolumeCopy: the five names every output shows, in any letter case. */
    static final class Priority implements ITypeConverter<CopyPriority> {
        @Override
        public CopyPriority convert(String value) {
            String wanted = value.strip();
            return VolumeCopyOutput.PRIORITIES.stream()
                    .filter(p -> VolumeCopyOutput.priority(p).equalsIgnoreCase(wanted))
                    .findFirst()
                    .orElseThrow(() -> new TypeConversionException("'" + value + "' is not a copy priority; use one"
                            + " of " + String.join(", ", VolumeCopyOutput.PRIORITIES.stream()
                                    .map(p -> VolumeCopyOutput.priority(p).toLowerCase(Locale.ROOT)).toList())
                            + " (the faster the copy, the more of the agent's I/O it takes)"));
        }
    }

    /** {@code --mode} of a mirror: sync or async, in any letter case. */
    static final class Mode implements ITypeConverter<WriteMode> {
        @Override
        public WriteMode convert(String value) {
            String wanted = value.strip();
            return Arrays.stream(new WriteMode[] {WriteMode.SYNCHRONOUS, WriteMode.ASYNCHRONOUS})
                    .filter(m -> MirrorOutput.mode(m).equalsIgnoreCase(wanted))
                    .findFirst()
                    .orElseThrow(() -> new TypeConversionException("'" + value + "' is not a write mode; use sync"
                            + " (Metro Mirroring: a write completes once it is on both volumes) or async (Global"
                            + " Copy, or Global Mirroring with --consistency-group: a write completes on the"
                            + " primary and is sent afterwards)"));
        }
    }

    /** {@code --resync} of a mirror: manual or automatic, in any letter case. */
    static final class Resync implements ITypeConverter<ResyncMethod> {
        @Override
        public ResyncMethod convert(String value) {
            String wanted = value.strip();
            return Arrays.stream(new ResyncMethod[] {ResyncMethod.MANUAL, ResyncMethod.AUTOMATIC})
                    .filter(m -> MirrorOutput.resync(m).equalsIgnoreCase(wanted))
                    .findFirst()
                    .orElseThrow(() -> new TypeConversionException("'" + value + "' is not a resync method; use"
                            + " manual (after a link failure the mirror waits for 'csctl mirror resume') or"
                            + " automatic (it resynchronizes as soon as the link returns)"));
        }
    }

    /**
     * {@code --peer} of {@code mirror create}: HOST:PORT as {@link AgentAddress} reads it, sent in its
     * plain form ({@code [::1]:7401}, no spaces).
     */
    static final class Peer implements ITypeConverter<String> {
        static final String EXAMPLE = "array-b.example:7401";

        @Override
        public String convert(String value) {
            try {
                return AgentAddress.parse(value, EXAMPLE).toString();
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage() + "; the peer is the replication endpoint of the"
                        + " other array's agent, which 'csctl mirror status' shows there");
            }
        }
    }

    /**
     * An option that takes {@code true} or {@code false} and nothing else. picocli's own boolean reading
     * says only "is not a boolean"; this one names the option's two meanings, given as {@code onTrue} and
     * {@code onFalse} by a subclass.
     */
    abstract static class TrueFalse implements ITypeConverter<Boolean> {
        private final String option;
        private final String onTrue;
        private final String onFalse;

        TrueFalse(String option, String onTrue, String onFalse) {
            this.option = option;
            this.onTrue = onTrue;
            this.onFalse = onFalse;
        }

        @Override
        public Boolean convert(String value) {
            String v = value.strip();
            if (v.equalsIgnoreCase("true")) {
                return true;
            }
            if (v.equalsIgnoreCase("false")) {
                return false;
            }
            throw new TypeConversionException("'" + value + "' is neither true nor false; give " + option + " true ("
                    + onTrue + ") or " + option + " false (" + onFalse + ")");
        }
    }

    /** {@code --target-read-only} of {@code volumecopy set}. */
    static final class TargetReadOnly extends TrueFalse {
        TargetReadOnly() {
            super("--target-read-only", "hosts may only read the target", "hosts may also write it");
        }
    }

    /** A whole percent from 1 to {@code max}; a trailing '%' is accepted because people type it. */
    private static int percent(String value, int max, String rule) {
        String digits = value.strip();
        if (digits.endsWith("%")) {
            digits = digits.substring(0, digits.length() - 1).strip();
        }
        int percent;
        try {
            percent = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a whole number; " + rule);
        }
        if (percent < 1 || percent > max) {
            throw new TypeConversionException("'" + value + "' is out of range; " + rule);
        }
        return percent;
    }
}
