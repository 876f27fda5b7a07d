package io.segbuf.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A 64-bit hash of a span's bytes, kept after its payload is flushed so that a redelivered copy is still
 * recognised. Not cryptographic: a collision needs about 2^32 distinct spans with the same id.
 */
public final class Digest {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private Digest() {}

  public static long of(byte[] bytes) {
    long h = 0x9e3779b97f4a7c15L ^ (bytes.length * C2);
    int i = 0;
    for (int end = bytes.length - 7; i < end; i += 8) {
      h ^= mixK((long) LONGS.get(bytes, i));
      h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
    }
    long tail = 0;
    for (int shift = 0; i < bytes.length; i++, shift += 8) {
      tail |= (bytes[i] & 0xffL) << shift;
    }
    h ^= mixK(tail);
    return fmix(h ^ bytes.length);
  }

  private static long mixK(long k) {
    k *= C1;
    k = Long.rotateLeft(k, 31);
    return k * C2;
  }

  private static long fmix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }
}
