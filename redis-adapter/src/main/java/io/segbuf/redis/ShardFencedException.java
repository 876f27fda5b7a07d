package io.segbuf.redis;

import io.segbuf.spi.StoreUnavailableException;

/**
 * Another process took the shard over (it bumped the shard's epoch): this store's changes to it are refused, and it
 * no longer touches the shard until it takes it again. Whatever this store appended before the takeover is in the
 * new owner's changelog; the change that was refused is not, so its input must not be acknowledged.
 */
public final class ShardFencedException extends StoreUnavailableException {
  /**
   * A refusal by the shard's fence.
   *
   * @param message which shard, and why it is no longer this store's
   */
  public ShardFencedException(String message) {
    super(message);
  }
}
