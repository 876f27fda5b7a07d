package io.segbuf.internal;

import io.segbuf.Span;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The deterministic order of a segment's spans (docs/design.md §4.2): depth-first from the root, siblings by span id.
 * Spans whose parent is not in the segment start trees of their own, after the root's tree, by span id; spans
 * on a parent cycle that no top reaches follow, from the smallest span id. Equal span ids are ordered by their
 * bytes, so the order depends only on the set of spans.
 *
 * <p>Also gives, for each position, where its subtree ends, so that chunkers can keep subtrees together.
 */
public final class SegmentOrder {
  private static final Comparator<Span> BY_ID_THEN_BYTES =
      (a, b) -> {
        int c = Long.compareUnsigned(a.spanId(), b.spanId());
        return c != 0 ? c : Arrays.compare(a.bytes(), b.bytes());
      };

  private final Span[] spans;
  private final int[] subtreeEnd;

  private SegmentOrder(Span[] spans, int[] subtreeEnd) {
    this.spans = spans;
    this.subtreeEnd = subtreeEnd;
  }

  /** Orders the spans of the segment {@code segmentId}. */
  public static SegmentOrder of(List<Span> input, long segmentId) {
    int n = input.size();
    Span[] byId = input.toArray(new Span[0]);
    Arrays.sort(byId, BY_ID_THEN_BYTES);
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = byId[i].spanId();
    }
    // children as linked lists in span-id order: build by walking backwards and prepending
    int[] parent = new int[n];
    int[] firstChild = new int[n];
    int[] nextSibling = new int[n];
    Arrays.fill(firstChild, -1);
    Arrays.fill(nextSibling, -1);
    for (int i = n - 1; i >= 0; i--) {
      Span s = byId[i];
      int p = s.isRoot() ? -1 : firstIndexOf(ids, s.parentSpanId());
      parent[i] = p;
      if (p >= 0) {
        nextSibling[i] = firstChild[p];
        firstChild[p] = i;
      }
    }
    Span[] ordered = new Span[n];
    int[] endOf = new int[n];
    boolean[] visited = new boolean[n];
    Walk walk = new Walk(byId, firstChild, nextSibling, ordered, endOf, visited);
    int root = firstIndexOf(ids, segmentId);
    for (int i = root; i >= 0 && i < n && ids[i] == segmentId; i++) {
      if (parent[i] < 0) {
        walk.from(i);
      }
    }
    for (int i = 0; i < n; i++) {
      if (parent[i] < 0 && !visited[i]) {
        walk.from(i);
      }
    }
    // what is left hangs off parent cycles: walk each cycle from its smallest span id, so that spans hanging
    // off it follow their parents
    boolean[] onCycle = markCycles(parent, visited);
    for (int i = 0; i < n; i++) {
      if (onCycle[i] && !visited[i]) {
        walk.from(i);
      }
    }
    return new SegmentOrder(ordered, endOf);
  }

  public int size() {
    return spans.length;
  }

  public Span span(int position) {
    return spans[position];
  }

  /** The spans in this order, as an unmodifiable view. */
  public List<Span> spans() {
    return Collections.unmodifiableList(Arrays.asList(spans));
  }

  /** The position after the last span of the subtree that starts at {@code position}. */
  public int subtreeEnd(int position) {
    return subtreeEnd[position];
  }

  /**
   * Marks the spans on parent cycles among those not visited yet. Every such span has a parent and its parent
   * chain never reaches a top, so climbing from it ends on a cycle. Linear: a climb stops at a span seen before.
   */
  private static boolean[] markCycles(int[] parent, boolean[] visited) {
    int n = parent.length;
    boolean[] onCycle = new boolean[n];
    int[] climb = new int[n]; // for a span: 1 + the index of the climb that reached it first, or 0
    for (int i = 0; i < n; i++) {
      if (visited[i] || climb[i] != 0) {
        continue;
      }
      int j = i;
      while (climb[j] == 0) {
        climb[j] = i + 1;
        j = parent[j];
      }
      if (climb[j] == i + 1) { // this climb closed a cycle at j
        int k = j;
        do {
          onCycle[k] = true;
          k = parent[k];
        } while (k != j);
      }
    }
    return onCycle;
  }

  /** The index of the first span with this id in the sorted ids, or -1. */
  private static int firstIndexOf(long[] ids, long id) {
    int lo = 0;
    int hi = ids.length - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Long.compareUnsigned(ids[mid], id);
      if (c < 0) {
        lo = mid + 1;
      } else {
        if (c == 0) {
          found = mid;
        }
        hi = mid - 1;
      }
    }
    return found;
  }

  /** An iterative depth-first walk that writes spans in order and records where each subtree ends. */
  private static final class Walk {
    private final Span[] byId;
    private final int[] firstChild;
    private final int[] nextSibling;
    private final Span[] ordered;
    private final int[] endOf;
    private final boolean[] visited;
    /** For a span index: its position in the order. */
    private final int[] positionOf;
    /** For a span index on the stack: the next child to visit. */
    private final int[] cursor;
    private final int[] stack;
    private int next;

    Walk(Span[] byId, int[] firstChild, int[] nextSibling, Span[] ordered, int[] endOf, boolean[] visited) {
      this.byId = byId;
      this.firstChild = firstChild;
      this.nextSibling = nextSibling;
      this.ordered = ordered;
      this.endOf = endOf;
      this.visited = visited;
      this.positionOf = new int[byId.length];
      this.cursor = new int[byId.length];
      this.stack = new int[byId.length];
    }

    /** Walks the subtree of {@code top}; a child already visited (on a cycle) is not entered again. */
    void from(int top) {
      int depth = 0;
      stack[depth++] = enter(top);
      while (depth > 0) {
        int node = stack[depth - 1];
        int child = cursor[node];
        while (child >= 0 && visited[child]) {
          child = nextSibling[child];
        }
        if (child < 0) {
          depth--;
          endOf[positionOf[node]] = next;
        } else {
          cursor[node] = nextSibling[child];
          stack[depth++] = enter(child);
        }
      }
    }

    private int enter(int i) {
      visited[i] = true;
      positionOf[i] = next;
      cursor[i] = firstChild[i];
      ordered[next++] = byId[i];
      return i;
    }
  }
}
