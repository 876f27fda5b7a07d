package io.segbuf.internal;

import java.security.SecureRandom;

/**
 * Hashes of ids that come from input (span ids, trace ids, project ids) for in-process hash tables. Anyone with a
 * project's public DSN chooses these ids, so a fixed hash would let them pick ids that all share one slot or bin
 * and make every lookup walk them all. Each id is mixed with a seed drawn once per process from {@link
 * SecureRandom} by murmur3's 64-bit finalizer, whose every output bit depends on every input bit: without the
 * seed, which never leaves the process, ids that collide cannot be chosen, only met by chance as random ones are.
 * Not for anything that must agree between processes (the seed differs).
 */
public final class IdHash {
  private static final long SEED = new SecureRandom().nextLong();

  private IdHash() {}

  /** The seeded, fully mixed hash of one id. */
  public static long of(long id) {
    return Digest.fmix(id ^ SEED);
  }

  /** The seeded, fully mixed hash of two ids (a trace id's halves). */
  public static long of(long a, long b) {
    return Digest.fmix(of(a) ^ b);
  }

  /** The seeded, fully mixed hash of three ids. */
  public static long of(long a, long b, long c) {
    return Digest.fmix(of(a, b) ^ c);
  }

  /** The 32-bit {@code hashCode} of a hash: its two halves folded. */
  public static int fold(long hash) {
    return (int) (hash ^ (hash >>> 32));
  }
}
