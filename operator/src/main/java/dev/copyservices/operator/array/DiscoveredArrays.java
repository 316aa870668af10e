package dev.copyservices.operator.array;

import dev.copyservices.crds.array.StorageArray;
import java.util.Optional;

/** The StorageArray resources agent-pod discovery reads and writes. */
public interface DiscoveredArrays {
    Optional<StorageArray> get(String name);

    void create(StorageArray array);

    /** A discovered array's agent pod moved: its new endpoint (and site, if the pod says one). */
    void update(String name, String endpoint, String site);
}
