package io.segbuf.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.TypeConversionException;

/** Option values in the user's words: an enum constant from its lower-case name, never Java's message. */
public final class OptionValues {
  private OptionValues() {}

  /**
   * The constant of {@code type} named {@code value} in any case; else a conversion error {@code FLAG must be a,
   * b or c but was VALUE}.
   */
  public static <E extends Enum<E>> E oneOf(String flag, String value, Class<E> type) {
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(value)) {
        return constant;
      }
    }
    throw new Refused(flag + " must be " + choices(type) + " but was " + value);
  }

  /** A value refused with a message in the {@code FLAG must RULE but was VALUE} form, to print as it is. */
  public static final class Refused extends TypeConversionException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  /** {@code a, b or c}: the constants' lower-case names. */
  public static String choices(Class<? extends Enum<?>> type) {
    String[] names = Arrays.stream(type.getEnumConstants())
        .map(c -> c.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);
    if (names.length == 1) {
      return names[0];
    }
    return Arrays.stream(names, 0, names.length - 1).collect(Collectors.joining(", "))
        + " or " + names[names.length - 1];
  }
}
