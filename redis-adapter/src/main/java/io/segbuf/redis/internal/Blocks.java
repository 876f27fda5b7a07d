package io.segbuf.redis.internal;

import io.segbuf.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Orders one trace's spans of a batch into blocks: the subsegments the batch itself proves (DESIGN.md section
 * 2.2). A block's top is a root, a span with an explicit segment id, or a span whose parent is not in the batch;
 * the other spans of the block reach the top through parents inside the batch. When span ids repeat or parents
 * form a cycle inside the batch the blocks are not exact, and the script takes its span-by-span path.
 */
public final class Blocks {
  /** Indexes into the trace's span list, block by block, top first. */
  public final List<List<Integer>> blocks;
  public final boolean exact;

  private Blocks(List<List<Integer>> blocks, boolean exact) {
    this.blocks = blocks;
    this.exact = exact;
  }

  /**
   * @param spans all spans of the batch
   * @param group the indexes of one trace's spans in {@code spans}
   */
  public static Blocks of(List<Span> spans, List<Integer> group) {
    Map<Long, Integer> byId = new HashMap<>(group.size() * 2);
    for (int i : group) {
      if (byId.putIfAbsent(spans.get(i).spanId(), i) != null) {
        return spanBySpan(group);
      }
    }
    Map<Integer, Integer> topOf = new HashMap<>(group.size() * 2);
    Map<Integer, Integer> depthOf = new HashMap<>(group.size() * 2);
    List<Integer> path = new ArrayList<>();
    for (int start : group) {
      path.clear();
      int at = start;
      Integer top = topOf.get(at);
      int depth = top == null ? 0 : depthOf.getOrDefault(at, 0) + 1;
      while (top == null) {
        path.add(at);
        if (path.size() > group.size()) {
          return spanBySpan(group); // a parent cycle inside the batch
        }
        Span s = spans.get(at);
        Integer parent = s.isRoot() || s.hasExplicitSegmentId() ? null : byId.get(s.parentSpanId());
        if (parent == null) {
          top = at;
          depth = 0;
          break;
        }
        at = parent;
        top = topOf.get(at);
        if (top != null) {
          depth = depthOf.getOrDefault(at, 0) + 1;
        }
      }
      // path runs from start up to the span just below 'at' (or to the top itself)
      for (int j = path.size() - 1; j >= 0; j--) {
        topOf.put(path.get(j), top);
        depthOf.put(path.get(j), depth++);
      }
    }
    // parents before children inside a block: a span then finds its parent's node already joined
    Map<Integer, List<Integer>> blocks = new LinkedHashMap<>();
    List<Integer> byDepth = new ArrayList<>(group);
    byDepth.sort((a, b) -> Integer.compare(depthOf.getOrDefault(a, 0), depthOf.getOrDefault(b, 0)));
    for (int i : group) {
      blocks.computeIfAbsent(topOf.getOrDefault(i, i), t -> new ArrayList<>());
    }
    for (int i : byDepth) {
      blocks.computeIfAbsent(topOf.getOrDefault(i, i), t -> new ArrayList<>()).add(i);
    }
    return new Blocks(new ArrayList<>(blocks.values()), true);
  }

  private static Blocks spanBySpan(List<Integer> group) {
    List<List<Integer>> blocks = new ArrayList<>(group.size());
    for (int i : group) {
      blocks.add(List.of(i));
    }
    return new Blocks(blocks, false);
  }
}
