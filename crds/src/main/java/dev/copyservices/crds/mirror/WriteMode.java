package dev.copyservices.crds.mirror;

/** Synchronous: a write completes once on both sites. Asynchronous: the secondary lags by at most the RPO. */
public enum WriteMode {
    Synchronous, Asynchronous
}
