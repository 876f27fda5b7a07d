package io.segbuf.redis.internal;

import io.segbuf.spi.StoreUnavailableException;

/**
 * A shard's changelog holds a record that does not decode (a bit rotted): the shard is not served, never read as
 * empty or flushed, until it is taken over again. Reading it again would find the same record.
 */
public final class UnreadableChangelogException extends StoreUnavailableException {
  private static final long serialVersionUID = 1L;

  UnreadableChangelogException(String message, Throwable cause) {
    super(message, cause);
  }
}
