package io.segbuf.benchmarks;

import io.segbuf.ParseResult;
import io.segbuf.Span;
import io.segbuf.cli.generate.GeneratorOptions;
import io.segbuf.cli.generate.SpanGenerator;
import java.util.ArrayList;
import java.util.List;

/** Benchmark inputs from the span generator: realistic spans with unicode text, deep and wide trees. */
final class Inputs {
  private Inputs() {}

  /**
   * The raw JSON of {@code traces} traces of {@code spansPerTrace} spans of exactly {@code spanBytes}, laid out
   * back to back in arrival order as a consumer's fetch or replay's line reader allocates them (the generator
   * leaves its working objects between the spans it makes, so each span would start in cold memory).
   */
  static List<byte[]> spans(int traces, int spansPerTrace, int spanBytes, long seed) {
    GeneratorOptions options = GeneratorOptions.builder()
        .seed(seed)
        .traces(traces)
        .spansPerTrace(spansPerTrace)
        .spanBytes(spanBytes, spanBytes)
        .depth(12)
        .fanOut(16)
        .serviceEntries(0)
        .build();
    List<byte[]> generated = new ArrayList<>();
    new SpanGenerator(options).forEach(generated::add);
    List<byte[]> out = new ArrayList<>(generated.size());
    for (byte[] span : generated) {
      out.add(span.clone());
    }
    generated.clear();
    System.gc(); // a full collection compacts the copies in order and moves them out of the young generation
    return out;
  }

  /** Parses each; the generator writes only valid spans. */
  static List<Span> parsed(List<byte[]> raw) {
    List<Span> out = new ArrayList<>(raw.size());
    for (byte[] bytes : raw) {
      ParseResult r = Span.parse(bytes);
      if (!(r instanceof Span)) {
        throw new IllegalStateException("generated span is invalid: " + r);
      }
      out.add((Span) r);
    }
    return out;
  }

  /** The id of the segment root: the span without a parent. */
  static long rootId(List<Span> segment) {
    for (Span s : segment) {
      if (!s.hasParent()) {
        return s.spanId();
      }
    }
    throw new IllegalStateException("no root");
  }
}
