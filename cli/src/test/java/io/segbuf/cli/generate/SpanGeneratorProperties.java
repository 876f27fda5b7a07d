package io.segbuf.cli.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.segbuf.cli.generate.GeneratedSpans.Line;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Invariants of the generator's output over random options. */
class SpanGeneratorProperties {

  private static final Gen<GeneratorOptions> OPTIONS =
      longs()
          .all()
          .zip(integers().between(1, 12), integers().between(1, 40), (seed, traces, spans) ->
              GeneratorOptions.builder().seed(seed).traces(traces).spansPerTrace(spans))
          .zip(integers().between(1, 6), integers().between(1, 5), (b, depth, fanOut) ->
              b.depth(depth).fanOut(fanOut))
          .zip(integers().between(1, 3000), integers().between(0, 3000), (b, min, extra) ->
              b.spanBytes(min, min + extra))
          .zip(doubles().between(0, 1), doubles().between(0, 1), (b, outOfOrder, late) ->
              b.outOfOrder(outOfOrder).late(late))
          .zip(doubles().between(0, 1), integers().between(1, 6), (b, entries, concurrent) ->
              b.serviceEntries(entries).concurrentTraces(concurrent))
          .zip(integers().between(0, 300), booleans().all(), (b, lateSeconds, unicode) ->
              b.lateSeconds(lateSeconds).unicode(unicode).build());

  /** Fixed fields of a span stay below this many bytes, so larger targets are met exactly. */
  private static final int FIXED_FIELDS_LIMIT = 600;

  @Test
  void outputKeepsItsPromisesForAnyOptions() {
    qt().withExamples(60).forAll(OPTIONS).checkAssert(SpanGeneratorProperties::check);
  }

  @Test
  void sameOptionsAlwaysGiveTheSameBytes() {
    qt().withExamples(20)
        .forAll(OPTIONS)
        .checkAssert(
            options ->
                assertThat(GeneratedSpans.ndjson(options))
                    .isEqualTo(GeneratedSpans.ndjson(options)));
  }

  private static void check(GeneratorOptions options) {
    GeneratedSpans spans = GeneratedSpans.generate(options);
    assertThat(spans.lines()).hasSize((int) options.totalSpans());

    double previous = 0;
    for (Line line : spans.lines()) {
      assertThat(line.received()).isGreaterThanOrEqualTo(previous);
      previous = line.received();
      int size = line.size();
      if (options.maxSpanBytes() >= FIXED_FIELDS_LIMIT) {
        assertThat(size).isLessThanOrEqualTo(options.maxSpanBytes());
      }
      if (options.minSpanBytes() >= FIXED_FIELDS_LIMIT) {
        assertThat(size).isGreaterThanOrEqualTo(options.minSpanBytes());
      }
    }

    assertThat(spans.byTrace()).hasSize(options.traces());
    boolean fanOutFits =
        options.spansPerTrace() <= GeneratedSpans.capacity(options.depth(), options.fanOut());
    spans
        .byTrace()
        .forEach(
            (id, trace) -> {
              assertThat(trace).hasSize(options.spansPerTrace());
              List<Line> roots =
                  trace.stream().filter(line -> line.parentSpanId() == null).toList();
              assertThat(roots).hasSize(1);
              assertThat(roots.get(0).segment()).isTrue();
              Set<String> ids = new HashSet<>();
              trace.forEach(line -> ids.add(line.spanId()));
              trace.stream()
                  .filter(line -> line.parentSpanId() != null)
                  .forEach(line -> assertThat(ids).contains(line.parentSpanId()));
              assertThat(GeneratedSpans.depths(trace).values())
                  .allSatisfy(depth -> assertThat(depth).isLessThanOrEqualTo(options.depth()));
              if (fanOutFits) {
                assertThat(GeneratedSpans.childCounts(trace).values())
                    .allSatisfy(children -> assertThat(children).isLessThanOrEqualTo(options.fanOut()));
              }
            });
  }
}
