package dev.copyservices.crds.mirror;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import dev.copyservices.crds.ApiGroup;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The local member of a mirror pair between two sites (the seeds' Enhanced Remote Mirroring). Each
 * cluster has one for its side; the operator of the secondary's site creates it by itself.
 */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("rm")
@AdditionalPrinterColumn(name = "Role", jsonPath = ".status.role", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".spec.writeMode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Progress", jsonPath = ".status.progressPercent", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Lag", jsonPath = ".status.lagSeconds", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@JsonClassDescription("This site's member of a mirror pair between two sites: its role, write mode and synchronization settings. The other site has the other member.")
public class RemoteMirror extends CustomResource<RemoteMirrorSpec, RemoteMirrorStatus> implements Namespaced {
}
