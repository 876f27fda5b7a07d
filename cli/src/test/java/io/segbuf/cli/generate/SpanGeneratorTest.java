package io.segbuf.cli.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.cli.generate.GeneratedSpans.Line;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SpanGeneratorTest {

  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern SPAN_ID = Pattern.compile("[0-9a-f]{16}");

  private static final GeneratorOptions SMALL =
      GeneratorOptions.builder().traces(40).spansPerTrace(15).build();

  @Test
  void sameSeedProducesIdenticalOutput() {
    GeneratorOptions options = SMALL.toBuilder().seed(99).late(0.1).build();

    assertThat(GeneratedSpans.ndjson(options)).isEqualTo(GeneratedSpans.ndjson(options));
  }

  @Test
  void differentSeedsProduceDifferentOutput() {
    assertThat(GeneratedSpans.ndjson(SMALL.toBuilder().seed(1).build()))
        .isNotEqualTo(GeneratedSpans.ndjson(SMALL.toBuilder().seed(2).build()));
  }

  @Test
  void eachIteratorIsAFreshRunOfTheSameSpans() {
    SpanGenerator generator = new SpanGenerator(SMALL);
    Iterator<byte[]> first = generator.iterator();
    Iterator<byte[]> second = generator.iterator();

    while (first.hasNext()) {
      assertThat(second.hasNext()).isTrue();
      assertThat(second.next()).isEqualTo(first.next());
    }
    assertThat(second.hasNext()).isFalse();
  }

  @Test
  void writeToWritesEachSpanOnItsOwnLine() {
    StringBuilder expected = new StringBuilder();
    for (byte[] span : new SpanGenerator(SMALL)) {
      assertThat(span).doesNotContain((byte) '\n');
      expected.append(new String(span, StandardCharsets.UTF_8)).append('\n');
    }

    assertThat(new String(GeneratedSpans.ndjson(SMALL), StandardCharsets.UTF_8))
        .isEqualTo(expected.toString());
  }

  @Test
  void emitsTracesTimesSpansPerTraceSpans() {
    GeneratedSpans spans = GeneratedSpans.generate(SMALL.toBuilder().late(0.2).build());

    assertThat(spans.lines()).hasSize(40 * 15);
    assertThat(spans.byTrace()).hasSize(40).allSatisfy((id, trace) -> assertThat(trace).hasSize(15));
    assertThat(new SpanGenerator(SMALL).spanCount()).isEqualTo(600);
  }

  @Test
  void everyLineIsASpanWithValidIdsAndNumbers() {
    GeneratedSpans spans = GeneratedSpans.generate(SMALL);

    assertThat(spans.lines())
        .allSatisfy(
            line -> {
              assertThat(line.traceId()).matches(TRACE_ID);
              assertThat(line.spanId()).matches(SPAN_ID);
              if (line.parentSpanId() != null) {
                assertThat(line.parentSpanId()).matches(SPAN_ID);
              }
              assertThat(line.json().get("trace_id").isTextual()).isTrue();
              assertThat(line.json().get("project_id").isIntegralNumber()).isTrue();
              assertThat(line.json().get("project_id").asLong()).isPositive();
              assertThat(line.json().get("end_timestamp").isNumber()).isTrue();
              assertThat(line.json().get("start_timestamp").isNumber()).isTrue();
              assertThat(line.json().get("received").isNumber()).isTrue();
              assertThat(line.json().get("start_timestamp").asDouble()).isLessThanOrEqualTo(line.end());
              assertThat(line.json().path("attributes").path("sentry.op").path("value").isTextual())
                  .isTrue();
            });
  }

  @Test
  void projectIdsComeFromTheConfiguredNumberOfProjects() {
    GeneratedSpans spans =
        GeneratedSpans.generate(SMALL.toBuilder().projects(4).serviceEntries(0.3).build());

    Set<Long> projects = new HashSet<>();
    spans.lines().forEach(line -> projects.add(line.json().get("project_id").asLong()));
    assertThat(projects).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
  }

  @Test
  void everyTraceHasExactlyOneRootAndOnlyParentsFromTheSameTrace() {
    GeneratedSpans spans =
        GeneratedSpans.generate(SMALL.toBuilder().outOfOrder(0.5).late(0.1).build());

    assertThat(spans.byTrace())
        .allSatisfy(
            (id, trace) -> {
              List<Line> roots =
                  trace.stream().filter(line -> line.parentSpanId() == null).toList();
              assertThat(roots).hasSize(1);
              assertThat(roots.get(0).segment()).isTrue();
              Set<String> ids = new HashSet<>();
              trace.forEach(line -> ids.add(line.spanId()));
              assertThat(ids).hasSize(trace.size());
              trace.stream()
                  .filter(line -> line.parentSpanId() != null)
                  .forEach(line -> assertThat(ids).contains(line.parentSpanId()));
            });
  }

  @Test
  void treesRespectDepthAndFanOutWhileTheyFit() {
    // 1 + 3 + 9 = 13 spans fill a depth-2, fan-out-3 tree exactly.
    GeneratedSpans spans =
        GeneratedSpans.generate(
            GeneratorOptions.builder().traces(30).spansPerTrace(13).depth(2).fanOut(3).build());

    assertThat(spans.byTrace())
        .allSatisfy(
            (id, trace) -> {
              assertThat(GeneratedSpans.depths(trace).values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(2));
              assertThat(GeneratedSpans.childCounts(trace).values())
                  .allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(3));
            });
  }

  @Test
  void fullTreeRelaxesFanOutButNeverDepth() {
    GeneratedSpans spans =
        GeneratedSpans.generate(
            GeneratorOptions.builder().traces(5).spansPerTrace(50).depth(1).fanOut(2).build());

    assertThat(spans.byTrace())
        .allSatisfy(
            (id, trace) -> {
              assertThat(trace).hasSize(50);
              assertThat(GeneratedSpans.depths(trace).values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(1));
              assertThat(GeneratedSpans.childCounts(trace).values()).containsExactly(49);
            });
  }

  @Test
  void deepNarrowTreesReachTheirDepthLimit() {
    GeneratedSpans spans =
        GeneratedSpans.generate(
            GeneratorOptions.builder().traces(5).spansPerTrace(6).depth(5).fanOut(1).build());

    assertThat(spans.byTrace())
        .allSatisfy(
            (id, trace) ->
                assertThat(GeneratedSpans.depths(trace).values())
                    .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5));
  }

  @Test
  void spanSizesStayWithinMinAndMax() {
    GeneratedSpans spans =
        GeneratedSpans.generate(SMALL.toBuilder().minSpanBytes(600).maxSpanBytes(5000).build());

    assertThat(sizes(spans)).allSatisfy(size -> assertThat(size).isBetween(600, 5000));
    IntSummary summary = IntSummary.of(spans.lines());
    assertThat(summary.min()).isLessThan(1000);
    assertThat(summary.max()).isGreaterThan(4500);
  }

  @Test
  void spanSizesAreExactWhenMinEqualsMax() {
    // Above the largest fixed fields (about 450 bytes), every target is met exactly.
    for (int size : new int[] {600, 601, 637, 1024, 10_000}) {
      GeneratedSpans spans =
          GeneratedSpans.generate(SMALL.toBuilder().spanBytes(size, size).build());

      assertThat(sizes(spans)).containsOnly(size);
    }
  }

  @Test
  void tinyTargetsLiftSpansToTheirFixedFieldsButNeverAboveMax() {
    GeneratedSpans spans = GeneratedSpans.generate(SMALL.toBuilder().spanBytes(1, 500).build());

    assertThat(sizes(spans)).allSatisfy(size -> assertThat(size).isBetween(250, 500));
    assertThat(sizes(spans)).anySatisfy(size -> assertThat(size).isGreaterThan(480));
  }

  @Test
  void unicodeLinesAreValidUtf8WithMultiByteText() {
    // Every line is decoded with a REPORT decoder while it is read, so invalid UTF-8 fails here.
    GeneratedSpans spans = GeneratedSpans.generate(SMALL.toBuilder().unicode(true).build());

    long nonAscii =
        spans.lines().stream()
            .filter(line -> !StandardCharsets.US_ASCII.newEncoder().canEncode(line.text()))
            .count();
    assertThat(nonAscii).isGreaterThan(spans.lines().size() / 10);
    String all = new String(GeneratedSpans.ndjson(SMALL), StandardCharsets.UTF_8);
    assertThat(all).containsAnyOf("café", "日本語", "🚀", "😀");
  }

  @Test
  void withoutUnicodeEveryByteIsAscii() {
    byte[] output = GeneratedSpans.ndjson(SMALL.toBuilder().unicode(false).build());

    for (byte b : output) {
      assertThat(b).isNotNegative();
    }
  }

  @Test
  void stringsNeedingEscapesRoundTripThroughAJsonParser() {
    GeneratedSpans spans = GeneratedSpans.generate(SMALL.toBuilder().traces(100).build());

    assertThat(spans.lines())
        .anySatisfy(line -> assertThat(line.json().get("name").asText()).contains("\"").contains("\n"));
    assertThat(spans.lines())
        .anySatisfy(line -> assertThat(line.json().get("name").asText()).contains("\\"));
  }

  @Test
  void receivedNeverDecreasesAndNeverPrecedesTheEnd() {
    GeneratedSpans spans =
        GeneratedSpans.generate(SMALL.toBuilder().late(0.1).lateSeconds(5).outOfOrder(1).build());

    double previous = 0;
    for (Line line : spans.lines()) {
      assertThat(line.received()).isGreaterThanOrEqualTo(previous);
      assertThat(line.end()).isLessThanOrEqualTo(line.received());
      previous = line.received();
    }
    assertThat(spans.lines().get(0).json().get("start_timestamp").asDouble())
        .isGreaterThanOrEqualTo(GeneratorOptions.DEFAULT_START_EPOCH_SECONDS);
  }

  @Test
  void lateFractionProducesLateSpansAfterOtherTraces() {
    GeneratorOptions options =
        GeneratorOptions.builder().traces(200).spansPerTrace(20).late(0.1).lateSeconds(30).build();
    GeneratedSpans spans = GeneratedSpans.generate(options);

    List<Line> late = lateSpans(spans, 30);
    assertThat(late.size()).isBetween(300, 500); // 10% of 4,000
    Map<String, Integer> lastOnTimeIndex = new HashMap<>();
    Set<Integer> lateIndexes = new HashSet<>();
    late.forEach(line -> lateIndexes.add(line.index()));
    for (Line line : spans.lines()) {
      if (!lateIndexes.contains(line.index())) {
        lastOnTimeIndex.put(line.traceId(), line.index());
      }
    }
    for (Line line : late) {
      int onTimeEnd = lastOnTimeIndex.getOrDefault(line.traceId(), -1);
      assertThat(onTimeEnd).isNotNegative();
      assertThat(spans.lines().subList(onTimeEnd + 1, line.index()))
          .anySatisfy(other -> assertThat(other.traceId()).isNotEqualTo(line.traceId()));
    }
  }

  @Test
  void manyPendingLateSpansAreEmittedEarlyButStillLate() {
    // 72,000 late spans due in 1,000 s: more than the generator holds back, so some go out early.
    GeneratorOptions options =
        GeneratorOptions.builder()
            .traces(4000)
            .spansPerTrace(20)
            .late(0.9)
            .lateSeconds(1000)
            .spanBytes(600, 600)
            .unicode(false)
            .build();
    Map<String, Double> firstReceived = new HashMap<>();
    double previous = 0;
    long late = 0;
    int index = 0;
    for (byte[] bytes : new SpanGenerator(options)) {
      Line line = GeneratedSpans.parse(index++, bytes);
      assertThat(line.received()).isGreaterThanOrEqualTo(previous);
      previous = line.received();
      Double first = firstReceived.putIfAbsent(line.traceId(), line.received());
      if (first != null && line.received() > first + 1000) {
        late++;
      }
    }
    assertThat(index).isEqualTo(80_000);
    assertThat(late).isBetween(70_000L, 74_000L);
  }

  @Test
  void noSpanIsLateByDefault() {
    assertThat(lateSpans(GeneratedSpans.generate(SMALL), 10)).isEmpty();
  }

  @Test
  void outOfOrderTracesEmitSomeChildrenBeforeTheirParents() {
    assertThat(childrenBeforeParents(GeneratedSpans.generate(SMALL.toBuilder().outOfOrder(0).build())))
        .isZero();
    assertThat(childrenBeforeParents(GeneratedSpans.generate(SMALL.toBuilder().outOfOrder(1).build())))
        .isPositive();
  }

  @Test
  void serviceEntriesAreSegmentRootsWithParents() {
    GeneratedSpans none = GeneratedSpans.generate(SMALL.toBuilder().serviceEntries(0).build());
    GeneratedSpans many = GeneratedSpans.generate(SMALL.toBuilder().serviceEntries(0.5).build());

    assertThat(none.lines()).filteredOn(Line::segment).allSatisfy(line -> assertThat(line.parentSpanId()).isNull());
    assertThat(many.lines())
        .filteredOn(line -> line.segment() && line.parentSpanId() != null)
        .hasSizeBetween(200, 360); // half of the 560 non-root spans
    assertThat(many.lines())
        .filteredOn(line -> !line.segment())
        .allSatisfy(line -> assertThat(line.json().has("is_segment")).isFalse());
  }

  @Test
  void concurrentTracesInterleaveInTheOutput() {
    assertThat(traceSwitches(GeneratedSpans.generate(SMALL.toBuilder().concurrentTraces(1).build())))
        .isEqualTo(39);
    assertThat(traceSwitches(GeneratedSpans.generate(SMALL.toBuilder().concurrentTraces(10).build())))
        .isGreaterThan(200);
  }

  /** Spans received more than {@code lateSeconds} after the first span of their trace. */
  private static List<Line> lateSpans(GeneratedSpans spans, double lateSeconds) {
    List<Line> late = new ArrayList<>();
    spans
        .byTrace()
        .forEach(
            (id, trace) -> {
              double first = trace.get(0).received();
              trace.stream().filter(line -> line.received() > first + lateSeconds).forEach(late::add);
            });
    return late;
  }

  private static long childrenBeforeParents(GeneratedSpans spans) {
    Set<String> seen = new HashSet<>();
    long count = 0;
    for (Line line : spans.lines()) {
      if (line.parentSpanId() != null && !seen.contains(line.parentSpanId())) {
        count++;
      }
      seen.add(line.spanId());
    }
    return count;
  }

  private static int traceSwitches(GeneratedSpans spans) {
    int switches = 0;
    for (int i = 1; i < spans.lines().size(); i++) {
      if (!spans.lines().get(i).traceId().equals(spans.lines().get(i - 1).traceId())) {
        switches++;
      }
    }
    return switches;
  }

  private static List<Integer> sizes(GeneratedSpans spans) {
    return spans.lines().stream().map(line -> line.size()).toList();
  }

  private record IntSummary(int min, int max) {
    static IntSummary of(List<Line> lines) {
      int min = Integer.MAX_VALUE;
      int max = 0;
      for (Line line : lines) {
        min = Math.min(min, line.size());
        max = Math.max(max, line.size());
      }
      return new IntSummary(min, max);
    }
  }
}
