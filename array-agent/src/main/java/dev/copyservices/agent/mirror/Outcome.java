package dev.copyservices.agent.mirror;

import java.util.List;

/** Mirrors an operation acted on, as they are now, and what a person should know about it. */
public record Outcome(List<MirrorInfo> mirrors, List<String> warnings) {
}
