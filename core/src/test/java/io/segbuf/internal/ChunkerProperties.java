package io.segbuf.internal;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segbuf.ChunkingStrategy;
import io.segbuf.Message;
import io.segbuf.SegmentKey;
import io.segbuf.Span;
import io.segbuf.TestSpans;
import io.segbuf.TraceId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Properties of ordering, chunking and encoding over random segments: random trees with orphans, cycles, huge
 * spans and all the patch cases, random budgets from 256 bytes to more than the whole segment, both strategies,
 * generations and inherited skip flags.
 */
class ChunkerProperties {
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final int EXAMPLES = 150;

  @Test
  void messagesHaveTheirPlannedLengthAndMeetTheBudgetUnlessOneSpanIsTooLarge() {
    qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
      Flush f = c.flush(c.strategy);
      List<Chunk> chunks = f.plan.chunks();
      assertThat(f.messages).hasSameSizeAs(chunks);
      int overBudget = 0;
      for (int i = 0; i < chunks.size(); i++) {
        Chunk chunk = chunks.get(i);
        Message m = f.messages.get(i);
        assertThat(m.value()).hasSize(chunk.messageBytes());
        assertThat(chunk.messageBytes()).isEqualTo(exactLength(c, f.order, chunk, i, chunks.size(),
            f.plan.skipEnrichment()));
        if (m.value().length > c.maxMessageBytes) {
          overBudget++;
          assertThat(chunk.spans()).as("chunk %d of %d bytes", i, m.value().length).isEqualTo(1);
          assertThat(Spans.patchedLength(f.order.span(chunk.from()), c.segmentId)).isGreaterThan(
              c.maxMessageBytes - MessageEncoder.prefixLength(c.generation, i, chunks.size(), true) - 2);
        }
        assertThat(m.chunkIndex()).isEqualTo(i);
        assertThat(m.chunkCount()).isEqualTo(chunks.size());
        assertThat(m.generation()).isEqualTo(c.generation);
        assertThat(m.spanCount()).isEqualTo(chunk.spans());
        assertThat(m.skipEnrichment()).isEqualTo(f.plan.skipEnrichment());
        assertThat(m.segment()).isEqualTo(c.key);
      }
      assertThat(f.plan.oversizedSpans()).isEqualTo(overBudget);
    });
  }

  @Test
  void chunksCoverTheOrderOnceInOrderAndEverySpanIsSentOnce() {
    qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
      Flush f = c.flush(c.strategy);
      int next = 0;
      for (Chunk chunk : f.plan.chunks()) {
        assertThat(chunk.from()).isEqualTo(next);
        assertThat(chunk.to()).isGreaterThan(chunk.from());
        next = chunk.to();
      }
      assertThat(next).isEqualTo(c.spans.size());
      // the order is a permutation of the input
      assertThat(f.order.spans()).containsExactlyInAnyOrderElementsOf(c.spans);
      // and the messages carry each span of the order once, patched, in order
      List<String> sent = new ArrayList<>();
      for (Message m : f.messages) {
        for (JsonNode s : parse(m.value()).get("spans")) {
          sent.add(s.get("span_id").asText() + " " + s.path("data").asText());
        }
      }
      List<String> expected = new ArrayList<>();
      for (Span s : f.order.spans()) {
        JsonNode original = parse(s.bytes());
        expected.add(original.get("span_id").asText() + " " + original.path("data").asText());
      }
      assertThat(sent).containsExactlyElementsOf(expected);
    });
  }

  @Test
  void messagesHaveTheBufferedSegmentsShapeAndCarryThePatchedSpans() {
    qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
      Flush f = c.flush(c.strategy);
      int count = f.messages.size();
      for (int i = 0; i < count; i++) {
        Message m = f.messages.get(i);
        Chunk chunk = f.plan.chunks().get(i);
        JsonNode root = parse(m.value());
        List<String> expectedFields = new ArrayList<>(
            List.of("flush_id", "segment_id", "generation", "chunk_index", "chunk_count"));
        if (f.plan.skipEnrichment()) {
          expectedFields.add("skip_enrichment");
        }
        expectedFields.add("spans");
        assertThat(fieldNames(root)).containsExactlyElementsOf(expectedFields);
        assertThat(root.get("flush_id").asText()).matches("[0-9a-f]{32}").isEqualTo(m.flushId());
        assertThat(root.get("segment_id").asText()).isEqualTo(Hex.toHex(c.segmentId));
        assertThat(root.get("generation").isInt()).isTrue();
        assertThat(root.get("generation").intValue()).isEqualTo(c.generation);
        assertThat(root.get("chunk_index").intValue()).isEqualTo(i);
        assertThat(root.get("chunk_count").intValue()).isEqualTo(count);
        if (f.plan.skipEnrichment()) {
          assertThat(root.get("skip_enrichment").isBoolean()).isTrue();
          assertThat(root.get("skip_enrichment").booleanValue()).isTrue();
        }
        JsonNode sent = root.get("spans");
        assertThat(sent.isArray()).isTrue();
        assertThat(sent.size()).isEqualTo(chunk.spans());
        StringBuilder expectedSpans = new StringBuilder();
        for (int k = 0; k < chunk.spans(); k++) {
          Span s = f.order.span(chunk.from() + k);
          byte[] patched = new byte[Spans.patchedLength(s, c.segmentId)];
          assertThat(Spans.writePatched(s, c.segmentId, patched, 0)).isEqualTo(patched.length);
          assertThat(sent.get(k)).isEqualTo(parse(patched));
          assertThat(sent.get(k)).isEqualTo(patchedModel(s, c.segmentId));
          expectedSpans.append(k == 0 ? "" : ",").append(new String(patched, StandardCharsets.UTF_8));
        }
        // byte for byte: the spans array is the patched spans joined by commas, nothing else
        String value = new String(m.value(), StandardCharsets.UTF_8);
        assertThat(value).endsWith(",\"spans\":[" + expectedSpans + "]}");
      }
    });
  }

  @Test
  void oneMessageExactlyWhenTheWholeSegmentFits() {
    qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
      Flush f = c.flush(c.strategy);
      long whole = MessageEncoder.prefixLength(c.generation, 0, 1, c.inherited) + spansCost(c, f.order, 0,
          f.order.size()) + MessageEncoder.suffixLength();
      if (whole <= c.maxMessageBytes) {
        assertThat(f.messages).hasSize(1);
        assertThat(f.plan.chunked()).isFalse();
        assertThat(f.plan.skipEnrichment()).isEqualTo(c.inherited);
        assertThat(f.plan.oversizedSpans()).isZero();
        assertThat(f.messages.get(0).value()).hasSize((int) whole);
        assertThat(parse(f.messages.get(0).value()).has("skip_enrichment")).isEqualTo(c.inherited);
      } else {
        assertThat(f.plan.chunked()).isTrue();
        assertThat(f.plan.skipEnrichment()).isTrue();
        // a single span too large for the budget is one chunk; more spans that do not fit are several
        assertThat(f.messages.size() >= 2 || c.spans.size() == 1).as("%d messages", f.messages.size()).isTrue();
        for (Message m : f.messages) {
          assertThat(m.skipEnrichment()).isTrue();
          assertThat(parse(m.value()).get("skip_enrichment").booleanValue()).isTrue();
        }
      }
    });
  }

  @Test
  void greedyFillsEveryChunkButTheLastAsFarAsTheBudgetAllows() {
    qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
      Flush f = c.flush(ChunkingStrategy.GREEDY);
      List<Chunk> chunks = f.plan.chunks();
      for (int i = 0; i + 1 < chunks.size(); i++) {
        Chunk chunk = chunks.get(i);
        long withNext = MessageEncoder.prefixLength(c.generation, i, chunks.size(), true)
            + spansCost(c, f.order, chunk.from(), chunk.to() + 1) + MessageEncoder.suffixLength();
        assertThat(withNext).as("chunk %d of %d with the next span", i, chunks.size())
            .isGreaterThan(c.maxMessageBytes);
      }
    });
  }

  @Test
  void greedyAndSubtreeSendTheSameSpans() {
    qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
      Map<String, Integer> greedy = sentSpans(c.flush(ChunkingStrategy.GREEDY).messages);
      Map<String, Integer> subtree = sentSpans(c.flush(ChunkingStrategy.SUBTREE).messages);
      assertThat(subtree).isEqualTo(greedy);
      assertThat(greedy.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(c.spans.size());
    });
  }

  @Test
  void subtreeKeepsEverySubtreeThatFitsInOneChunkWithTheRootChunkFirst() {
    qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
      Flush f = c.flush(ChunkingStrategy.SUBTREE);
      List<Chunk> chunks = f.plan.chunks();
      if (c.hasRoot) {
        assertThat(f.order.span(0).spanId()).isEqualTo(c.segmentId);
        assertThat(chunks.get(0).from()).isZero();
      }
      if (chunks.size() == 1) {
        return;
      }
      int[] chunkOf = new int[f.order.size()];
      for (int i = 0; i < chunks.size(); i++) {
        Arrays.fill(chunkOf, chunks.get(i).from(), chunks.get(i).to(), i);
      }
      for (int p = 0; p < f.order.size(); p++) {
        int end = f.order.subtreeEnd(p);
        int chunk = chunkOf[p];
        // fits even in the chunk after the one it starts in (whose index may have one digit more)
        long alone = MessageEncoder.prefixLength(c.generation, chunk + 1, chunks.size(), true)
            + spansCost(c, f.order, p, end) + MessageEncoder.suffixLength();
        if (alone <= c.maxMessageBytes) {
          assertThat(chunkOf[end - 1]).as("subtree [%d, %d) of %d bytes", p, end, alone).isEqualTo(chunk);
        }
      }
    });
  }

  @Test
  void flushIdsAreDeterministicDistinctAndDigestTheWholeMessage() {
    qt().withExamples(EXAMPLES).forAll(cases()).checkAssert(c -> {
      Flush first = c.flush(c.strategy);
      Flush again = c.reversed().flush(c.strategy);
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < first.messages.size(); i++) {
        Message m = first.messages.get(i);
        String id = m.flushId();
        assertThat(id).isEqualTo(MessageEncoder.flushId(c.key, m.value()));
        assertThat(again.messages.get(i).flushId()).isEqualTo(id);
        assertThat(again.messages.get(i).value()).isEqualTo(m.value());
        assertThat(id).isNotEqualTo(
            MessageEncoder.flushId(new SegmentKey(c.key.projectId() + 1, c.key.traceId(), c.segmentId), m.value()));
        assertThat(id).isNotEqualTo(MessageEncoder.flushId(
            new SegmentKey(c.key.projectId(), new TraceId(c.key.traceId().high(), ~c.key.traceId().low()),
                c.segmentId), m.value()));
        byte[] changed = m.value().clone();
        changed[changed.length - 3] ^= 1; // a byte of the last span
        assertThat(id).isNotEqualTo(MessageEncoder.flushId(c.key, changed));
        ids.add(id);
      }
      assertThat(ids).hasSize(first.messages.size());
    });
  }

  // ---------------------------------------------------------------------------------------------------------

  /** One random segment, budget and flush. */
  static final class Case {
    final long seed;
    final List<Span> spans;
    final long segmentId;
    final boolean hasRoot;
    final SegmentKey key;
    final int maxMessageBytes;
    final ChunkingStrategy strategy;
    final int generation;
    final boolean inherited;

    Case(long seed, List<Span> spans, long segmentId, boolean hasRoot, int maxMessageBytes,
        ChunkingStrategy strategy, int generation, boolean inherited) {
      this.seed = seed;
      this.spans = spans;
      this.segmentId = segmentId;
      this.hasRoot = hasRoot;
      this.key = new SegmentKey(TestSpans.PROJECT, TraceId.parse(TestSpans.TRACE), segmentId);
      this.maxMessageBytes = maxMessageBytes;
      this.strategy = strategy;
      this.generation = generation;
      this.inherited = inherited;
    }

    Flush flush(ChunkingStrategy with) {
      SegmentOrder order = SegmentOrder.of(spans, segmentId);
      ChunkPlan plan = new ChunkPlanner(with, maxMessageBytes).plan(order, segmentId, generation, inherited);
      return new Flush(order, plan, MessageEncoder.encode(key, generation, order, plan));
    }

    /** The same segment, spans given in the reverse order. */
    Case reversed() {
      List<Span> reversed = new ArrayList<>(spans);
      Collections.reverse(reversed);
      return new Case(seed, reversed, segmentId, hasRoot, maxMessageBytes, strategy, generation, inherited);
    }

    @Override
    public String toString() {
      return "Case{seed=" + seed + ", spans=" + spans.size() + ", root=" + hasRoot + ", maxMessageBytes="
          + maxMessageBytes + ", " + strategy + ", generation=" + generation + ", inherited=" + inherited + "}";
    }
  }

  static final class Flush {
    final SegmentOrder order;
    final ChunkPlan plan;
    final List<Message> messages;

    Flush(SegmentOrder order, ChunkPlan plan, List<Message> messages) {
      this.order = order;
      this.plan = plan;
      this.messages = messages;
    }
  }

  private static Gen<Case> cases() {
    Gen<Integer> sizes = integers().between(1, 300).mix(integers().between(1, 6), 30);
    // where the budget falls between 256 bytes and 20% more than the whole segment, in thousandths
    Gen<Integer> budgets = integers().between(0, 1000);
    Gen<Integer> generations = integers().between(0, 12);
    Gen<ChunkingStrategy> strategies = booleans().all().map(b -> b ? ChunkingStrategy.SUBTREE
        : ChunkingStrategy.GREEDY);
    return longs().all().zip(sizes, budgets, generations, strategies,
        (seed, size, budget, generation, strategy) -> {
          Random random = new Random(seed);
          boolean inherited = random.nextInt(4) == 0;
          return newCase(seed, random, size, budget, strategy, generation, inherited);
        }).describedAs(Case::toString);
  }

  private static Case newCase(long seed, Random random, int n, int budgetPermille, ChunkingStrategy strategy,
      int generation, boolean inherited) {
    boolean hasRoot = random.nextInt(8) != 0;
    long segmentId = random.nextBoolean() ? random.nextLong() : 1 + random.nextInt(1000);
    long[] ids = new long[n];
    Set<Long> used = new HashSet<>(List.of(segmentId));
    for (int i = 0; i < n; i++) {
      if (i == 0 && hasRoot) {
        ids[i] = segmentId;
        continue;
      }
      long id;
      do {
        id = random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(5000);
      } while (!used.add(id) && random.nextInt(50) != 0); // now and then a duplicate id
      ids[i] = id;
    }
    boolean hugeSpans = random.nextInt(3) == 0;
    // spans of one size make chunks that end on the budget's last byte likely
    int uniformPadding = random.nextInt(3) == 0 ? random.nextInt(200) : -1;
    List<Span> spans = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      TestSpans s = span(ids[i]);
      if (i == 0) {
        if (!hasRoot) {
          s.parent(segmentId); // the root has not arrived
        }
      } else if (random.nextInt(12) == 0) {
        s.parent(random.nextLong()); // an orphan
      } else if (random.nextInt(40) == 0) {
        s.parent(ids[i + random.nextInt(n - i)]); // may close a parent cycle
      } else {
        s.parent(ids[random.nextInt(i)]);
      }
      switch (random.nextInt(8)) {
        case 0:
          s.noAttributes();
          break;
        case 1:
          s.segmentId(random.nextBoolean() ? segmentId : random.nextLong());
          break;
        case 2:
          s.isSegment(i == 0 && hasRoot);
          break;
        case 3:
          s.isSegment(true); // a root of its own under a parent; patched to false unless it is the segment's
          break;
        default:
          break;
      }
      int padding = uniformPadding >= 0 ? uniformPadding : random.nextInt(3001);
      if (hugeSpans && random.nextInt(20) == 0) {
        padding = 3000 + random.nextInt(30_000);
      }
      spans.add(s.padding(padding).parsed());
    }
    // a duplicate id with different bytes
    if (n > 2 && random.nextInt(10) == 0) {
      Span copy = spans.get(1 + random.nextInt(n - 1));
      byte[] bytes = Arrays.copyOf(copy.bytes(), copy.bytes().length + 1);
      bytes[bytes.length - 1] = '\n';
      spans.add((Span) Span.parse(bytes));
    }
    Collections.shuffle(spans, random);
    long whole = MessageEncoder.prefixLength(generation, 0, 1, inherited) + MessageEncoder.suffixLength() - 1;
    for (Span s : spans) {
      whole += Spans.patchedLength(s, segmentId) + 1;
    }
    long top = whole + whole / 5;
    int max = (int) Math.max(256, 256 + (top - 256) * budgetPermille / 1000);
    if (budgetPermille % 97 == 0) {
      max = (int) Math.max(256, whole - budgetPermille % 2); // exactly the whole segment, or one byte less
    } else if (budgetPermille % 3 == 1) {
      // exactly the first k spans in a chunk, give or take the digits of the chunk count
      SegmentOrder order = SegmentOrder.of(spans, segmentId);
      int k = 1 + random.nextInt(Math.min(order.size(), 30));
      long first = MessageEncoder.prefixLength(generation, 0, 1, true) + MessageEncoder.suffixLength() + k - 1;
      for (int p = 0; p < k; p++) {
        first += Spans.patchedLength(order.span(p), segmentId);
      }
      max = (int) Math.max(256, first + random.nextInt(3));
    }
    return new Case(seed, spans, segmentId, hasRoot, max, strategy, generation, inherited);
  }

  /** The span as the patch must leave it: the original tree with {@code is_segment} and the segment id set. */
  private static JsonNode patchedModel(Span span, long segmentId) {
    ObjectNode model = (ObjectNode) parse(span.bytes());
    model.put("is_segment", span.spanId() == segmentId);
    JsonNode attributes = model.get("attributes");
    if (attributes == null || !attributes.isObject()) {
      attributes = model.putObject("attributes");
    }
    if (!attributes.has("sentry.segment.id")) {
      ObjectNode entry = JsonNodeFactory.instance.objectNode();
      entry.put("type", "string");
      entry.put("value", Hex.toHex(segmentId));
      ((ObjectNode) attributes).set("sentry.segment.id", entry);
    }
    return model;
  }

  private static int exactLength(Case c, SegmentOrder order, Chunk chunk, int index, int count, boolean skip) {
    return (int) (MessageEncoder.prefixLength(c.generation, index, count, skip)
        + spansCost(c, order, chunk.from(), chunk.to()) + MessageEncoder.suffixLength());
  }

  /** The bytes of the patched spans at {@code [from, to)} with the commas between them. */
  private static long spansCost(Case c, SegmentOrder order, int from, int to) {
    long cost = to - from - 1;
    for (int p = from; p < to; p++) {
      cost += Spans.patchedLength(order.span(p), c.segmentId);
    }
    return cost;
  }

  private static Map<String, Integer> sentSpans(List<Message> messages) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Message m : messages) {
      for (JsonNode s : parse(m.value()).get("spans")) {
        counts.merge(s.toString(), 1, Integer::sum);
      }
    }
    return counts;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  static JsonNode parse(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
