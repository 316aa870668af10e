package dev.copyservices.crds.flashcopy;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import dev.copyservices.crds.ApiGroup;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A point-in-time copy of one volume. Snapshot mode keeps the original of each overwritten region in
 * a repository (the DS4000 FlashCopy); Copy mode writes the point-in-time image onto a target volume,
 * with or without a background copy (the DS8000 FlashCopy).
 */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("fc")
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".spec.mode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Point-in-time", jsonPath = ".status.pointInTime", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Repository", jsonPath = ".status.repository.usedPercent", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Copied", jsonPath = ".status.copiedPercent", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@JsonClassDescription("A point-in-time copy of one volume: Snapshot mode keeps the originals of overwritten regions in a repository; Copy mode writes the image onto a target volume, with or without a background copy.")
public class FlashCopy extends CustomResource<FlashCopySpec, FlashCopyStatus> implements Namespaced {
}
