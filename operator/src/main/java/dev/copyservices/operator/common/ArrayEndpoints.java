package dev.copyservices.operator.common;

import java.util.Optional;

/** Where the agent of a StorageArray listens, by the StorageArray's name. */
public interface ArrayEndpoints {
    Optional<String> endpointOf(String storageArray);
}
