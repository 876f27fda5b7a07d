package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** {@link LongMap} against {@link HashMap} as the reference model. */
class LongMapTest {

  /** Keys from a small range (many repeats), counting ids, multiples of a power of two, or any long. */
  private static Gen<Long> keys() {
    return integers().between(0, 3).flatMap(kind -> switch (kind) {
      case 0 -> longs().between(-20, 20);
      case 1 -> longs().between(0, 5_000);
      case 2 -> longs().between(0, 5_000).map(k -> k << 40);
      default -> longs().all();
    });
  }

  @Test
  void agreesWithAHashMap() {
    qt().withExamples(2_000).forAll(lists().of(keys()).ofSizeBetween(0, 3_000), keys()).checkAssert((puts, probe) -> {
      LongMap<Integer> map = new LongMap<>();
      Map<Long, Integer> reference = new HashMap<>();
      for (int i = 0; i < puts.size(); i++) {
        map.put(puts.get(i), i);
        reference.put(puts.get(i), i);
      }
      assertThat(map.size()).isEqualTo(reference.size());
      for (long key : puts) {
        assertThat(map.get(key)).isEqualTo(reference.get(key));
      }
      assertThat(map.get(probe)).isEqualTo(reference.get(probe));
      List<Integer> values = new ArrayList<>();
      map.forEachValue(values::add);
      // sorted lists compared, not containsExactlyInAnyOrder: that is quadratic, and made this test the slowest
      List<Integer> expected = new ArrayList<>(reference.values());
      values.sort(null);
      expected.sort(null);
      assertThat(values).isEqualTo(expected);
    });
  }

  @Test
  void emptyMapFindsNothing() {
    LongMap<String> map = new LongMap<>();
    for (long key : List.of(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE)) {
      assertThat(map.get(key)).isNull();
    }
    assertThat(map.size()).isZero();
  }
}
