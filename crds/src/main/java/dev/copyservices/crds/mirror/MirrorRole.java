package dev.copyservices.crds.mirror;

/** The role a mirror member takes: Primary accepts host writes, Secondary receives them. */
public enum MirrorRole {
    Primary, Secondary
}
