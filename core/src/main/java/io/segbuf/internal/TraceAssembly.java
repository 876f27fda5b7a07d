package io.segbuf.internal;

import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.TraceId;
import java.util.Arrays;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Assembly for one {@code (project_id, trace_id)} (DESIGN.md §2): a union-find over span ids, where each set is
 * a {@link SpanTree} whose top decides its label (segment id), and the {@link BufferedSegment}s by label.
 *
 * <p>A span joins its parent's tree; a missing parent is a placeholder node whose id labels the tree until it
 * arrives. A root labels its tree with its own id, a span with an explicit {@code sentry.segment.id} with that
 * id; trees with one label form one segment. Union by size with path halving makes every operation nearly
 * constant, so no input (chains leaf first, cycles, self-parents) can make assembly loop or go quadratic.
 *
 * <p>Nodes of flushed spans stay while the trace is remembered, without their payload, so that late children
 * find their segment and byte-identical redeliveries are recognised. Guarded by the store's lock.
 */
final class TraceAssembly {
  final long projectId;
  final TraceId traceId;
  final LongMap<Node> nodes = new LongMap<>();
  final LongMap<BufferedSegment> segments = new LongMap<>();
  /** Segments of this trace counted as buffered. */
  int activeSegments;

  TraceAssembly(long projectId, TraceId traceId) {
    this.projectId = projectId;
    this.traceId = traceId;
  }

  int nodeCount() {
    return nodes.size();
  }

  /**
   * Adds one span.
   *
   * @return the segment it joined, or null when it is a byte-identical copy of a known span
   */
  @Nullable BufferedSegment add(Span span, int shard, long nowMillis, SegmentSource source, Set<BufferedSegment> touched) {
    long id = span.spanId();
    Node node = nodes.get(id);
    if (node != null && node.present) {
      if (node.sameContent(span)) {
        return null;
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
      SegmentSource source, Set<BufferedSegment> touched) {
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
        node.digest = Digest.of(span.bytes());
        node.length = span.size();
      }
    }
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
  private SpanTree relabel(SpanTree tree, long label, int shard, SegmentSource source, Set<BufferedSegment> touched) {
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
  private SpanTree union(Node child, Node parent, int shard, SegmentSource source, Set<BufferedSegment> touched) {
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

    Node(long id) {
      this.id = id;
    }

    boolean sameContent(Span other) {
      Span mine = span;
      if (mine != null) {
        return Arrays.equals(mine.bytes(), other.bytes());
      }
      return length == other.size() && digest == Digest.of(other.bytes());
    }
  }
}
