package io.segbuf;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Results of several flushes add up: every count summed, every list joined in order. */
class FlushResultTest {
  private static final SegmentKey KEY = new SegmentKey(7, TraceId.parse(TestSpans.TRACE), 1);
  private static final IllegalStateException ERROR = new IllegalStateException("failed");

  private static Outcome.Rejected rejected(int chunk) {
    return new Outcome.Rejected(KEY, 0, chunk, 1, "refused " + chunk);
  }

  private static SegmentFailure failure(int attempts) {
    return new SegmentFailure(KEY, attempts, ERROR);
  }

  @Test
  void plusSumsEveryCountAndJoinsEveryListInOrder() {
    Span a = span(1).parsed();
    Span b = span(2).parsed();
    FlushResult first = new FlushResult(1, 2, 3, List.of(rejected(0)), 4, List.of(failure(1)), List.of(a));
    FlushResult second = new FlushResult(10, 20, 30, List.of(rejected(1)), 40, List.of(failure(2)), List.of(b));

    FlushResult sum = first.plus(second);

    assertThat(sum).isEqualTo(new FlushResult(11, 22, 33, List.of(rejected(0), rejected(1)), 44,
        List.of(failure(1), failure(2)), List.of(a, b)));
  }

  @Test
  void emptyListsOnEitherSideKeepTheOtherSidesList() {
    Span a = span(1).parsed();
    FlushResult withLists = new FlushResult(1, 1, 1, List.of(rejected(0)), 0, List.of(failure(1)), List.of(a));
    FlushResult countsOnly = new FlushResult(2, 2, 2, List.of(), 1, List.of(), List.of());

    assertThat(withLists.plus(countsOnly))
        .isEqualTo(new FlushResult(3, 3, 3, List.of(rejected(0)), 1, List.of(failure(1)), List.of(a)));
    assertThat(countsOnly.plus(withLists))
        .isEqualTo(new FlushResult(3, 3, 3, List.of(rejected(0)), 1, List.of(failure(1)), List.of(a)));
    assertThat(FlushResult.EMPTY.plus(withLists)).isSameAs(withLists);
    assertThat(withLists.plus(FlushResult.EMPTY)).isSameAs(withLists);
  }
}
