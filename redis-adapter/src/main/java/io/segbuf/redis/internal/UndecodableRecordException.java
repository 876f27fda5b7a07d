package io.segbuf.redis.internal;

import io.segbuf.SegbufException;

/** Bytes that are not a changelog record: the caller adds the shard and offset. */
public final class UndecodableRecordException extends SegbufException {
  public UndecodableRecordException(String message) {
    super(message);
  }
}
