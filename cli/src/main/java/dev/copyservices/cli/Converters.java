package dev.copyservices.cli;

import dev.copyservices.api.Sizes;
import java.math.BigDecimal;
import java.time.Duration;
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
}
