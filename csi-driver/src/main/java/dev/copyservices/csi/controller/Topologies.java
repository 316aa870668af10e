package dev.copyservices.csi.controller;

import dev.copyservices.csi.agent.Names;
import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.v1.Topology;
import dev.copyservices.csi.v1.TopologyRequirement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Picks the array for a new volume from the CO's topology requirement. A topology segment names an
 * array ({@link Names#TOPOLOGY_KEY}); preferred segments are tried first in their order, then the
 * requisite ones, then (with no requirement) the driver's first agent that answers.
 */
final class Topologies {
    private Topologies() {
    }

    static Topology of(String array) {
        return Topology.newBuilder().putSegments(Names.TOPOLOGY_KEY, array).build();
    }

    /** Arrays the requirement allows, or empty when it allows any. */
    static Set<String> allowed(TopologyRequirement requirement) {
        Set<String> arrays = new LinkedHashSet<>();
        for (Topology t : requirement.getRequisiteList()) {
            arrays.add(arrayOf(t));
        }
        return arrays;
    }

    static String choose(TopologyRequirement requirement, List<String> known) {
        Set<String> allowed = allowed(requirement);
        List<String> order = new ArrayList<>();
        requirement.getPreferredList().forEach(t -> order.add(arrayOf(t)));
        order.addAll(allowed);
        if (allowed.isEmpty()) {
            order.addAll(known);
        }
        for (String array : order) {
            if (known.contains(array) && (allowed.isEmpty() || allowed.contains(array))) {
                return array;
            }
        }
        throw new CsiError(CsiError.Code.RESOURCE_EXHAUSTED, "no array in the topology requirement "
                + (allowed.isEmpty() ? order : allowed) + " is one of this driver's reachable agents " + known
                + "; run the driver with --agent for that array, or allow another one");
    }

    /** Throws RESOURCE_EXHAUSTED when the requirement rules out the array a content source lives on. */
    static void requireAllowed(TopologyRequirement requirement, String array, String why) {
        Set<String> allowed = allowed(requirement);
        if (!allowed.isEmpty() && !allowed.contains(array)) {
            throw new CsiError(CsiError.Code.RESOURCE_EXHAUSTED, why + " lives on array '" + array
                    + "', which the topology requirement " + allowed + " does not allow");
        }
    }

    private static String arrayOf(Topology topology) {
        String array = topology.getSegmentsMap().get(Names.TOPOLOGY_KEY);
        if (array == null) {
            throw CsiError.invalid("topology " + topology.getSegmentsMap() + " does not name an array; this driver's"
                    + " segments have the key " + Names.TOPOLOGY_KEY);
        }
        return array;
    }
}
