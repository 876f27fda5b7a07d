package io.segbuf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which characters of input text are escaped before it is shown, and how. */
class ControlCharactersTest {

  @Test
  void printableTextIsReturnedAsItIs() {
    String text = " plain ~ text, é 日本 😀 \\ backslash \\u0041";
    assertThat(ControlCharacters.escape(text)).isSameAs(text);
    assertThat(ControlCharacters.escape("")).isEmpty();
  }

  @Test
  void lineBreaksAndTabsBecomeTheirJsonEscapes() {
    assertThat(ControlCharacters.escape("a\nb\rc\td")).isEqualTo("a\\nb\\rc\\td");
    assertThat(ControlCharacters.escape("\n")).isEqualTo("\\n");
  }

  @Test
  void everyOtherControlOrFormatCharacterBecomesAUnicodeEscape() {
    assertThat(ControlCharacters.escape("\u0000\u001f\u007f\u0080\u0085\u009f"))
        .isEqualTo("\\u0000\\u001f\\u007f\\u0080\\u0085\\u009f");
    assertThat(ControlCharacters.escape("x\u2028y\u2029z\u202e\u200b\u00ad\ufeff"))
        .isEqualTo("x\\u2028y\\u2029z\\u202e\\u200b\\u00ad\\ufeff");
    assertThat(ControlCharacters.escape("\u001b[31mred")).isEqualTo("\\u001b[31mred");
  }

  @Test
  void charactersAroundTheFirstUnsafeOneAreKept() {
    assertThat(ControlCharacters.escape("ab\u0007cd\u00a0e\u0020\u007e")).isEqualTo("ab\\u0007cd\u00a0e ~");
  }

  @Test
  void escapingTwiceChangesNothingMore() {
    String once = ControlCharacters.escape("a\n\u202eb\\c");
    assertThat(ControlCharacters.escape(once)).isEqualTo(once);
  }
}
