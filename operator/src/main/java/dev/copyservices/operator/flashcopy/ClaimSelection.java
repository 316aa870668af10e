package dev.copyservices.operator.flashcopy;

import dev.copyservices.crds.flashcopy.FlashCopyGroup;
import java.util.List;

/** The names of the PVCs a FlashCopyGroup's selector picks in its namespace, sorted. */
@FunctionalInterface
public interface ClaimSelection {
    List<String> select(FlashCopyGroup group);
}
