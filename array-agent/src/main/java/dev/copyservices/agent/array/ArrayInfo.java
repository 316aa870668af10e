package dev.copyservices.agent.array;

/** The array as reported: identity, where its data path listens, capacity, limits and counts. */
public record ArrayInfo(String id, String name, String site, String version, String nbdEndpoint,
        long poolTotalBytes, long poolFreeBytes, long provisionedBytes, long allocatedBytes,
        ArrayLimits limits, int volumes, int flashCopies, CopyServiceFigures copies,
        java.util.List<String> enabledFeatures) {
}
