package io.segbuf.internal;

import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.TraceId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Assembly for one {@code (project_id, trace_id)} (docs/design.md §2): a union-find over span ids, where each set is
 * a {@link SpanTree} whose top decides its label (segment id), and the {@link BufferedSegment}s by label.
 *
 * <p>A span joins its parent's tree; a missing parent is a placeholder node whose id labels the tree until it
 * arrives. A root labels its tree with its own id, a span with an explicit {@code sentry.segment.id} with that
 * id; trees with one label form one segment. Union by size with path halving makes every operation nearly
 * constant, so no input (chains leaf first, cycles, self-parents) can make assembly loop or go quadratic.
 *
 * <p>Nodes of flushed spans stay while the trace is remembered, without their payload, so that late children
 * find their segment and byte-identical redeliveries are recognised. A trace that never goes quiet (a broken SDK
 * that sends every span with one trace id) would keep them for ever: past {@code maxFlushedSpans} flushed nodes,
 * the older half is forgotten at once, with the placeholders and segments that only they kept. That costs time
 * linear in the trace's nodes once per {@code maxFlushedSpans / 2} flushed spans: constant per span. A late child
 * of a forgotten span then starts a segment named by its parent, as in a forgotten trace. Guarded by the store's
 * lock.
 */
final class TraceAssembly {
  final long projectId;
  final TraceId traceId;
  final int maxFlushedSpans;
  LongMap<Node> nodes = new LongMap<>();
  LongMap<BufferedSegment> segments = new LongMap<>();
  /** Segments of this trace counted as buffered. */
  int activeSegments;
  /** Nodes of flushed spans, and how many spans were ever flushed: the order in which they were. */
  int flushedNodes;
  long flushes;
  /** The longs of every node's {@link Node#otherVersions}: what a snapshot writes of them, counted as they grow. */
  long otherVersionLongs;

  TraceAssembly(long projectId, TraceId traceId, int maxFlushedSpans) {
    this.projectId = projectId;
    this.traceId = traceId;
    this.maxFlushedSpans = maxFlushedSpans;
  }

  int nodeCount() {
    return nodes.size();
  }

  /**
   * Adds one span.
   *
   * @return the segment it joined, or null when it is a byte-identical copy of a known span
   */
  @Nullable BufferedSegment add(Span span, int shard, long nowMillis, SegmentSource source, TouchedSegments touched) {
    long id = span.spanId();
    Node node = nodes.get(id);
    if (node != null && node.present) {
      if (node.sameContent(span)) {
        return null;
      }
      if (node.addVersion(Spans.digest(span), span.size())) {
        otherVersionLongs += 2;
      }
      SpanTree tree = treeOf(node, shard, source);
      tree.segment.append(tree, span, nowMillis);
      return tree.segment;
    }
    node = present(node, id);
    node.span = span;
    SpanTree tree = place(node, span.hasExplicitSegmentId(), span.explicitSegmentId(), span.isRoot(),
        span.parentSpanId(), shard, source, touched);
    BufferedSegment segment = tree.segment;
    segment.append(tree, span, nowMillis);
    return segment;
  }

  private Node present(@Nullable Node node, long id) {
    if (node == null) {
      node = new Node(id);
      nodes.put(id, node);
    }
    node.present = true;
    return node;
  }

  /** Puts a new present node into its tree: relabels for a root or explicit segment id, else joins the parent. */
  private SpanTree place(Node node, boolean explicit, long explicitSegmentId, boolean root, long parentId, int shard,
      SegmentSource source, TouchedSegments touched) {
    SpanTree tree;
    if (explicit) {
      tree = relabel(treeOf(node, shard, source), explicitSegmentId, shard, source, touched);
    } else if (root) {
      tree = relabel(treeOf(node, shard, source), node.id, shard, source, touched);
    } else {
      Node parent = nodes.get(parentId);
      if (parent == null) {
        parent = new Node(parentId);
        nodes.put(parent.id, parent);
      }
      tree = union(node, parent, shard, source, touched);
    }
    if (node.id == tree.label && (root || explicit)) {
      tree.segment.hasRoot = true;
    }
    return tree;
  }

  /** Drops the payload of flushed spans from their nodes, keeping a digest to recognise redeliveries. */
  void forgetPayload(Iterable<Span> flushed) {
    for (Span span : flushed) {
      Node node = nodes.get(span.spanId());
      if (node != null && node.span == span) {
        node.span = null;
        node.digest = Spans.digest(span);
        node.length = span.size();
        flushed(node);
      }
    }
  }

  private void flushed(Node node) {
    node.flushedAt = ++flushes;
    flushedNodes++;
  }

  /**
   * Forgets the older half of the flushed nodes once there are more than {@code maxFlushedSpans}, with the
   * placeholders and the segments that only they kept: placeholders of a set with no span left, trees with no
   * node and no open span, segments with no tree and nothing buffered. Open spans and sealed generations stay.
   *
   * @return how many flushed spans were forgotten
   */
  int trimFlushed() {
    if (flushedNodes <= maxFlushedSpans) {
      return 0;
    }
    long forgetUpTo = flushes - maxFlushedSpans / 2;
    LongMap<Boolean> buffered = bufferedIds();
    Map<Node, List<Node>> keptBySet = new IdentityHashMap<>();
    Set<Node> setsWithSpans = Collections.newSetFromMap(new IdentityHashMap<>());
    int forgotten = 0;
    for (Node node : nodes.values()) {
      Node rep = find(node);
      if (node.present && node.span == null && node.flushedAt <= forgetUpTo && buffered.get(node.id) == null) {
        forgotten++;
        continue;
      }
      keptBySet.computeIfAbsent(rep, r -> new ArrayList<>()).add(node);
      if (node.present) {
        setsWithSpans.add(rep);
      }
    }
    LongMap<Node> kept = new LongMap<>();
    long[] keptVersionLongs = {0};
    Set<SpanTree> keptTrees = Collections.newSetFromMap(new IdentityHashMap<>());
    keptBySet.forEach((rep, members) -> {
      if (!setsWithSpans.contains(rep)) {
        return; // placeholders alone: nothing below them is remembered any more
      }
      Node top = members.get(0); // the set's representative from now on: the old one may be forgotten
      top.tree = rep.tree;
      top.size = members.size();
      for (Node member : members) {
        member.parent = top;
        if (member != top) {
          member.tree = null;
        }
        kept.put(member.id, member);
        keptVersionLongs[0] += member.otherVersionLongs();
      }
      if (top.tree != null) {
        keptTrees.add(top.tree);
      }
    });
    LongMap<BufferedSegment> keptSegments = new LongMap<>();
    for (BufferedSegment segment : segments.values()) {
      segment.trees.removeIf(tree -> tree.open.isEmpty() && !keptTrees.contains(tree));
      if (!segment.trees.isEmpty() || segment.hasBuffered() || segment.queued()) {
        keptSegments.put(segment.key.segmentId(), segment);
      }
    }
    nodes = kept;
    otherVersionLongs = keptVersionLongs[0];
    segments = keptSegments;
    flushedNodes -= forgotten;
    return forgotten;
  }

  /**
   * The ids of the spans this trace's segments buffer, open or sealed. A flushed node may have another version of its
   * span buffered (it arrived after the flush): forgotten, the node would no longer know that version, and a
   * redelivery of it would be buffered a second time, in a segment of its own.
   */
  private LongMap<Boolean> bufferedIds() {
    LongMap<Boolean> ids = new LongMap<>();
    segments.forEachValue(segment -> {
      for (SpanTree tree : segment.trees) {
        tree.open.forEach(span -> ids.put(span.spanId(), Boolean.TRUE));
      }
      List<Span> sealed = segment.sealedSpans;
      if (sealed != null) {
        sealed.forEach(span -> ids.put(span.spanId(), Boolean.TRUE));
      }
    });
    return ids;
  }

  private SpanTree treeOf(Node node, int shard, SegmentSource source) {
    Node rep = find(node);
    SpanTree tree = rep.tree;
    if (tree == null) {
      tree = new SpanTree(node.id, segment(node.id, shard, source));
      tree.segment.addTree(tree);
      rep.tree = tree;
    }
    return tree;
  }

  /** Moves a tree to the segment of {@code label}. */
  private SpanTree relabel(SpanTree tree, long label, int shard, SegmentSource source, TouchedSegments touched) {
    if (tree.label != label) {
      BufferedSegment from = tree.segment;
      from.removeTree(tree);
      touched.add(from);
      tree.label = label;
      segment(label, shard, source).addTree(tree);
    }
    return tree;
  }

  /** Joins the child's set to its parent's; the merged tree keeps the parent side's label. */
  private SpanTree union(Node child, Node parent, int shard, SegmentSource source, TouchedSegments touched) {
    SpanTree parentTree = treeOf(parent, shard, source);
    Node a = find(child);
    Node b = find(parent);
    if (a == b) {
      return parentTree; // a parent cycle: the tree keeps its label
    }
    SpanTree childTree = a.tree;
    if (childTree != null) {
      BufferedSegment from = childTree.segment;
      BufferedSegment to = parentTree.segment;
      if (from != to) {
        from.removeTree(childTree);
        touched.add(from);
        to.takeCounts(childTree);
      } else {
        from.trees.remove(childTree);
      }
      parentTree.absorb(childTree);
    }
    if (a.size < b.size) {
      a.parent = b;
      b.size += a.size;
      b.tree = parentTree;
      a.tree = null;
    } else {
      b.parent = a;
      a.size += b.size;
      a.tree = parentTree;
      b.tree = null;
    }
    return parentTree;
  }

  private BufferedSegment segment(long label, int shard, SegmentSource source) {
    BufferedSegment segment = segments.get(label);
    if (segment == null) {
      segment = new BufferedSegment(new SegmentKey(projectId, traceId, label), shard, source.nextSeq());
      segments.put(label, segment);
    }
    return segment;
  }

  private static Node find(Node node) {
    while (node.parent != node) {
      node.parent = node.parent.parent;
      node = node.parent;
    }
    return node;
  }

  /** Hands out the due queue's tie-breaking sequence numbers. */
  interface SegmentSource {
    long nextSeq();
  }

  /** A span id: present (a buffered or flushed span) or a placeholder for a missing parent. */
  static final class Node {
    /**
     * Other versions of one span id remembered per node: their redeliveries are duplicates too. Past that, a
     * redelivered version is flushed again (duplicates are allowed, loss is not), and one id cannot grow a node.
     */
    static final int MAX_OTHER_VERSIONS = 8;

    final long id;
    Node parent = this;
    int size = 1;
    /** The tree, on a set's representative only. */
    @Nullable SpanTree tree;
    boolean present;
    /** The first span with this id, while it is buffered. */
    @Nullable Span span;
    long digest;
    int length;
    /** When a flushed node was flushed, in the trace's order of flushes; 0 while the span is not flushed. */
    long flushedAt;
    /** Digest and length of each later version that differs from the first, in pairs; null while there is none. */
    long @Nullable [] otherVersions;

    Node(long id) {
      this.id = id;
    }

    /** True when the span repeats the bytes of a version of this id that was added. */
    boolean sameContent(Span other) {
      Span mine = span;
      if (mine != null && Arrays.equals(mine.bytes(), other.bytes())) {
        return true;
      }
      return (mine == null || otherVersions != null) && knows(Spans.digest(other), other.size());
    }

    /** True when a flushed first version, or a later version, has this digest and length. */
    boolean knows(long digest, int length) {
      if (span == null && this.digest == digest && this.length == length) {
        return true;
      }
      long[] others = otherVersions;
      if (others != null) {
        for (int i = 0; i < others.length; i += 2) {
          if (others[i] == digest && others[i + 1] == length) {
            return true;
          }
        }
      }
      return false;
    }

    /** Remembers a version that differs from every one known; returns whether it did (there was room). */
    boolean addVersion(long digest, int length) {
      long[] others = otherVersions;
      int used = otherVersionLongs();
      if (used / 2 >= MAX_OTHER_VERSIONS) {
        return false;
      }
      long[] grown = others == null ? new long[2] : Arrays.copyOf(others, used + 2);
      grown[used] = digest;
      grown[used + 1] = length;
      otherVersions = grown;
      return true;
    }

    int otherVersionLongs() {
      long[] others = otherVersions;
      return others == null ? 0 : others.length;
    }
  }
}
