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
 * Copy-mode FlashCopies of several volumes taken at one consistent point in time (the DS8000
 * consistency group): the PVCs a label selector picks, each onto its own target PVC.
 */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("fcg")
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Members", jsonPath = ".status.memberCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Point-in-time", jsonPath = ".status.pointInTime", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Copied", jsonPath = ".status.copiedPercent", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@JsonClassDescription("Copy-mode FlashCopies of several PVCs taken at one consistent point in time, each onto its own target PVC.")
public class FlashCopyGroup extends CustomResource<FlashCopyGroupSpec, FlashCopyGroupStatus> implements Namespaced {
}
