package io.segbuf.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LogSetupTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final Logger segbuf = LoggerFactory.getLogger("io.segbuf.kafka.SpanConsumer");
  private final Logger kafka = LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient");

  /** Back to the tests' own configuration (logback-test.xml). */
  @AfterEach
  void restoreTestConfiguration() throws JoranException {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    new ContextInitializer(context).autoConfig();
  }

  private List<String> lines() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void jsonFormatWritesOneObjectPerEventWithItsErrorEscaped() throws Exception {
    LogSetup.apply(LogSetup.LogLevel.INFO, LogSetup.Format.JSON, out);
    segbuf.info("assigned [\"ingest-spans-0\"]");
    segbuf.warn("flush failed\nretrying", new IllegalStateException("store down"));

    List<String> lines = lines();
    assertThat(lines).hasSize(2);
    ObjectMapper json = new ObjectMapper();
    JsonNode first = json.readTree(lines.get(0));
    assertThat(first.get("level").asText()).isEqualTo("INFO");
    assertThat(first.get("logger").asText()).isEqualTo("io.segbuf.kafka.SpanConsumer");
    assertThat(first.get("message").asText()).isEqualTo("assigned [\"ingest-spans-0\"]");
    assertThat(first.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(first.has("error")).isFalse();
    JsonNode second = json.readTree(lines.get(1));
    assertThat(second.get("message").asText()).isEqualTo("flush failed\nretrying");
    assertThat(second.get("error").asText()).contains("IllegalStateException: store down");
  }

  @Test
  void levelAppliesToSegbufWhileLibrariesStayAtWarn() {
    LogSetup.apply(LogSetup.LogLevel.DEBUG, LogSetup.Format.TEXT, out);
    segbuf.debug("segbuf debug");
    kafka.info("kafka info");
    kafka.warn("kafka warn");

    assertThat(lines()).hasSize(2);
    assertThat(lines().get(0)).matches("\\d{4}-.* DEBUG io\\.segbuf\\.kafka\\.SpanConsumer - segbuf debug");
    assertThat(lines().get(1)).contains("WARN ").endsWith("kafka warn");
  }

  @Test
  void aQuieterLevelQuietsTheLibrariesToo() {
    LogSetup.apply(LogSetup.LogLevel.ERROR, LogSetup.Format.TEXT, out);
    segbuf.warn("segbuf warn");
    kafka.warn("kafka warn");
    kafka.error("kafka error");

    assertThat(lines()).singleElement().asString().endsWith("kafka error");
  }
}
