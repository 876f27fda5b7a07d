package io.segbuf;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SegmentTest {
  private static final SegmentKey KEY = new SegmentKey(TestSpans.PROJECT, TraceId.parse(TestSpans.TRACE), 1);

  @Test
  void spansComeInFlushOrderWhateverTheOrderTheyAreGivenIn() {
    List<Span> spans = TestSpans.parsed(span(1), span(3).parent(1), span(2).parent(1), span(4).parent(2),
        span(9).parent(77));
    Random random = new Random(5);
    for (int i = 0; i < 10; i++) {
      List<Span> shuffled = new ArrayList<>(spans);
      Collections.shuffle(shuffled, random);
      Segment segment = Segment.of(KEY, 0, false, shuffled);
      assertThat(segment.spans()).extracting(Span::spanId).containsExactly(1L, 2L, 4L, 3L, 9L);
    }
  }

  @Test
  void keepsItsKeyGenerationAndSkipEnrichment() {
    Segment segment = Segment.of(KEY, 3, true, TestSpans.parsed(span(1)));
    assertThat(segment.key()).isEqualTo(KEY);
    assertThat(segment.generation()).isEqualTo(3);
    assertThat(segment.skipEnrichment()).isTrue();
    assertThat(segment.toString()).isEqualTo("Segment{" + KEY + ", generation=3, spans=1, skip_enrichment}");
  }

  @Test
  void refusesNoSpansANegativeGenerationAndSpansOfAnotherProjectOrTrace() {
    assertThatThrownBy(() -> Segment.of(KEY, 0, false, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spans must not be empty but was [] for " + KEY);
    assertThatThrownBy(() -> Segment.of(KEY, -1, false, TestSpans.parsed(span(1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("generation must be >= 0 but was -1");
    assertThatThrownBy(() -> Segment.parse(KEY, -1, false, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("generation must be >= 0 but was -1");
    assertThatThrownBy(() -> Segment.of(KEY, 0, false, TestSpans.parsed(span(1), span(2).project(8))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("spans must be of the segment's project and trace " + KEY + " but was Span{project=8");
    String otherTrace = "0123456789abcdef0123456789abcdee";
    assertThatThrownBy(() -> Segment.of(KEY, 0, false, TestSpans.parsed(span(2).trace(otherTrace))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trace=" + otherTrace);
  }

  @Test
  void parseReportsEachInvalidSpanAndBuildsTheSegmentOfTheValidOnes() {
    byte[] root = span(1).bytes();
    byte[] child = span(2).parent(1).bytes();
    byte[] broken = "{\"trace_id\":".getBytes(StandardCharsets.UTF_8);
    byte[] noSpanId = ("{\"trace_id\":\"" + TestSpans.TRACE + "\",\"project_id\":7,\"end_timestamp\":1}")
        .getBytes(StandardCharsets.UTF_8);

    Segment.Parsed parsed = Segment.parse(KEY, 2, true, List.of(child, broken, root, noSpanId));

    assertThat(parsed.results()).hasSize(4);
    assertThat(parsed.results().get(0)).isInstanceOf(Span.class);
    assertThat(parsed.results().get(1)).isInstanceOfSatisfying(Outcome.Invalid.class,
        invalid -> assertThat(invalid.reason()).isEqualTo(InvalidReason.MALFORMED_JSON));
    assertThat(parsed.results().get(3)).isInstanceOfSatisfying(Outcome.Invalid.class,
        invalid -> assertThat(invalid.reason()).isEqualTo(InvalidReason.SPAN_ID));
    Segment segment = parsed.segment();
    assertThat(segment).isNotNull();
    assertThat(segment.spans()).extracting(Span::bytes).containsExactly(root, child);
    assertThat(segment.generation()).isEqualTo(2);
    assertThat(segment.skipEnrichment()).isTrue();
  }

  @Test
  void parseOfNoValidSpanGivesNoSegment() {
    Segment.Parsed parsed = Segment.parse(KEY, 0, false, List.of("[]".getBytes(StandardCharsets.UTF_8)));
    assertThat(parsed.segment()).isNull();
    assertThat(parsed.results()).singleElement().isInstanceOfSatisfying(Outcome.Invalid.class,
        invalid -> assertThat(invalid.reason()).isEqualTo(InvalidReason.NOT_AN_OBJECT));
  }
}
