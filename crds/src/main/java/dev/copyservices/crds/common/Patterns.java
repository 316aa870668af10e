package dev.copyservices.crds.common;

/** Regular expressions shared by several schemas; each matches what the agent or Kubernetes accepts. */
public final class Patterns {
    /** An agent's volume name: 1-30 letters, digits, '-', '_', '.' or spaces (the seeds' rule). */
    public static final String AGENT_VOLUME_NAME = "^[A-Za-z0-9_.\\- ]{1,30}$";
    /** A Kubernetes object name (DNS-1123 subdomain). */
    public static final String OBJECT_NAME = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";
    /** HOST:PORT, the host a DNS name, an IPv4 address or a bracketed IPv6 address. */
    public static final String HOST_PORT = "^([A-Za-z0-9]([A-Za-z0-9.\\-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\]):[0-9]{1,5}$";
    /** A site name: a DNS label. */
    public static final String SITE_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    private Patterns() {
    }
}
