package io.segbuf.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

class RecordSizeTest {
  private static final int[] SIZES = {0, 1, 63, 64, 65, 127, 128, 8191, 8192, 8193, 1_048_576, 1_048_588,
      16_777_215, 16_777_216};

  private static Header[] headers(int valueBytes) {
    return new Header[] {
      new RecordHeader("segment_id", "0123456789abcdef".getBytes(StandardCharsets.US_ASCII)),
      new RecordHeader("chunk_index", new byte[valueBytes]),
      new RecordHeader("nothing", (byte[]) null),
      new RecordHeader("clé", new byte[1]),
    };
  }

  @Test
  void upperBoundEqualsTheProducersOwnEstimate() {
    for (int key : SIZES) {
      for (int value : SIZES) {
        for (int header : new int[] {0, 70, 200}) {
          Header[] h = headers(header);
          int kafka = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
              CompressionType.NONE, new byte[key], new byte[value], h);
          assertThat(RecordSize.upperBound(key, value, h)).as("key %d value %d", key, value).isEqualTo(kafka);
        }
      }
    }
  }

  @Test
  void largestValueIsTheLargestThatFits() {
    Header[] h = headers(10);
    int headersSize = RecordSize.headersSize(h);
    for (int max : new int[] {200, 1000, 8_300, 1_048_576, 5_000_000}) {
      for (int key : new int[] {0, 69, 200}) {
        int value = RecordSize.largestValue(max, key, headersSize);
        if (value < 0) {
          assertThat(RecordSize.upperBound(key, 0, h)).isGreaterThan(max);
          continue;
        }
        assertThat(RecordSize.upperBound(key, value, h)).isLessThanOrEqualTo(max);
        assertThat(RecordSize.upperBound(key, value + 1, h)).isGreaterThan(max);
      }
    }
  }

  @Test
  void headerKeysAreCountedInUtf8AtEachEncodingsBoundary() {
    for (String key : new String[] {"\u007f", "\u0080", "\u07ff", "\u0800", "\uffff", "\ud83d\ude00", "a\u00e9\u20ac\ud83d\ude00z"}) {
      Header[] h = {new RecordHeader(key, new byte[3])};
      int kafka = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
          CompressionType.NONE, new byte[0], new byte[0], h);
      assertThat(RecordSize.upperBound(0, 0, h)).as("key %s", key).isEqualTo(kafka);
    }
  }

  @Test
  void largestValueIsTheLargestThatFitsForEveryRecordSizeNearEachVarintStep() {
    Header[] h = headers(10);
    int headersSize = RecordSize.headersSize(h);
    int empty = RecordSize.upperBound(0, 0, h);
    for (int max = empty - 2; max < empty + 300; max++) {
      int value = RecordSize.largestValue(max, 0, headersSize);
      if (max < empty) {
        assertThat(value).as("max %d", max).isEqualTo(-1);
        continue;
      }
      assertThat(RecordSize.upperBound(0, value, h)).as("max %d", max).isLessThanOrEqualTo(max);
      assertThat(RecordSize.upperBound(0, value + 1, h)).as("max %d", max).isGreaterThan(max);
    }
  }

  @Test
  void largestValueIsMinusOneWhenNothingFits() {
    assertThat(RecordSize.largestValue(60, 0, 1)).isEqualTo(-1);
  }

  @Test
  void varintSizesFollowZigZag() {
    assertThat(RecordSize.varintSize(0)).isEqualTo(1);
    assertThat(RecordSize.varintSize(-1)).isEqualTo(1);
    assertThat(RecordSize.varintSize(63)).isEqualTo(1);
    assertThat(RecordSize.varintSize(64)).isEqualTo(2);
    assertThat(RecordSize.varintSize(Integer.MAX_VALUE)).isEqualTo(5);
  }
}
