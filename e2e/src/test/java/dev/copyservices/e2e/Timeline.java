package dev.copyservices.e2e;

import java.util.ArrayList;
import java.util.List;

/** What happened when, since the story began: printed as it goes and again at the end. */
final class Timeline {
    private final long start = System.nanoTime();
    private final List<String> lines = new ArrayList<>();

    long mark(String what) {
        long now = System.nanoTime();
        String line = String.format("%8.3f s  %s", (now - start) / 1e9, what);
        lines.add(line);
        System.out.println("e2e " + line);
        return now;
    }

    void print() {
        System.out.println("e2e timeline:");
        lines.forEach(line -> System.out.println("  " + line));
    }
}
