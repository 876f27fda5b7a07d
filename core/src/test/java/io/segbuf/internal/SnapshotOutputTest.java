package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.segbuf.FlushReason;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** {@link SnapshotOutput} against {@link DataOutputStream}, whose bytes snapshots were written with before. */
class SnapshotOutputTest {

  @Test
  void writesWhatADataOutputStreamWrites() {
    qt().withExamples(500)
        .forAll(lists().of(longs().all()).ofSizeBetween(0, 300), integers().between(0, 40))
        .checkAssert((values, capacity) -> {
          SnapshotOutput out = new SnapshotOutput(capacity);
          ByteArrayOutputStream reference = new ByteArrayOutputStream();
          try (DataOutputStream data = new DataOutputStream(reference)) {
            for (long v : values) {
              switch ((int) Math.floorMod(v, 5L)) {
                case 0 -> {
                  out.writeInt((int) (v >> 3));
                  data.writeInt((int) (v >> 3));
                }
                case 1 -> {
                  out.writeLong(v);
                  data.writeLong(v);
                }
                case 2 -> {
                  out.writeBoolean(v > 0);
                  data.writeBoolean(v > 0);
                }
                case 3 -> {
                  String name = FlushReason.values()[(int) Math.floorMod(v, (long) FlushReason.values().length)].name();
                  out.writeName(name);
                  data.writeUTF(name);
                }
                default -> {
                  byte[] bytes = new byte[(int) Math.floorMod(v, 70L)];
                  if (bytes.length > 0) {
                    bytes[bytes.length - 1] = (byte) v;
                  }
                  out.write(bytes);
                  data.write(bytes);
                }
              }
            }
          } catch (IOException e) {
            throw new AssertionError(e);
          }
          assertThat(out.toByteArray()).isEqualTo(reference.toByteArray());
        });
  }

  @Test
  void refusesANameThatWriteUtfWouldWriteOtherwise() {
    assertThatThrownBy(() -> new SnapshotOutput(8).writeName("é"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a name must be printable ASCII but was é");
  }
}
