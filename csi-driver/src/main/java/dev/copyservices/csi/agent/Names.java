package dev.copyservices.csi.agent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Agent-side names and CSI ids. Agent names are at most 30 characters and CSI request names are
 * longer (pvc-&lt;uuid&gt; has 40), so the agent name is derived from a hash of the request name:
 * short, stable (a retried request finds its volume) and, with 130 bits, unique in practice. The
 * request name itself is kept as an attribute. A CSI id is {@code <array>/<agent name>}: array
 * names cannot contain '/', so any controller with the same agents can split it.
 */
public final class Names {
    /** Attribute holding the CSI request name on volumes and FlashCopies the driver created. */
    public static final String REQUEST_NAME_ATTRIBUTE = "csi.copyservices.dev/name";
    /** Attribute holding the content source (a CSI snapshot or volume id) of a restored or cloned volume. */
    public static final String SOURCE_ATTRIBUTE = "csi.copyservices.dev/source";
    /** Attribute on a group snapshot's member volume: the agent name of its FlashCopy group. */
    public static final String GROUP_ATTRIBUTE = "csi.copyservices.dev/group-snapshot";
    /** The topology key: a volume lives on one array, reachable from the nodes that report it. */
    public static final String TOPOLOGY_KEY = "topology.block.copyservices.dev/array";

    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private Names() {
    }

    /** csi-&lt;26 base32 characters&gt;: 30 characters. */
    public static String volumeName(String requestName) {
        return "csi-" + hash(requestName, 26);
    }

    /** snap-&lt;23 base32 characters&gt;: 28 characters, so its repository name (+ "-R") fits in 30. */
    public static String snapshotName(String requestName) {
        return "snap-" + hash(requestName, 23);
    }

    /** gsnap-&lt;24 base32 characters&gt;: the FlashCopy group of a group snapshot. */
    public static String groupName(String requestName) {
        return "gsnap-" + hash(requestName, 24);
    }

    /** gm-&lt;27 base32 characters&gt;: the target volume holding one member of a group snapshot. */
    public static String groupMemberName(String requestName, String sourceVolumeId) {
        return "gm-" + hash(requestName + "\n" + sourceVolumeId, 27);
    }

    public static String repositoryName(String snapshotName) {
        return snapshotName + "-R";
    }

    public static String id(String array, String name) {
        return array + "/" + name;
    }

    /** An id split into array and agent name, or empty when it is not of the driver's form. */
    public static Optional<Ref> parse(String id) {
        int slash = id.indexOf('/');
        if (slash <= 0 || slash == id.length() - 1 || id.indexOf('/', slash + 1) >= 0) {
            return Optional.empty();
        }
        return Optional.of(new Ref(id.substring(0, slash), id.substring(slash + 1)));
    }

    public record Ref(String array, String name) {
        public String id() {
            return Names.id(array, name);
        }
    }

    private static String hash(String text, int length) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        StringBuilder out = new StringBuilder(length);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; out.length() < length; i++) {
            buffer = (buffer << 8) | (digest[i] & 0xff);
            bits += 8;
            while (bits >= 5 && out.length() < length) {
                out.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return out.toString();
    }
}
