package io.segbuf.internal;

/**
 * One message of a segment: the spans at positions {@code [from, to)} of its {@link SegmentOrder}, and the exact
 * length of the encoded message.
 *
 * @param from the first position
 * @param to the position after the last
 * @param messageBytes the encoded message's exact length, envelope included
 */
public record Chunk(int from, int to, int messageBytes) {

  public Chunk {
    if (from < 0 || to <= from || messageBytes <= 0) {
      throw new IllegalArgumentException("a chunk must hold spans but was [" + from + ", " + to + ")");
    }
  }

  public int spans() {
    return to - from;
  }
}
