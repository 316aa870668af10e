package dev.copyservices.crds;

/** Where the resources live in the Kubernetes API. */
public final class ApiGroup {
    public static final String GROUP = "copyservices.dev";
    public static final String VERSION = "v1alpha1";

    private ApiGroup() {
    }
}
