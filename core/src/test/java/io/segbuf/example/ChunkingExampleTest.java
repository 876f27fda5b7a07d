package io.segbuf.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.ReadmeExample;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Embedding: chunk your own segments" example, compiled and run exactly as written. */
class ChunkingExampleTest {
  @TempDir Path dir;

  @Test
  void theChunkingExampleCompilesAndRunsAsWritten() throws Exception {
    String source = ReadmeExample.javaBlockAfter("## Embedding: chunk your own segments");
    List<String> lines = ReadmeExample.compileAndRun(source, "ChunkOwnSegments", dir);
    // the flush ids are pinned: the rule is part of the message format that consumers recompute
    assertThat(lines).containsExactly(
        "invalid: MALFORMED_JSON",
        "chunk 0/2: 2 spans, 954 bytes, flush_id 5d60deac051036f75d3fcd6500c1e478, skip_enrichment true",
        "chunk 1/2: 1 spans, 575 bytes, flush_id a5ba9c5a0f43c1bc230dc4111abb399f, skip_enrichment true",
        "next generation skips enrichment: true");
  }
}
