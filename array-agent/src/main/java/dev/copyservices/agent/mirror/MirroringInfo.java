package dev.copyservices.agent.mirror;

/** The mirror feature on this agent; see the MirroringStatus message. */
public record MirroringInfo(boolean activated, boolean enabled, String replicationEndpoint, String partnerArray,
        String partnerArrayId, int mirrors, int maxMirrors) {
}
