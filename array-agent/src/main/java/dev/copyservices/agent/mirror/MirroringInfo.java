package dev.copyservices.agent.mirror;

/** The mirror feature on this agent; see the MirroringStatus message. */
public record MirroringInfo(boolean activated, boolean enabled, String replicationEndpoint, String partnerArray,
        String partnerArrayId, int mirrors, int maxMirrors, java.util.List<GroupInfo> consistencyGroups) {

    /** A consistency group as a whole on this agent: Synchronized only when every member is. */
    public record GroupInfo(String name, java.util.List<String> volumes,
            dev.copyservices.api.agent.v1.MirrorState state) {
    }
}
