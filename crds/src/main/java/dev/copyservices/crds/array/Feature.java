package dev.copyservices.crds.array;

/** The seeds' premium features, here plain feature gates (no licence keys). */
public enum Feature {
    FlashCopy("flashcopy"), VolumeCopy("volumecopy"), RemoteMirror("mirror");

    private final String agentName;

    Feature(String agentName) {
        this.agentName = agentName;
    }

    /** The name the agent uses in its enabled_features and --disable-feature. */
    public String agentName() {
        return agentName;
    }
}
