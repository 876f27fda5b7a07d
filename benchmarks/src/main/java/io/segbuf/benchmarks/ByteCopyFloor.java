package io.segbuf.benchmarks;

import java.util.List;

/** The floor: copy every span's bytes into one output buffer with System.arraycopy, and nothing else. */
final class ByteCopyFloor {
  private ByteCopyFloor() {}

  static byte[] copy(List<byte[]> spans, int totalBytes) {
    byte[] out = new byte[totalBytes];
    int pos = 0;
    for (byte[] span : spans) {
      System.arraycopy(span, 0, out, pos, span.length);
      pos += span.length;
    }
    return out;
  }
}
