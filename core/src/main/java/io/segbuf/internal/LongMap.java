package io.segbuf.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A map from {@code long} keys (span ids) to objects, without boxing: open addressing with linear probing, at most
 * half full. It only adds and reads, which is all assembly needs: a trace's nodes and segments are dropped with
 * the trace.
 *
 * <p>Span ids come from input, so a key's slot is taken from {@link IdHash}, seeded per process and fully mixed:
 * ids that share a slot cannot be chosen without the seed, and random keys at most half full probe O(1) slots
 * expected, O(log n) at the longest. (An unseeded multiplier let chosen ids share one slot: quadratic time.)
 */
final class LongMap<V> {
  private long[] keys = new long[8];
  private @Nullable Object[] values = new Object[8];
  private int size;

  int size() {
    return size;
  }

  @SuppressWarnings("unchecked")
  @Nullable V get(long key) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      Object v = values[i];
      if (v == null || keys[i] == key) {
        return (V) v;
      }
    }
  }

  /** Maps {@code key} to {@code value}, replacing any earlier value. */
  void put(long key, V value) {
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (values[i] != null) {
      if (keys[i] == key) {
        values[i] = value;
        return;
      }
      i = (i + 1) & mask;
    }
    keys[i] = key;
    values[i] = value;
    if (++size * 2 > keys.length) {
      grow();
    }
  }

  private void grow() {
    long[] oldKeys = keys;
    @Nullable Object[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new Object[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldValues[j] != null) {
        int i = slot(oldKeys[j], mask);
        while (values[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[j];
        values[i] = oldValues[j];
      }
    }
  }

  /** Every value, in no particular order: a copy, so that the caller may change the map meanwhile. */
  @SuppressWarnings("unchecked")
  List<V> values() {
    List<V> out = new ArrayList<>(size);
    for (Object v : values) {
      if (v != null) {
        out.add((V) v);
      }
    }
    return out;
  }

  /** Calls {@code action} with every value, in no particular order. */
  @SuppressWarnings("unchecked")
  void forEachValue(Consumer<V> action) {
    for (Object v : values) {
      if (v != null) {
        action.accept((V) v);
      }
    }
  }

  /** The longest distance, in slots, from a key's home slot to where it sits: what a lookup may probe (for tests). */
  int longestProbe() {
    int mask = keys.length - 1;
    int longest = 0;
    for (int i = 0; i < keys.length; i++) {
      if (values[i] != null) {
        longest = Math.max(longest, (i - slot(keys[i], mask)) & mask);
      }
    }
    return longest;
  }

  private static int slot(long key, int mask) {
    return (int) IdHash.of(key) & mask;
  }
}
