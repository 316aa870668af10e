package dev.copyservices.agent.volume;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.api.Sizes;
import java.util.Map;
import java.util.regex.Pattern;

/** What makes a volume name, size and attribute set acceptable, with the message that says how to fix it. */
public final class VolumeRules {
    static final int MAX_NAME_LENGTH = 30;
    static final long SECTOR = 512;
    /** Far beyond any single volume we expect; the pool's file system may allow less and will say so. */
    static final long MAX_SIZE = 1L << 50;
    static final int MAX_ATTRIBUTES = 32;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._ -]{1,30}");
    private static final Pattern ATTRIBUTE_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9./_-]{0,252}");
    private static final int MAX_ATTRIBUTE_VALUE = 1024;

    private VolumeRules() {
    }

    public static void checkName(String name) {
        checkName(name, "volume");
    }

    /** The same rules for other named objects of the array (FlashCopy groups); {@code what} names the kind. */
    public static void checkName(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new EngineException(Reason.INVALID_NAME, "a " + what + " name is required",
                    "give a name of 1-30 characters: letters, digits, '-', '_', '.', space");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new EngineException(Reason.INVALID_NAME, what + " name '" + name + "' has " + name.length()
                    + " characters, more than the " + MAX_NAME_LENGTH + " allowed",
                    "shorten the name to at most 30 characters");
        }
        if (!NAME.matcher(name).matches()) {
            throw new EngineException(Reason.INVALID_NAME, what + " name '" + name + "' has characters that are"
                    + " not allowed", "use only letters, digits, '-', '_', '.' and space");
        }
        if (name.startsWith(" ") || name.endsWith(" ")) {
            throw new EngineException(Reason.INVALID_NAME, what + " name '" + name + "' starts or ends with a"
                    + " space", "remove the leading and trailing spaces");
        }
    }

    static void checkSize(long size) {
        if (size <= 0) {
            throw new EngineException(Reason.INVALID_SIZE, "a volume size must be positive, not " + size,
                    "give a size such as 10GiB");
        }
        if (size % SECTOR != 0) {
            throw new EngineException(Reason.INVALID_SIZE, "size " + size + " bytes is not a multiple of 512",
                    "round the size to whole 512-byte sectors, e.g. " + ((size / SECTOR) + 1) * SECTOR + " bytes");
        }
        if (size > MAX_SIZE) {
            throw new EngineException(Reason.INVALID_SIZE, "size " + Sizes.format(size) + " is larger than the "
                    + Sizes.format(MAX_SIZE) + " a volume may have", "give a size of at most 1 PiB");
        }
    }

    static void checkAttributes(Map<String, String> attributes) {
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw new EngineException(Reason.INVALID_ATTRIBUTE, "a volume may carry at most " + MAX_ATTRIBUTES
                    + " attributes, not " + attributes.size(), "remove attributes you do not need");
        }
        attributes.forEach((key, value) -> {
            if (!ATTRIBUTE_KEY.matcher(key).matches()) {
                throw new EngineException(Reason.INVALID_ATTRIBUTE, "attribute key '" + key + "' is not allowed",
                        "use 1-253 characters of letters, digits, '.', '/', '_', '-', starting with a letter or digit");
            }
            if (value.length() > MAX_ATTRIBUTE_VALUE) {
                throw new EngineException(Reason.INVALID_ATTRIBUTE, "the value of attribute '" + key + "' has "
                        + value.length() + " characters", "keep attribute values to at most 1024 characters");
            }
        });
    }
}
