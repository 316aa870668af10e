package dev.copyservices.crds.volumecopy;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import dev.copyservices.crds.ApiGroup;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A full copy of a volume, or of a FlashCopy's point in time, onto a target volume (the seeds' VolumeCopy). */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("vc")
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Progress", jsonPath = ".status.copiedPercent", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Priority", jsonPath = ".spec.priority", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Target-RO", jsonPath = ".spec.targetReadOnly", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@JsonClassDescription("A full copy of a volume, or of a FlashCopy's point in time, onto a target volume.")
public class VolumeCopy extends CustomResource<VolumeCopySpec, VolumeCopyStatus> implements Namespaced {
}
