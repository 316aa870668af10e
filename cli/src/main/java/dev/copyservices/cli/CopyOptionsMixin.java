package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.CopyOptions;
import picocli.CommandLine.Option;

/**
 * The Copy-mode options a relationship or a group is given, shared so that {@code flashcopy establish}
 * and {@code flashcopy-group create} spell and explain them alike. Combinations are not checked here:
 * the agent refuses the ones it does not allow, with its own correction.
 */
final class CopyOptionsMixin {
    @Option(names = "--background-copy", description = "Copy every region to the target in the background. Without"
            + " it only regions written on either side are copied, and the relationship stays until withdrawn.")
    boolean backgroundCopy;

    @Option(names = "--persistent", description = "Keep the relationship after its background copy completes, until"
            + " withdrawn; needed to reflash or reverse it.")
    boolean persistent;

    @Option(names = "--incremental", description = "Track changes on both sides so that a reflash copies only the"
            + " changed regions; needs --persistent.")
    boolean incremental;

    CopyOptions toProto() {
        return CopyOptions.newBuilder()
                .setBackgroundCopy(backgroundCopy)
                .setPersistent(persistent)
                .setIncremental(incremental)
                .build();
    }
}
