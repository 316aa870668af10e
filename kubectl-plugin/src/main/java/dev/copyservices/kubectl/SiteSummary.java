package dev.copyservices.kubectl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code kubectl copyservices status} says of one site: its arrays, copies in progress, mirrors
 * by state and the worst lag. Built from plain facts so that it knows nothing of the API client.
 */
final class SiteSummary {
    /** One StorageArray as the summary needs it. */
    record ArrayFact(String name, String site, boolean ready, List<String> needsAttention) {
    }

    /** One RemoteMirror member: on which array, in which state, how far behind. */
    record MirrorFact(String resource, String array, String role, String state, Double lagSeconds) {
    }

    /** One copy (a VolumeCopy, or a Copy-mode FlashCopy): on which array, in which state. */
    record CopyFact(String resource, String array, String state) {
    }

    final String site;
    int arrays;
    int ready;
    int copiesInProgress;
    final Map<String, Integer> mirrorsByState = new TreeMap<>();
    Double worstLag;
    String worstLagMirror;
    final List<String> attention = new ArrayList<>();

    private SiteSummary(String site) {
        this.site = site;
    }

    /** Copy states that mean "still copying". */
    private static boolean inProgress(String state) {
        return state != null && (state.equals("Pending") || state.equals("InProgress") || state.equals("Copying"));
    }

    /**
     * One summary per site, sorted by site; a mirror or copy counts at the site of its array, or under
     * "(unknown)" while it names no array the cluster knows yet.
     */
    static List<SiteSummary> of(List<ArrayFact> arrays, List<MirrorFact> mirrors, List<CopyFact> copies) {
        Map<String, SiteSummary> sites = new TreeMap<>();
        Map<String, String> siteOfArray = new TreeMap<>();
        for (ArrayFact a : arrays) {
            String site = a.site() == null || a.site().isBlank() ? "(none)" : a.site();
            siteOfArray.put(a.name(), site);
            SiteSummary s = sites.computeIfAbsent(site, SiteSummary::new);
            s.arrays++;
            if (a.ready()) {
                s.ready++;
            } else {
                s.attention.add("StorageArray " + a.name() + " is not Ready");
            }
            a.needsAttention().forEach(line -> s.attention.add("StorageArray " + a.name() + ": " + line));
        }
        for (CopyFact c : copies) {
            if (inProgress(c.state())) {
                site(sites, siteOfArray, c.array()).copiesInProgress++;
            }
        }
        for (MirrorFact m : mirrors) {
            SiteSummary s = site(sites, siteOfArray, m.array());
            String state = m.state() == null || m.state().isBlank() ? "Pending" : m.state();
            s.mirrorsByState.merge(state, 1, Integer::sum);
            if ("Primary".equals(m.role()) && m.lagSeconds() != null
                    && (s.worstLag == null || m.lagSeconds() > s.worstLag)) {
                s.worstLag = m.lagSeconds();
                s.worstLagMirror = m.resource();
            }
        }
        return List.copyOf(sites.values());
    }

    private static SiteSummary site(Map<String, SiteSummary> sites, Map<String, String> siteOfArray, String array) {
        String site = array == null ? null : siteOfArray.get(array);
        return sites.computeIfAbsent(site == null ? "(unknown)" : site, SiteSummary::new);
    }

    String mirrors() {
        if (mirrorsByState.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        mirrorsByState.forEach((state, n) -> parts.add(n + " " + state));
        return String.join(", ", parts);
    }

    String lag() {
        return worstLag == null ? "-" : String.format(java.util.Locale.ROOT, "%.1fs (%s)", worstLag, worstLagMirror);
    }

    /** The table of every site, then what needs attention, one line each. */
    static String render(List<SiteSummary> summaries) {
        if (summaries.isEmpty()) {
            return "no StorageArrays, copies or mirrors in this cluster (is copyservices installed? try"
                    + " kubectl get storagearrays)\n";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SITE", "ARRAYS", "READY", "COPIES IN PROGRESS", "MIRRORS", "WORST LAG"});
        for (SiteSummary s : summaries) {
            rows.add(new String[] {s.site, Integer.toString(s.arrays), Integer.toString(s.ready),
                    Integer.toString(s.copiesInProgress), s.mirrors(), s.lag()});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + (widths[i] + 2) + "s", row[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        List<String> attention = summaries.stream().flatMap(s -> s.attention.stream().map(a -> s.site + ": " + a))
                .toList();
        if (!attention.isEmpty()) {
            out.append("\nNEEDS ATTENTION:\n");
            attention.forEach(a -> out.append("  ").append(a).append('\n'));
        }
        return out.toString();
    }
}
