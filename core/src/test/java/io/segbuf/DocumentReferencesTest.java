package io.segbuf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every document a source or a doc refers to is in the repository: no reference to the design document outside
 * it, every {@code docs/design.md §N} names a section that exists, and every relative Markdown link names a file
 * that exists (and, within a page, a heading that exists).
 */
class DocumentReferencesTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path DESIGN = ROOT.resolve("docs/design.md");
  /** The specification's file name outside the repository, spelled so that this file does not match itself. */
  private static final String OUTSIDE_DESIGN = "DESIGN" + ".md";
  private static final Pattern SECTION_REFERENCE = Pattern.compile("design\\.md §(\\d+(?:\\.\\d+)?)");
  private static final Pattern SECTION_HEADING = Pattern.compile("^#{2,3} (\\d+(?:\\.\\d+)?)[. ]", Pattern.MULTILINE);
  private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$", Pattern.MULTILINE);
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

  @Test
  void nothingRefersToTheDesignDocumentOutsideTheRepository() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path file : sourcesAndDocs()) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).contains(OUTSIDE_DESIGN)) {
          found.add(ROOT.relativize(file) + ":" + (i + 1));
        }
      }
    }
    assertThat(found).as("references to %s, which is not in the repository (docs/design.md is)", OUTSIDE_DESIGN)
        .isEmpty();
  }

  @Test
  void everyDesignSectionReferredToExists() throws IOException {
    Set<String> sections = new TreeSet<>();
    Matcher heading = SECTION_HEADING.matcher(Files.readString(DESIGN));
    while (heading.find()) {
      sections.add(heading.group(1));
    }
    assertThat(sections).as("the sections of docs/design.md").contains("1", "2.1", "4.4", "8");
    List<String> missing = new ArrayList<>();
    for (Path file : sourcesAndDocs()) {
      Matcher reference = SECTION_REFERENCE.matcher(Files.readString(file));
      while (reference.find()) {
        if (!sections.contains(reference.group(1))) {
          missing.add(ROOT.relativize(file) + ": §" + reference.group(1));
        }
      }
    }
    assertThat(missing).as("references to sections docs/design.md does not have").isEmpty();
  }

  @Test
  void everyRelativeLinkInTheDocsNamesAFileThatExists() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path file : sourcesAndDocs()) {
      if (!file.toString().endsWith(".md")) {
        continue;
      }
      String text = Files.readString(file);
      Matcher link = LINK.matcher(text);
      while (link.find()) {
        String target = link.group(1);
        if (target.matches("[a-z]+:.*")) {
          continue; // a web address
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        Path linked = path.isEmpty() ? file : file.resolveSibling(path).normalize();
        if (!Files.exists(linked)) {
          broken.add(ROOT.relativize(file) + ": " + target);
        } else if (hash >= 0 && linked.toString().endsWith(".md")
            && !anchors(Files.readString(linked)).contains(target.substring(hash + 1))) {
          broken.add(ROOT.relativize(file) + ": " + target + " (no such heading)");
        }
      }
    }
    assertThat(broken).as("links to files or headings that do not exist").isEmpty();
  }

  /** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens. */
  private static Set<String> anchors(String markdown) {
    Set<String> anchors = new TreeSet<>();
    Matcher heading = HEADING.matcher(markdown);
    while (heading.find()) {
      anchors.add(heading.group(1).trim().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "")
          .replace(' ', '-'));
    }
    return anchors;
  }

  /** The repository's sources and docs, without build output. */
  private static List<Path> sourcesAndDocs() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files
          .filter(p -> !ROOT.relativize(p).toString().matches("(.*/)?(target|\\.git|\\.mvn)(/.*)?"))
          .filter(Files::isRegularFile)
          .filter(p -> p.toString().matches(".*\\.(java|md|xml|properties|yaml|yml|json|sh|groovy)$")
              || p.getFileName().toString().equals("Dockerfile"))
          .sorted()
          .toList();
    }
  }
}
