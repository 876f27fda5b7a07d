package io.segbuf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.InvalidReason;
import io.segbuf.Outcome;
import io.segbuf.ParseResult;
import io.segbuf.Span;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/input-format.md states what the parser does: every reason is documented and shown by an example line. */
class InputFormatDocTest {
  private static final Path DOC = Path.of("..", "docs", "input-format.md");
  private static final Path EXAMPLES = Path.of("..", "examples", "input-format.ndjson");
  private static final Pattern EXAMPLE_ROW =
      Pattern.compile("^\\| (\\d+) \\| (valid|invalid `([A-Z_]+)`)", Pattern.MULTILINE);

  /** Line number to the outcome the doc states: "valid" or the reason's name. */
  private static Map<Integer, String> documentedOutcomes() throws IOException {
    Map<Integer, String> outcomes = new LinkedHashMap<>();
    Matcher row = EXAMPLE_ROW.matcher(Files.readString(DOC));
    while (row.find()) {
      outcomes.put(Integer.parseInt(row.group(1)), row.group(3) == null ? "valid" : row.group(3));
    }
    return outcomes;
  }

  @Test
  void everyExampleLineHasTheOutcomeTheDocumentStates() throws IOException {
    List<String> lines = Files.readAllLines(EXAMPLES, StandardCharsets.UTF_8);
    Map<Integer, String> documented = documentedOutcomes();
    assertThat(documented.keySet()).as("one row per example line").hasSize(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      ParseResult parsed = Span.parse(lines.get(i).getBytes(StandardCharsets.UTF_8));
      String outcome = parsed instanceof Span ? "valid" : ((Outcome.Invalid) parsed).reason().name();
      assertThat(outcome).as("line " + (i + 1) + ": " + parsed).isEqualTo(documented.get(i + 1));
    }
  }

  @Test
  void everyReasonIsInTheRulesAndShownByAnExample() throws IOException {
    String doc = Files.readString(DOC);
    Set<InvalidReason> shown = EnumSet.noneOf(InvalidReason.class);
    documentedOutcomes().values().stream().filter(o -> !o.equals("valid"))
        .forEach(o -> shown.add(InvalidReason.valueOf(o)));
    assertThat(shown).containsExactlyInAnyOrder(InvalidReason.values());
    Arrays.stream(InvalidReason.values())
        .forEach(reason -> assertThat(doc).contains("| `" + reason.name() + "` |"));
  }
}
