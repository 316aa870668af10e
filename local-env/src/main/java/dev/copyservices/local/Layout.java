package dev.copyservices.local;

import java.nio.file.Path;
import java.util.List;

/**
 * The environment's directory and its fixed shape: sites site-a and site-b, each with its own API
 * server and operator and the agents of two nodes, node-1 and node-2. Node n of site-a mirrors with
 * node n of site-b (an agent has one partner array).
 */
record Layout(Path dir) {
    static final List<String> SITES = List.of("site-a", "site-b");
    static final List<String> NODES = List.of("node-1", "node-2");

    static String requireSite(String site) {
        if (!SITES.contains(site)) {
            throw new IllegalArgumentException("there is no site '" + site + "'; the sites are " + String.join(" and ", SITES));
        }
        return site;
    }

    /** The agent's array name, unique across both sites. */
    static String arrayName(String site, String node) {
        return site + "-" + node;
    }

    static String peerSite(String site) {
        return SITES.get(1 - SITES.indexOf(site));
    }

    Path site(String site) {
        return dir.resolve(site);
    }

    Path kube(String site) {
        return site(site).resolve("kube");
    }

    Path pool(String site, String node) {
        return site(site).resolve(node).resolve("pool");
    }

    Path log(String site, String component) {
        return site(site).resolve(component + ".log");
    }

    Path token(String site) {
        return site(site).resolve("admin.token");
    }

    Path processes(String site) {
        return site(site).resolve("processes.properties");
    }

    Path pki() {
        return dir.resolve("pki");
    }

    Path ports() {
        return dir.resolve("ports.properties");
    }

    /** The kubeconfig with contexts site-a and site-b. */
    Path kubeconfig() {
        return dir.resolve("kubeconfig");
    }
}
