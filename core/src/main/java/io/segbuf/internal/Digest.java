package io.segbuf.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A 64-bit hash of a span's bytes, kept after its payload is flushed so that a redelivered copy is still
 * recognised. Not cryptographic and not keyed: a chance collision needs about 2^32 distinct spans with the same id,
 * but one can be built on purpose (its two lanes never mix; a search of a few thousand printable variants finds
 * one), so a sender who controls a span can make another version of it pass for a redelivery (RELIABILITY.md).
 */
public final class Digest {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private Digest() {}

  public static long of(byte[] bytes) {
    // Two independent lanes, sixteen bytes per step: the multiplies of one need not wait for the other.
    long h1 = 0x9e3779b97f4a7c15L ^ (bytes.length * C2);
    long h2 = h1 ^ C1;
    int i = 0;
    for (int end = bytes.length - 15; i < end; i += 16) {
      h1 ^= mixK((long) LONGS.get(bytes, i));
      h1 = Long.rotateLeft(h1, 27) * 5 + 0x52dce729;
      h2 ^= mixK((long) LONGS.get(bytes, i + 8));
      h2 = Long.rotateLeft(h2, 31) * 5 + 0x38495ab5;
    }
    if (i < bytes.length - 7) {
      h1 ^= mixK((long) LONGS.get(bytes, i));
      h1 = Long.rotateLeft(h1, 27) * 5 + 0x52dce729;
      i += 8;
    }
    long tail = 0;
    for (int shift = 0; i < bytes.length; i++, shift += 8) {
      tail |= (bytes[i] & 0xffL) << shift;
    }
    h2 ^= mixK(tail);
    h1 ^= bytes.length;
    h1 += h2;
    h2 += h1;
    return fmix(h1) + fmix(h2);
  }

  private static long mixK(long k) {
    k *= C1;
    k = Long.rotateLeft(k, 31);
    return k * C2;
  }

  /** murmur3's 64-bit finalizer: every output bit depends on every input bit ({@link IdHash} mixes with it too). */
  static long fmix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }
}
