package dev.copyservices.csi.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class PagingTest {
    private static final List<String> ALL = List.of("a", "b", "c", "d", "e");

    @Test
    void pagesFollowEachOtherByTokenUntilTheLastHasNone() {
        Paging<String> first = Paging.of(ALL, 2, "");
        assertEquals(List.of("a", "b"), first.page());
        Paging<String> second = Paging.of(ALL, 2, first.nextToken());
        assertEquals(List.of("c", "d"), second.page());
        Paging<String> last = Paging.of(ALL, 2, second.nextToken());
        assertEquals(List.of("e"), last.page());
        assertEquals("", last.nextToken());
    }

    @Test
    void noMaximumGivesEverything() {
        assertEquals(new Paging<>(ALL, ""), Paging.of(ALL, 0, ""));
    }

    @Test
    void aTokenTheDriverDidNotHandOutIsAborted() {
        assertEquals(CsiError.Code.ABORTED, assertThrows(CsiError.class, () -> Paging.of(ALL, 2, "x")).code());
        assertEquals(CsiError.Code.ABORTED, assertThrows(CsiError.class, () -> Paging.of(ALL, 2, "9")).code());
        assertEquals(CsiError.Code.INVALID_ARGUMENT, assertThrows(CsiError.class, () -> Paging.of(ALL, -1, "")).code());
    }
}
