package dev.copyservices.csi.common;

import java.util.List;

/**
 * A page of an ordered list for ListVolumes and ListSnapshots. The token is the index of the first
 * entry of the next page; a token this driver did not hand out answers ABORTED, as the CSI
 * specification asks.
 */
public record Paging<T>(List<T> page, String nextToken) {
    public static <T> Paging<T> of(List<T> all, int maxEntries, String startingToken) {
        if (maxEntries < 0) {
            throw CsiError.invalid("max_entries " + maxEntries + " is negative; give 0 (all) or more");
        }
        int start = 0;
        if (!startingToken.isEmpty()) {
            try {
                start = Integer.parseInt(startingToken);
            } catch (NumberFormatException e) {
                start = -1;
            }
            if (start < 0 || start > all.size()) {
                throw new CsiError(CsiError.Code.ABORTED, "starting_token '" + startingToken + "' is not one this driver"
                        + " handed out (or the list has shrunk below it); list again from the start");
            }
        }
        int end = maxEntries == 0 ? all.size() : Math.min(all.size(), start + maxEntries);
        return new Paging<>(List.copyOf(all.subList(start, end)), end < all.size() ? Integer.toString(end) : "");
    }
}
