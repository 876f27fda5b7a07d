package io.segbuf.internal;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.Span;
import io.segbuf.TestSpans;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SegmentOrderTest {
  private static final Comparator<Span> BY_ID = (a, b) -> Long.compareUnsigned(a.spanId(), b.spanId());

  @Test
  void depthFirstFromTheRootWithSiblingsBySpanId() {
    List<Span> spans = TestSpans.parsed(
        span(3).parent(1), span(5).parent(2), span(1), span(4).parent(2), span(2).parent(1), span(6).parent(3));

    SegmentOrder order = SegmentOrder.of(spans, 1);

    assertThat(ids(order)).containsExactly(1L, 2L, 4L, 5L, 3L, 6L);
    assertThat(ends(order)).containsExactly(6, 4, 3, 4, 6, 6);
  }

  @Test
  void siblingsCompareSpanIdsAsUnsignedHex() {
    List<Span> spans = TestSpans.parsed(
        span(1), span(0x8000000000000000L).parent(1), span(0xffffffffffffffffL).parent(1),
        span(0x7fffffffffffffffL).parent(1), span(0x10).parent(1));

    SegmentOrder order = SegmentOrder.of(spans, 1);

    assertThat(ids(order))
        .containsExactly(1L, 0x10L, 0x7fffffffffffffffL, 0x8000000000000000L, 0xffffffffffffffffL);
  }

  @Test
  void rootComesFirstEvenWhenItsIdIsTheLargest() {
    List<Span> spans = TestSpans.parsed(span(0xf000000000000000L), span(2).parent(0xf000000000000000L),
        span(1).parent(0x99)); // an orphan with a smaller id than the root

    SegmentOrder order = SegmentOrder.of(spans, 0xf000000000000000L);

    assertThat(ids(order)).containsExactly(0xf000000000000000L, 2L, 1L);
  }

  @Test
  void orphanTreesFollowTheRootTreeOrderedByTheirTopId() {
    List<Span> spans = TestSpans.parsed(
        span(0x90).parent(0x99), span(0x31).parent(0x30), span(0x60).parent(0x50), span(0x50),
        span(0x8000000000000001L).parent(0x98), span(0x30).parent(0x97), span(0x20).parent(0x90));

    SegmentOrder order = SegmentOrder.of(spans, 0x50);

    assertThat(ids(order)).containsExactly(0x50L, 0x60L, 0x30L, 0x31L, 0x90L, 0x20L, 0x8000000000000001L);
    assertThat(ends(order)).containsExactly(2, 2, 4, 4, 6, 6, 7);
  }

  @Test
  void segmentWithoutItsRootStartsWithTheSmallestTop() {
    List<Span> spans = TestSpans.parsed(span(0x41).parent(0x40), span(0x42).parent(0x40), span(0x43).parent(0x42));

    SegmentOrder order = SegmentOrder.of(spans, 0x40);

    assertThat(ids(order)).containsExactly(0x41L, 0x42L, 0x43L);
    assertThat(ends(order)).containsExactly(1, 3, 3);
  }

  @Test
  void parentCycleIsIncludedOnceAfterTheTrees() {
    List<Span> spans = TestSpans.parsed(
        span(1), span(2).parent(1), span(12).parent(11), span(10).parent(12), span(11).parent(10),
        span(13).parent(11));

    SegmentOrder order = SegmentOrder.of(spans, 1);

    assertThat(ids(order)).containsExactly(1L, 2L, 10L, 11L, 12L, 13L);
    assertThat(ends(order)).containsExactly(2, 2, 6, 6, 5, 6);
  }

  @Test
  void childHangingOffACycleFollowsItsParent() {
    // 5 has a smaller id than every span of the cycle, but its parent 11 is on the cycle
    List<Span> spans = TestSpans.parsed(
        span(12).parent(11), span(10).parent(12), span(11).parent(10), span(5).parent(11), span(4).parent(5));

    SegmentOrder order = SegmentOrder.of(spans, 10);

    assertThat(ids(order)).containsExactly(10L, 11L, 5L, 4L, 12L);
    assertThat(ends(order)).containsExactly(5, 5, 4, 4, 5);
  }

  @Test
  void selfParentIsARoot() {
    List<Span> spans = TestSpans.parsed(span(3).parent(3), span(4).parent(3));

    SegmentOrder order = SegmentOrder.of(spans, 3);

    assertThat(ids(order)).containsExactly(3L, 4L);
    assertThat(ends(order)).containsExactly(2, 2);
  }

  @Test
  void duplicateSpanIdsWithDifferentBytesAreBothKeptOrderedByBytes() {
    Span longer = span(2).parent(1).padding(2).parsed();
    Span shorter = span(2).parent(1).padding(1).parsed(); // ..."x"} sorts before ..."xx"}
    Span root = span(1).parsed();
    Span sibling = span(3).parent(1).parsed();

    for (List<Span> input : List.of(List.of(longer, root, sibling, shorter), List.of(sibling, shorter, longer,
        root))) {
      SegmentOrder order = SegmentOrder.of(input, 1);

      assertThat(spans(order)).containsExactly(root, shorter, longer, sibling);
    }
  }

  @Test
  void singleSpan() {
    Span only = span(7).parent(6).parsed();

    SegmentOrder order = SegmentOrder.of(List.of(only), 6);

    assertThat(order.size()).isEqualTo(1);
    assertThat(order.span(0)).isSameAs(only);
    assertThat(order.subtreeEnd(0)).isEqualTo(1);
  }

  @Test
  void randomSegmentsMatchTheReferenceOrderAndSubtreeEnds() {
    Random random = new Random(42);
    for (int round = 0; round < 300; round++) {
      List<Span> spans = randomSegment(random, 1 + random.nextInt(round < 200 ? 12 : 150));
      long segmentId = random.nextInt(4) == 0 ? spans.get(random.nextInt(spans.size())).spanId() : ROOT;

      SegmentOrder order = SegmentOrder.of(spans, segmentId);

      assertThat(spans(order)).as("round %d", round).containsExactlyElementsOf(referenceOrder(spans, segmentId));
      int[] expectedEnds = bruteForceSubtreeEnds(order);
      for (int i = 0; i < order.size(); i++) {
        assertThat(order.subtreeEnd(i)).as("round %d, subtree end of position %d", round, i)
            .isEqualTo(expectedEnds[i]);
      }
    }
  }

  @Test
  void orderDoesNotDependOnInputOrder() {
    Random random = new Random(7);
    for (int round = 0; round < 100; round++) {
      List<Span> spans = randomSegment(random, 1 + random.nextInt(80));
      // a byte-different duplicate of a random span, to check the tie break too
      Span copy = spans.get(random.nextInt(spans.size()));
      spans.add(withExtraByte(copy));
      SegmentOrder expected = SegmentOrder.of(spans, ROOT);

      for (int shuffle = 0; shuffle < 5; shuffle++) {
        List<Span> shuffled = new ArrayList<>(spans);
        Collections.shuffle(shuffled, random);
        SegmentOrder order = SegmentOrder.of(shuffled, ROOT);

        assertThat(spans(order)).containsExactlyElementsOf(spans(expected));
        assertThat(ends(order)).containsExactlyElementsOf(ends(expected));
      }
    }
  }

  private static final long ROOT = 0x7000000000000000L;

  /**
   * A random segment with distinct ids: a root (most of the time), children of earlier spans, orphans, explicit
   * {@code is_segment} roots, and now and then a parent cycle with spans hanging off it.
   */
  private static List<Span> randomSegment(Random random, int n) {
    boolean hasRoot = random.nextInt(5) != 0;
    long[] ids = new long[n];
    Set<Long> used = new HashSet<>(List.of(ROOT));
    for (int i = 0; i < n; i++) {
      if (i == 0 && hasRoot) {
        ids[i] = ROOT;
        continue;
      }
      long id;
      do {
        id = random.nextBoolean() ? random.nextLong() : random.nextInt(64);
      } while (!used.add(id));
      ids[i] = id;
    }
    int[] parent = new int[n]; // an index, -1 for none, -2 for a missing parent
    boolean[] isSegment = new boolean[n];
    parent[0] = -2;
    for (int i = 1; i < n; i++) {
      parent[i] = random.nextInt(10) == 0 ? -2 : random.nextInt(i);
      isSegment[i] = parent[i] >= 0 && random.nextInt(30) == 0;
    }
    if (n > 3 && random.nextInt(3) == 0) {
      // close a cycle: a span takes one of its later descendants as parent
      int a = 1 + random.nextInt(n - 2);
      for (int b = n - 1; b > a; b--) {
        if (descendsByIndex(b, a, parent)) {
          parent[a] = b;
          isSegment[a] = false;
          break;
        }
      }
    }
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TestSpans s = span(ids[i]).padding(random.nextInt(3));
      if (i == 0 && !hasRoot) {
        s.parent(ROOT);
      } else if (parent[i] == -2 && i > 0) {
        s.parent(0x1000 + random.nextInt(3));
      } else if (parent[i] >= 0) {
        s.parent(ids[parent[i]]);
      }
      if (isSegment[i]) {
        s.isSegment(true);
      }
      spans.add(s.parsed());
    }
    Collections.shuffle(spans, random);
    return spans;
  }

  private static boolean descendsByIndex(int j, int ancestor, int[] parent) {
    for (int at = parent[j], steps = 0; at >= 0 && steps < parent.length; at = parent[at], steps++) {
      if (at == ancestor) {
        return true;
      }
    }
    return false;
  }

  private static Span withExtraByte(Span span) {
    byte[] bytes = Arrays.copyOf(span.bytes(), span.bytes().length + 1);
    bytes[bytes.length - 1] = ' ';
    return (Span) Span.parse(bytes);
  }

  /**
   * The documented order, written plainly for distinct span ids: the root's tree, then trees of the other tops
   * (roots and spans whose parent is missing) by id, then each parent cycle from its smallest span id; every
   * tree depth first with children by id, a span already placed is not entered again.
   */
  private static List<Span> referenceOrder(List<Span> input, long segmentId) {
    Map<Long, Span> byId = new HashMap<>();
    for (Span s : input) {
      byId.put(s.spanId(), s);
    }
    Map<Long, List<Span>> children = new HashMap<>();
    List<Span> tops = new ArrayList<>();
    for (Span s : input) {
      if (s.isRoot() || !byId.containsKey(s.parentSpanId())) {
        tops.add(s);
      } else {
        children.computeIfAbsent(s.parentSpanId(), k -> new ArrayList<>()).add(s);
      }
    }
    children.values().forEach(c -> c.sort(BY_ID));
    tops.sort(Comparator.comparing((Span s) -> s.spanId() != segmentId).thenComparing(BY_ID));
    List<Span> out = new ArrayList<>();
    Set<Span> placed = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Span top : tops) {
      walk(top, children, out, placed);
    }
    List<Span> onCycles = new ArrayList<>();
    for (Span s : input) {
      if (!placed.contains(s) && isOnCycle(s, byId)) {
        onCycles.add(s);
      }
    }
    onCycles.sort(BY_ID);
    for (Span s : onCycles) {
      if (!placed.contains(s)) {
        walk(s, children, out, placed);
      }
    }
    return out;
  }

  private static boolean isOnCycle(Span s, Map<Long, Span> byId) {
    Span at = s;
    for (int steps = 0; steps <= byId.size(); steps++) {
      Span parent = byId.get(at.parentSpanId());
      if (at.isRoot() || parent == null) {
        return false;
      }
      if (parent == s) {
        return true;
      }
      at = parent;
    }
    return false;
  }

  private static void walk(Span s, Map<Long, List<Span>> children, List<Span> out, Set<Span> placed) {
    if (!placed.add(s)) {
      return;
    }
    out.add(s);
    for (Span child : children.getOrDefault(s.spanId(), List.of())) {
      walk(child, children, out, placed);
    }
  }

  /**
   * For each position, the end of the run of following positions that descend from it, where a span's parent
   * in the order is its parent by id unless it starts a walk (a top, or the first span of a cycle).
   */
  private static int[] bruteForceSubtreeEnds(SegmentOrder order) {
    int n = order.size();
    Map<Long, Integer> positionOfId = new HashMap<>();
    for (int i = 0; i < n; i++) {
      positionOfId.putIfAbsent(order.span(i).spanId(), i);
    }
    int[] parentPosition = new int[n];
    for (int j = 0; j < n; j++) {
      Span s = order.span(j);
      Integer p = s.isRoot() ? null : positionOfId.get(s.parentSpanId());
      parentPosition[j] = p == null || p > j ? -1 : p; // a parent placed later: j started a cycle's walk
    }
    int[] ends = new int[n];
    for (int i = 0; i < n; i++) {
      int end = i + 1;
      while (end < n && descends(end, i, parentPosition)) {
        end++;
      }
      ends[i] = end;
    }
    return ends;
  }

  private static boolean descends(int j, int ancestor, int[] parentPosition) {
    for (int at = parentPosition[j]; at >= 0; at = parentPosition[at]) {
      if (at == ancestor) {
        return true;
      }
    }
    return false;
  }

  private static List<Long> ids(SegmentOrder order) {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      ids.add(order.span(i).spanId());
    }
    return ids;
  }

  private static List<Span> spans(SegmentOrder order) {
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      spans.add(order.span(i));
    }
    return spans;
  }

  private static List<Integer> ends(SegmentOrder order) {
    List<Integer> ends = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      ends.add(order.subtreeEnd(i));
    }
    return ends;
  }
}
