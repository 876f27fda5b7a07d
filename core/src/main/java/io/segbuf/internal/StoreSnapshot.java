package io.segbuf.internal;

import io.segbuf.FlushReason;
import io.segbuf.ParseResult;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.TraceId;
import io.segbuf.spi.SealedSegment;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The whole state of an {@link InMemorySegmentStore}, its {@link SegmentAssembly}, as bytes, and back: every trace's
 * nodes (the union-find, with digests of flushed spans), trees, segments and their queue places, the idle traces in
 * their eviction order and the counters. Objects that several others share (a span in a node and in a tree's open
 * list, a tree in a segment and on a node) are written once and named by index, so that the restored store shares
 * them as the writer did. Spans are kept as their original bytes and parsed again. A restored store answers every
 * later call as the writer would. Called under the store's lock.
 */
final class StoreSnapshot {
  private static final int VERSION = 1;
  private static final int NONE = -1;
  // What write() writes of each part, but for its lists' elements and names, which size() counts as it goes.
  /** The version, six counters and the count of traces; the count of idle traces. */
  private static final int HEADER_BYTES = 4 + 6 * 8 + 4 + 4;
  /** An idle trace: its key and the ids it holds. */
  private static final int IDLE_BYTES = 3 * 8 + 4;
  /** A trace's key, counters and the counts of its spans, segments, trees and nodes. */
  private static final int TRACE_BYTES = 3 * 8 + 4 + 4 + 8 + 4 * 4;
  /** A span's length, and its index in the open or sealed list that holds it. */
  private static final int SPAN_BYTES = 4 + 4;
  /** A segment's fixed fields, the lengths of its three names, and the counts of its sealed spans and trees. */
  private static final int SEGMENT_BYTES = 8 + 4 + 8 + 4 + 8 + 8 + 8 + 1 + 4 + 1 + 8 + 1 + 1 + 8 + 1 + 3 * 2 + 4 + 4;
  private static final int SEALED_BYTES = 4 + 4 + 4 + 8 + 1;
  /** A tree's fields, the count of its open spans, and its index in its segment's list. */
  private static final int TREE_BYTES = 8 + 4 + 4 + 8 + 8 + 8 + 4;
  /** A node's fields and the count of its other versions. */
  private static final int NODE_BYTES = 8 + 4 + 4 + 4 + 1 + 4 + 8 + 4 + 8 + 4;

  private StoreSnapshot() {}

  static byte[] write(SegmentAssembly assembly) {
    // sized for the payloads and a few dozen bytes a node and a trace: growing by doubling from a small array
    // copied a large snapshot over and over (a quarter of a Redis store's flusher time went to compaction)
    long expected =
        assembly.bufferedBytes + 64 * (assembly.bufferedSpans + assembly.idleNodes + assembly.traces.size()) + 64;
    SnapshotOutput out = new SnapshotOutput((int) Math.min(expected, Integer.MAX_VALUE - 16));
    out.writeInt(VERSION);
    out.writeLong(assembly.seq);
    out.writeLong(assembly.bufferedSegments);
    out.writeLong(assembly.bufferedSpans);
    out.writeLong(assembly.bufferedBytes);
    out.writeLong(assembly.idleNodes);
    out.writeLong(assembly.forgottenSpans);
    out.writeInt(assembly.traces.size());
    for (TraceAssembly trace : assembly.traces.values()) {
      writeTrace(out, trace);
    }
    out.writeInt(assembly.idle.size());
    for (Map.Entry<TraceKey, Integer> e : assembly.idle.entrySet()) {
      writeKey(out, e.getKey());
      out.writeInt(e.getValue());
    }
    return out.toByteArray();
  }

  /**
   * The length of what {@link #write} would write now, without writing it: in time linear in the traces and segments
   * held, not in their spans or span ids (the assembly counts those). Each buffered span is in one open or sealed list,
   * each tree in one segment's list.
   */
  static long size(SegmentAssembly assembly) {
    long size = HEADER_BYTES + (long) IDLE_BYTES * assembly.idle.size()
        + SPAN_BYTES * assembly.bufferedSpans + assembly.bufferedBytes;
    for (TraceAssembly trace : assembly.traces.values()) {
      size += TRACE_BYTES + (long) NODE_BYTES * trace.nodeCount() + 8 * trace.otherVersionLongs;
      long[] segments = {0};
      trace.segments.forEachValue(s -> segments[0] += SEGMENT_BYTES + (long) TREE_BYTES * s.trees.size()
          + s.openReason.name().length() + s.sealedReason.name().length() + s.reason.name().length()
          + (s.sealed == null ? 0 : SEALED_BYTES));
      size += segments[0];
    }
    return size;
  }

  private static void writeTrace(SnapshotOutput out, TraceAssembly trace) {
    out.writeLong(trace.projectId);
    out.writeLong(trace.traceId.high());
    out.writeLong(trace.traceId.low());
    out.writeInt(trace.activeSegments);
    out.writeInt(trace.flushedNodes);
    out.writeLong(trace.flushes);
    List<TraceAssembly.Node> nodes = new ArrayList<>();
    trace.nodes.forEachValue(nodes::add);
    List<BufferedSegment> segments = new ArrayList<>();
    trace.segments.forEachValue(segments::add);
    Index<TraceAssembly.Node> nodeIndex = new Index<>(nodes);
    Index<BufferedSegment> segmentIndex = new Index<>(segments);
    Index<SpanTree> trees = new Index<>(List.of());
    Index<Span> spans = new Index<>(List.of());
    for (BufferedSegment segment : segments) {
      segment.trees.forEach(trees::add);
      List<Span> sealed = segment.sealedSpans;
      if (sealed != null) {
        sealed.forEach(spans::add);
      }
    }
    for (TraceAssembly.Node node : nodes) {
      if (node.tree != null) {
        trees.add(node.tree);
      }
      if (node.span != null) {
        spans.add(node.span);
      }
    }
    for (SpanTree tree : trees.items) {
      tree.open.forEach(spans::add);
    }

    out.writeInt(spans.items.size());
    for (Span span : spans.items) {
      out.writeInt(span.size());
      out.write(span.bytes());
    }
    out.writeInt(segments.size());
    for (BufferedSegment s : segments) {
      out.writeLong(s.key.segmentId());
      out.writeInt(s.shard);
      out.writeLong(s.seq);
      out.writeInt(s.openSpans);
      out.writeLong(s.openBytes);
      out.writeLong(s.firstInsertMillis);
      out.writeLong(s.lastInsertMillis);
      out.writeBoolean(s.hasRoot);
      out.writeInt(s.nextGeneration);
      out.writeBoolean(s.chunked);
      out.writeLong(s.openDeadlineMillis);
      out.writeName(s.openReason.name());
      SealedSegment sealed = s.sealed;
      out.writeBoolean(sealed != null);
      if (sealed != null) {
        out.writeInt(sealed.shard());
        out.writeInt(sealed.generation());
        out.writeInt(sealed.spans());
        out.writeLong(sealed.bytes());
        out.writeBoolean(sealed.skipEnrichment());
      }
      writeIndices(out, s.sealedSpans, spans);
      out.writeName(s.sealedReason.name());
      out.writeBoolean(s.queued());
      out.writeLong(s.deadlineMillis);
      out.writeName(s.reason.name());
      out.writeBoolean(s.active);
    }
    out.writeInt(trees.items.size());
    for (SpanTree tree : trees.items) {
      out.writeLong(tree.label);
      out.writeInt(segmentIndex.of(tree.segment));
      writeIndices(out, tree.open, spans);
      out.writeLong(tree.openBytes);
      out.writeLong(tree.firstInsertMillis);
      out.writeLong(tree.lastInsertMillis);
    }
    for (BufferedSegment s : segments) {
      writeIndices(out, s.trees, trees);
    }
    out.writeInt(nodes.size());
    for (TraceAssembly.Node node : nodes) {
      out.writeLong(node.id);
      out.writeInt(nodeIndex.of(node.parent));
      out.writeInt(node.size);
      out.writeInt(node.tree == null ? NONE : trees.of(node.tree));
      out.writeBoolean(node.present);
      out.writeInt(node.span == null ? NONE : spans.of(node.span));
      out.writeLong(node.digest);
      out.writeInt(node.length);
      out.writeLong(node.flushedAt);
      long[] versions = node.otherVersions;
      out.writeInt(versions == null ? NONE : versions.length);
      if (versions != null) {
        for (long v : versions) {
          out.writeLong(v);
        }
      }
    }
  }

  private static <T> void writeIndices(SnapshotOutput out, @Nullable List<T> items, Index<T> index) {
    if (items == null) {
      out.writeInt(NONE);
      return;
    }
    out.writeInt(items.size());
    for (T item : items) {
      out.writeInt(index.of(item));
    }
  }

  private static void writeKey(SnapshotOutput out, TraceKey key) {
    out.writeLong(key.projectId());
    out.writeLong(key.traceHigh());
    out.writeLong(key.traceLow());
  }

  /**
   * Fills an empty assembly with the state {@code snapshot} holds. Any bytes are refused the one way, truncated,
   * flipped or spliced: every count and length is checked against the bytes left before anything is allocated for it
   * (so that none, however large, runs the heap out), and a field that a constructor refuses is refused as the
   * snapshot's.
   *
   * @throws IllegalArgumentException when the bytes are not a snapshot this version wrote
   */
  static void read(byte[] snapshot, SegmentAssembly assembly) {
    try {
      readChecked(snapshot, assembly);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("snapshot of " + snapshot.length + " bytes does not decode: " + e, e);
    }
  }

  private static void readChecked(byte[] snapshot, SegmentAssembly assembly) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
      int version = in.readInt();
      if (version != VERSION) {
        throw new IllegalArgumentException("snapshot version must be " + VERSION + " but was " + version);
      }
      assembly.seq = in.readLong();
      assembly.bufferedSegments = in.readLong();
      assembly.bufferedSpans = in.readLong();
      assembly.bufferedBytes = in.readLong();
      assembly.idleNodes = in.readLong();
      assembly.forgottenSpans = in.readLong();
      int traces = count(in);
      for (int i = 0; i < traces; i++) {
        TraceAssembly trace = readTrace(in, assembly);
        assembly.traces.put(new TraceKey(trace.projectId, trace.traceId.high(),
            trace.traceId.low()), trace);
      }
      int idle = count(in);
      for (int i = 0; i < idle; i++) {
        assembly.idle.put(new TraceKey(in.readLong(), in.readLong(), in.readLong()), in.readInt());
      }
      if (in.available() > 0) {
        throw new IllegalArgumentException(in.available() + " bytes follow the snapshot");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("snapshot of " + snapshot.length + " bytes is truncated", e);
    }
  }

  private static TraceAssembly readTrace(DataInputStream in, SegmentAssembly assembly) throws IOException {
    long projectId = in.readLong();
    TraceId traceId = new TraceId(in.readLong(), in.readLong());
    TraceAssembly trace = new TraceAssembly(projectId, traceId, assembly.flushedSpansPerTrace);
    trace.activeSegments = in.readInt();
    trace.flushedNodes = in.readInt();
    trace.flushes = in.readLong();

    List<Span> spans = new ArrayList<>();
    int spanCount = count(in);
    for (int i = 0; i < spanCount; i++) {
      byte[] bytes = new byte[count(in)];
      in.readFully(bytes);
      ParseResult parsed = Span.parse(bytes);
      if (!(parsed instanceof Span span)) {
        throw new IllegalArgumentException("span " + i + " of a snapshot does not parse: " + parsed);
      }
      spans.add(span);
    }
    List<BufferedSegment> segments = new ArrayList<>();
    int segmentCount = count(in);
    for (int i = 0; i < segmentCount; i++) {
      SegmentKey key = new SegmentKey(projectId, traceId, in.readLong());
      BufferedSegment s = new BufferedSegment(key, in.readInt(), in.readLong());
      s.openSpans = in.readInt();
      s.openBytes = in.readLong();
      s.firstInsertMillis = in.readLong();
      s.lastInsertMillis = in.readLong();
      s.hasRoot = in.readBoolean();
      s.nextGeneration = in.readInt();
      s.chunked = in.readBoolean();
      s.openDeadlineMillis = in.readLong();
      s.openReason = FlushReason.valueOf(in.readUTF());
      if (in.readBoolean()) {
        s.sealed = new SealedSegment(key, in.readInt(), in.readInt(), in.readInt(), in.readLong(), in.readBoolean());
      }
      s.sealedSpans = readIndices(in, spans);
      s.sealedReason = FlushReason.valueOf(in.readUTF());
      boolean queued = in.readBoolean();
      s.deadlineMillis = in.readLong();
      s.reason = FlushReason.valueOf(in.readUTF());
      s.active = in.readBoolean();
      segments.add(s);
      trace.segments.put(key.segmentId(), s);
      if (queued) {
        assembly.queue(s.shard).place(s);
      }
    }
    List<SpanTree> trees = new ArrayList<>();
    int treeCount = count(in);
    for (int i = 0; i < treeCount; i++) {
      SpanTree tree = new SpanTree(in.readLong(), item(segments, in.readInt()));
      List<Span> open = readIndices(in, spans);
      tree.open = open == null ? new ArrayList<>(4) : open;
      tree.openBytes = in.readLong();
      tree.firstInsertMillis = in.readLong();
      tree.lastInsertMillis = in.readLong();
      trees.add(tree);
    }
    for (BufferedSegment s : segments) {
      List<SpanTree> own = readIndices(in, trees);
      if (own != null) {
        s.trees.addAll(own);
      }
    }
    int nodeCount = count(in);
    List<TraceAssembly.Node> nodes = new ArrayList<>(nodeCount);
    int[] parents = new int[nodeCount];
    for (int i = 0; i < nodeCount; i++) {
      TraceAssembly.Node node = new TraceAssembly.Node(in.readLong());
      parents[i] = in.readInt();
      node.size = in.readInt();
      int tree = in.readInt();
      node.tree = tree == NONE ? null : item(trees, tree);
      node.present = in.readBoolean();
      int span = in.readInt();
      node.span = span == NONE ? null : item(spans, span);
      node.digest = in.readLong();
      node.length = in.readInt();
      node.flushedAt = in.readLong();
      int versions = in.readInt();
      if (versions != NONE) {
        if (versions < 0 || versions > 2 * TraceAssembly.Node.MAX_OTHER_VERSIONS || versions % 2 != 0) {
          throw new IllegalArgumentException("other versions must be an even count <= "
              + 2 * TraceAssembly.Node.MAX_OTHER_VERSIONS + " but was " + versions);
        }
        long[] others = new long[versions];
        for (int v = 0; v < versions; v++) {
          others[v] = in.readLong();
        }
        node.otherVersions = others;
        trace.otherVersionLongs += versions;
      }
      nodes.add(node);
      trace.nodes.put(node.id, node);
    }
    for (int i = 0; i < nodeCount; i++) {
      nodes.get(i).parent = item(nodes, parents[i]);
    }
    return trace;
  }

  private static <T> @Nullable List<T> readIndices(DataInputStream in, List<T> items) throws IOException {
    int n = in.readInt();
    if (n == NONE) {
      return null;
    }
    if (n < 0) {
      throw new IllegalArgumentException("list length must be >= 0 but was " + n);
    }
    List<T> list = new ArrayList<>(Math.min(n, 1 << 16));
    for (int i = 0; i < n; i++) {
      list.add(item(items, in.readInt()));
    }
    return list;
  }

  private static <T> T item(List<T> items, int index) {
    if (index < 0 || index >= items.size()) {
      throw new IllegalArgumentException("index must be in [0, " + items.size() + ") but was " + index);
    }
    return items.get(index);
  }

  /** A count of items or a length in bytes: each item takes a byte at least, so it is at most the bytes left. */
  private static int count(DataInputStream in) throws IOException {
    int n = in.readInt();
    int left = in.available(); // exact over a byte array
    if (n < 0 || n > left) {
      throw new IllegalArgumentException("count or length must be in [0, " + left + "] but was " + n);
    }
    return n;
  }

  /** Objects in the order first added, each named by its position; by identity. */
  private static final class Index<T> {
    final List<T> items = new ArrayList<>();
    private final IdentityHashMap<T, Integer> positions = new IdentityHashMap<>();

    Index(List<T> initial) {
      initial.forEach(this::add);
    }

    void add(T item) {
      if (!positions.containsKey(item)) {
        positions.put(item, items.size());
        items.add(item);
      }
    }

    int of(T item) {
      Integer position = positions.get(item);
      if (position == null) {
        throw new IllegalStateException("an object the snapshot refers to must be indexed: " + item);
      }
      return position;
    }
  }
}
