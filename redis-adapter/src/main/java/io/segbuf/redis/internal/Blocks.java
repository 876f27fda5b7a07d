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
    Map<Integer, List<Integer>> blocks = new LinkedHashMap<>();
    List<Integer> path = new ArrayList<>();
    for (int start : group) {
      path.clear();
      int at = start;
      Integer top = topOf.get(at);
      while (top == null) {
        path.add(at);
        if (path.size() > group.size()) {
          return spanBySpan(group); // a parent cycle inside the batch
        }
        Span s = spans.get(at);
        Integer parent = s.isRoot() || s.hasExplicitSegmentId() ? null : byId.get(s.parentSpanId());
        if (parent == null) {
          top = at;
          break;
        }
        at = parent;
        top = topOf.get(at);
      }
      for (int p : path) {
        topOf.put(p, top);
      }
    }
    for (int i : group) {
      int top = topOf.getOrDefault(i, i);
      List<Integer> block = blocks.computeIfAbsent(top, t -> new ArrayList<>());
      if (i == top) {
        block.add(0, i);
      } else {
        block.add(i);
      }
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
