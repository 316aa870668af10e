package dev.copyservices.crds.mirror;

/** After a link failure: Manual waits for a resume, Automatic resynchronizes once the link is back. */
public enum ResyncMethod {
    Manual, Automatic
}
