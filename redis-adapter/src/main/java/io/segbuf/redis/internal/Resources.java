package io.segbuf.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Files shipped next to these classes. */
final class Resources {
  private Resources() {}

  static byte[] read(String name) {
    try (InputStream in = Resources.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " must be on the class path next to " + Resources.class.getName());
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
