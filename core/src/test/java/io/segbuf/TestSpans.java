package io.segbuf;

import io.segbuf.internal.Hex;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/** Builds span JSON for tests: ids as longs, optional fields, and padding to a size. Shipped in the test-jar. */
public final class TestSpans {
  public static final String TRACE = "0123456789abcdef0123456789abcdef";
  public static final long PROJECT = 7;

  private long projectId = PROJECT;
  private String traceId = TRACE;
  private final long spanId;
  private @Nullable Long parent;
  private @Nullable Boolean isSegment;
  private @Nullable Long segmentId;
  private double endTimestamp = 1_700_000_000.5;
  private @Nullable Double received;
  private String padding = "";
  private boolean attributes = true;

  private TestSpans(long spanId) {
    this.spanId = spanId;
  }

  /** A span with this id, no parent (a root), in {@link #TRACE} of {@link #PROJECT}. */
  public static TestSpans span(long spanId) {
    return new TestSpans(spanId);
  }

  public TestSpans parent(long parent) {
    this.parent = parent;
    return this;
  }

  public TestSpans project(long projectId) {
    this.projectId = projectId;
    return this;
  }

  public TestSpans trace(String traceId) {
    this.traceId = traceId;
    return this;
  }

  public TestSpans isSegment(boolean isSegment) {
    this.isSegment = isSegment;
    return this;
  }

  public TestSpans segmentId(long segmentId) {
    this.segmentId = segmentId;
    return this;
  }

  public TestSpans endTimestamp(double endTimestamp) {
    this.endTimestamp = endTimestamp;
    return this;
  }

  public TestSpans received(double received) {
    this.received = received;
    return this;
  }

  /** Adds a {@code "data"} field of {@code bytes} ASCII letters. */
  public TestSpans padding(int bytes) {
    this.padding = "x".repeat(bytes);
    return this;
  }

  /** Leaves {@code attributes} out altogether. */
  public TestSpans noAttributes() {
    this.attributes = false;
    return this;
  }

  public String json() {
    StringBuilder b = new StringBuilder("{\"trace_id\":\"").append(traceId).append('"');
    b.append(",\"span_id\":\"").append(Hex.toHex(spanId)).append('"');
    if (parent != null) {
      b.append(",\"parent_span_id\":\"").append(Hex.toHex(parent)).append('"');
    }
    b.append(",\"project_id\":").append(projectId);
    b.append(",\"end_timestamp\":").append(endTimestamp);
    if (received != null) {
      b.append(",\"received\":").append(received);
    }
    if (isSegment != null) {
      b.append(",\"is_segment\":").append(isSegment);
    }
    b.append(",\"name\":\"op ").append(Hex.toHex(spanId)).append(" café\"");
    if (attributes) {
      b.append(",\"attributes\":{\"sentry.op\":{\"type\":\"string\",\"value\":\"db\"}");
      if (segmentId != null) {
        b.append(",\"sentry.segment.id\":{\"type\":\"string\",\"value\":\"").append(Hex.toHex(segmentId))
            .append("\"}");
      }
      b.append('}');
    }
    if (!padding.isEmpty()) {
      b.append(",\"data\":\"").append(padding).append('"');
    }
    return b.append('}').toString();
  }

  public byte[] bytes() {
    return json().getBytes(StandardCharsets.UTF_8);
  }

  /** Parses the span; fails the test when it is invalid. */
  public Span parsed() {
    ParseResult r = Span.parse(bytes());
    if (!(r instanceof Span)) {
      throw new AssertionError("test span is invalid: " + r + " in " + json());
    }
    return (Span) r;
  }

  /** Parses each. */
  public static List<Span> parsed(TestSpans... spans) {
    List<Span> out = new ArrayList<>();
    for (TestSpans s : spans) {
      out.add(s.parsed());
    }
    return out;
  }

  /** Gives the span the position {@link SpanBuffer#offer} would give it, for a store test that adds spans itself. */
  public static Span positioned(Span span, long position) {
    span.position(position);
    return span;
  }

  /**
   * Random trees over {@code traces}: up to {@code maxSpans} spans with roots, {@code is_segment} spans, explicit
   * segment ids, parents that may be missing, the span itself or a cycle, a few same-id spans with other bytes,
   * and padding below {@code maxPadding} bytes.
   */
  public static List<Span> randomTrees(Random random, int maxSpans, int maxPadding, String... traces) {
    int n = 2 + random.nextInt(maxSpans - 1);
    List<Span> spans = new ArrayList<>();
    for (int id = 1; id <= n; id++) {
      TestSpans s = span(id).trace(traces[random.nextInt(traces.length)]).padding(random.nextInt(maxPadding));
      int kind = random.nextInt(20);
      if (kind < 2) {
        // a root
      } else if (kind < 3) {
        s.parent(1 + random.nextInt(n)).isSegment(true);
      } else if (kind < 4) {
        s.parent(1 + random.nextInt(n)).segmentId(1 + random.nextInt(n + 3));
      } else {
        s.parent(1 + random.nextInt(n + 4)); // may be missing, itself, or form a cycle
      }
      if (random.nextInt(15) == 0) {
        spans.add(span(id).trace(traces[0]).parent(1 + random.nextInt(n)).padding(3).parsed()); // same id
      }
      spans.add(s.parsed());
    }
    return spans;
  }
}
