package io.segbuf.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The bytes {@link StoreSnapshot} writes, as {@link java.io.DataOutputStream} over a {@link
 * java.io.ByteArrayOutputStream} writes them (big endian; names as {@code writeUTF} writes ASCII), into one growing
 * array without a lock or a call per byte: the snapshot of a Redis store's compaction writes a few dozen fields per
 * span, and through those streams it cost a sixth of the service's CPU (ServiceBenchmark, JFR). Not thread-safe.
 */
final class SnapshotOutput {
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private byte[] bytes;
  private int length;

  SnapshotOutput(int capacity) {
    bytes = new byte[Math.max(16, capacity)];
  }

  void writeInt(int value) {
    room(4);
    INT.set(bytes, length, value);
    length += 4;
  }

  void writeLong(long value) {
    room(8);
    LONG.set(bytes, length, value);
    length += 8;
  }

  void writeBoolean(boolean value) {
    room(1);
    bytes[length++] = (byte) (value ? 1 : 0);
  }

  void write(byte[] value) {
    room(value.length);
    System.arraycopy(value, 0, bytes, length, value.length);
    length += value.length;
  }

  /**
   * A name (an enum constant's) as {@code DataOutputStream.writeUTF} writes it: its length in two bytes, then its
   * characters, one byte each.
   *
   * @throws IllegalArgumentException when a character is not printable ASCII, which that encoding writes otherwise
   */
  void writeName(String name) {
    room(2 + name.length());
    bytes[length++] = (byte) (name.length() >>> 8);
    bytes[length++] = (byte) name.length();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException("a name must be printable ASCII but was " + name);
      }
      bytes[length++] = (byte) c;
    }
  }

  /** {@return the bytes written, the array itself when it is exactly full} */
  byte[] toByteArray() {
    return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
  }

  private void room(int more) {
    if (bytes.length - length < more) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
    }
  }
}
