package io.segbuf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.ReadmeExample;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding example, compiled and run exactly as written. */
class ReadmeExampleTest {
  @TempDir Path dir;

  @Test
  void theEmbeddingExampleCompilesAndRunsAsWritten() throws Exception {
    String source = ReadmeExample.javaBlockAfter("## Embed it");
    assertThat(source).contains("public class EmbedSegbuf");
    List<String> lines = ReadmeExample.compileAndRun(source, "EmbedSegbuf", dir);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).isEqualTo("2 spans buffered, 1 message flushed");
    assertThat(lines.get(1)).startsWith("{\"flush_id\":\"").contains("\"segment_id\":\"aaaaaaaaaaaaaaaa\"");
  }
}
