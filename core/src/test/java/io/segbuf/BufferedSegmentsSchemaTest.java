package io.segbuf;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.segbuf.spi.SegmentStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real flush output (through {@link SpanBuffer} and a recording sink) against the {@code buffered-segments} JSON
 * Schema in docs/, so that consumers in other languages can rely on it: a whole segment, a chunked one with an
 * oversized span and an orphan tree, and a continuation that inherits {@code skip_enrichment}. The schema must
 * also refuse messages that break it, or it would prove nothing.
 */
class BufferedSegmentsSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static Schema schema;

  @BeforeAll
  static void loadSchema() throws IOException {
    try (InputStream in = Files.newInputStream(Path.of("..", "docs", "buffered-segments.schema.json"))) {
      schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
    }
  }

  @Test
  void aWholeSegmentMeetsTheSchema() {
    List<Message> messages = flush(1 << 20, buffer -> buffer.offer(0, List.of(
        span(1).received(1_700_000_000.25).bytes(),
        span(2).parent(1).isSegment(false).bytes(),
        span(3).parent(2).noAttributes().bytes(),
        span(4).parent(1).segmentId(1).bytes()), T0));
    assertThat(messages).singleElement().satisfies(m -> {
      assertThat(m.skipEnrichment()).isFalse();
      assertValid(m);
    });
  }

  @Test
  void chunksWithAnOversizedSpanAndAnOrphanTreeMeetTheSchema() {
    List<Message> messages = flush(1024, buffer -> buffer.offer(0, List.of(
        span(1).padding(300).bytes(),
        span(2).parent(1).padding(300).bytes(),
        span(3).parent(1).padding(300).bytes(),
        span(4).parent(2).padding(3000).bytes(),
        span(5).parent(99).segmentId(1).padding(100).bytes()), T0)); // its parent never came: an orphan tree
    assertThat(messages).hasSizeGreaterThan(2);
    assertThat(messages).anySatisfy(m -> assertThat(m.value().length).isGreaterThan(1024));
    for (Message m : messages) {
      assertThat(m.skipEnrichment()).isTrue();
      assertValid(m);
    }
  }

  @Test
  void aContinuationThatFitsButInheritsSkipEnrichmentMeetsTheSchema() {
    RecordingSink sink = new RecordingSink();
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.builder().maxMessageBytes(1024).build(),
        SegmentStore.inMemory(), sink);
    buffer.offer(0, List.of(span(1).padding(600).bytes(), span(2).parent(1).padding(600).bytes()), T0);
    buffer.drain(T0);
    buffer.offer(0, List.of(span(3).parent(2).bytes()), T0.plusSeconds(1));
    buffer.drain(T0.plusSeconds(1));
    List<Message> messages = sink.acknowledged();
    Message continuation = messages.get(messages.size() - 1);
    assertThat(continuation.generation()).isEqualTo(1);
    assertThat(continuation.chunkCount()).isEqualTo(1);
    assertThat(continuation.skipEnrichment()).isTrue();
    messages.forEach(BufferedSegmentsSchemaTest::assertValid);
  }

  @Test
  void theSchemaRefusesMessagesThatBreakIt() {
    List<Message> messages = flush(1024, buffer -> buffer.offer(0, List.of(
        span(1).padding(600).bytes(), span(2).parent(1).padding(600).bytes()), T0));
    JsonNode chunk = tree(messages.get(0));
    assertThat(errors(chunk)).isEmpty();
    List<JsonNode> broken = new ArrayList<>();
    broken.add(edit(chunk, o -> o.remove("flush_id")));
    broken.add(edit(chunk, o -> o.put("segment_id", "000000000000000A")));
    broken.add(edit(chunk, o -> o.put("generation", -1)));
    broken.add(edit(chunk, o -> o.put("skip_enrichment", false)));
    broken.add(edit(chunk, o -> o.remove("skip_enrichment"))); // chunk_count is 2
    broken.add(edit(chunk, o -> o.put("extra", 1)));
    broken.add(edit(chunk, o -> o.putArray("spans")));
    broken.add(edit(chunk, o -> ((ObjectNode) o.get("spans").get(0)).remove("is_segment")));
    broken.add(edit(chunk, o -> ((ObjectNode) o.get("spans").get(0)).remove("attributes")));
    broken.add(edit(chunk, o -> ((ObjectNode) o.get("spans").get(0)).put("project_id", "7")));
    for (JsonNode message : broken) {
      assertThat(errors(message)).as("%s", message).isNotEmpty();
    }
  }

  private static List<Message> flush(int maxMessageBytes, Consumer<SpanBuffer> offer) {
    RecordingSink sink = new RecordingSink();
    SpanBuffer buffer = SpanBuffer.create(SpanBufferConfig.builder().maxMessageBytes(maxMessageBytes).build(),
        SegmentStore.inMemory(), sink);
    offer.accept(buffer);
    buffer.drain(T0);
    return sink.acknowledged();
  }

  private static void assertValid(Message m) {
    assertThat(errors(tree(m))).as("%s", m).isEmpty();
  }

  private static List<Error> errors(JsonNode message) {
    return schema.validate(message);
  }

  private static JsonNode edit(JsonNode message, Consumer<ObjectNode> change) {
    ObjectNode copy = message.deepCopy();
    change.accept(copy);
    return copy;
  }

  private static JsonNode tree(Message m) {
    try {
      return JSON.readTree(m.value());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
