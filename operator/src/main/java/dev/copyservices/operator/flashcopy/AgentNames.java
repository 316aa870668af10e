package dev.copyservices.operator.flashcopy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The names a Kubernetes resource's objects get on an agent, where names have at most 30 characters
 * and are unique per array. The name starts with the resource's own name, so a person can recognise
 * it in {@code csctl}. A hash of namespace and name ends it, so two namespaces never collide, and
 * the same resource always maps to the same name, which makes create idempotent across operator
 * restarts.
 */
public final class AgentNames {
    private static final int MAX = 30;
    private static final int HASH = 8;

    private AgentNames() {
    }

    /** {@code <name, cut>-<hash>}. */
    public static String object(String namespace, String name) {
        return prefix(name, MAX - HASH - 1) + "-" + hash(namespace, name);
    }

    /** {@code <name, cut>-R<hash>}: a FlashCopy's repository. */
    public static String repository(String namespace, String name) {
        return prefix(name, MAX - HASH - 2) + "-R" + hash(namespace, name);
    }

    private static String prefix(String name, int length) {
        String cut = name.length() > length ? name.substring(0, length) : name;
        // a cut may end in '-' or '.': harmless for the agent, but keep it tidy
        return cut.replaceAll("[-.]+$", "");
    }

    private static String hash(String namespace, String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((namespace + "/" + name).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
