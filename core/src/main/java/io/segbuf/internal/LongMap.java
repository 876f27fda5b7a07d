package io.segbuf.internal;

import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A map from {@code long} keys (span ids) to objects, without boxing: open addressing with linear probing, at most
 * half full. It only adds and reads, which is all assembly needs: a trace's nodes and segments are dropped with
 * the trace.
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

  /** Calls {@code action} with every value, in no particular order. */
  @SuppressWarnings("unchecked")
  void forEachValue(Consumer<V> action) {
    for (Object v : values) {
      if (v != null) {
        action.accept((V) v);
      }
    }
  }

  /** Spreads the key's bits (ids from tests and some SDKs count up) and takes the high ones. */
  private static int slot(long key, int mask) {
    return (int) ((key * 0x9e3779b97f4a7c15L) >>> 40) & mask;
  }
}
