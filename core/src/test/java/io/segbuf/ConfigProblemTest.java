package io.segbuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigProblemTest {

  @Test
  void theMessageIsPropertyMustRuleButWasValue() {
    assertThat(new ConfigProblem("maxMessageBytes", "be >= 256", 12).message())
        .isEqualTo("maxMessageBytes must be >= 256 but was 12");
  }

  @Test
  void renamingNamesThePropertyAndThePropertiesTheRuleRefersTo() {
    ConfigProblem problem = new ConfigProblem("maxSpanBytes", "be >= {minSpanBytes} (900)", 800);

    assertThat(problem.message()).isEqualTo("maxSpanBytes must be >= minSpanBytes (900) but was 800");
    assertThat(problem.message(name -> "--" + name))
        .isEqualTo("--maxSpanBytes must be >= --minSpanBytes (900) but was 800");
  }

  @Test
  void buildersReportEveryProblemAsData() {
    assertThatThrownBy(() -> SpanBufferConfig.builder().rootTimeout(Duration.ZERO).maxSegmentBytes(100)
            .maxFlushSegments(0).build())
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.problems()).containsExactly(
              new ConfigProblem("rootTimeout", "be > 0", Duration.ZERO),
              new ConfigProblem("maxSegmentBytes", "be >= 256 (the message budget while {maxMessageBytes} is unset)",
                  100L),
              new ConfigProblem("maxFlushSegments", "be >= 1", 0));
          assertThat(e).hasMessage(String.join("; ", e.messages()));
          assertThat(e.messages()).first().isEqualTo("rootTimeout must be > 0 but was PT0S");
        });
  }

  @Test
  void theChunkerReportsItsBudgetAsAProblem() {
    assertThatThrownBy(() -> new Chunker(ChunkingStrategy.GREEDY, 100))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .isEqualTo(List.of(new ConfigProblem("maxMessageBytes", "be >= 256", 100))));
  }
}
