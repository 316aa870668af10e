package dev.copyservices.crds.array;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import dev.copyservices.crds.ApiGroup;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One array agent, the seeds' storage subsystem. Cluster scoped: the operator creates one for each
 * agent pod it finds, and a user may write one for an agent outside the cluster.
 */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("sa")
@AdditionalPrinterColumn(name = "Site", jsonPath = ".spec.site", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Endpoint", jsonPath = ".spec.endpoint", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Free", jsonPath = ".status.capacity.poolFreeBytes", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Volumes", jsonPath = ".status.counts.volumes", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@JsonClassDescription("An array agent: the storage subsystem of one node, with its pool, volumes and copy services. Cluster scoped; the operator creates one per agent it finds, and a user may add agents outside the cluster.")
public class StorageArray extends CustomResource<StorageArraySpec, StorageArrayStatus> {
}
