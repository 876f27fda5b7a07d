package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.segbuf.SegmentKey;
import io.segbuf.TraceId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link DeadlineQueue} against a reference model (a map of queued segments, sorted on every question): after
 * any sequence of placements, moves and removals, the due list holds exactly the segments whose deadline has
 * passed, none early, none missing, none twice, oldest deadline first, ties by sequence number.
 */
class DeadlineQueueProperties {

  @Test
  void dueSegmentsMatchTheModelAfterEveryOperation() {
    qt().withExamples(300)
        .forAll(longs().all(), integers().between(1, 400))
        .checkAssert((seed, steps) -> {
          Random random = new Random(seed);
          List<BufferedSegment> segments = new ArrayList<>();
          for (int i = 0; i < 1 + random.nextInt(60); i++) {
            segments.add(new BufferedSegment(new SegmentKey(1, new TraceId(0, 1), i), 0, i));
          }
          Collections.shuffle(segments, random); // sequence numbers in any order of the segments' use
          DeadlineQueue queue = new DeadlineQueue();
          Map<BufferedSegment, Long> model = new HashMap<>();
          for (int step = 0; step < steps; step++) {
            BufferedSegment segment = segments.get(random.nextInt(segments.size()));
            if (random.nextInt(4) == 0) {
              queue.remove(segment);
              model.remove(segment);
            } else {
              segment.deadlineMillis = random.nextInt(50); // few values: many ties
              queue.place(segment);
              model.put(segment, segment.deadlineMillis);
            }
            long now = random.nextInt(60) - 5;
            int limit = random.nextInt(4) == 0 ? Integer.MAX_VALUE : random.nextInt(8);
            assertThat(queue.due(now, limit)).containsExactlyElementsOf(expectedDue(model, now, limit));
            assertThat(queue.isEmpty()).isEqualTo(model.isEmpty());
            for (BufferedSegment s : segments) {
              assertThat(s.queued()).isEqualTo(model.containsKey(s));
            }
          }
        });
  }

  private static List<BufferedSegment> expectedDue(Map<BufferedSegment, Long> model, long now, int limit) {
    return model.entrySet().stream()
        .filter(e -> e.getValue() <= now)
        .map(Map.Entry::getKey)
        .sorted(DeadlineQueue.BY_DEADLINE)
        .limit(limit)
        .toList();
  }
}
