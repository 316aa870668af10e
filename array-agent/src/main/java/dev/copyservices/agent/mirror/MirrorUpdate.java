package dev.copyservices.agent.mirror;

import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.WriteMode;

/** Settings to change on mirrors; an UNSPECIFIED value or null leaves the setting as it is. */
public record MirrorUpdate(WriteMode writeMode, String consistencyGroup, CopyPriority syncPriority,
        ResyncMethod resyncMethod) {
}
