package io.segbuf.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * A strict JSON (RFC 8259) scanner over UTF-8 bytes, made for reading a few fields of a span and skipping the
 * rest fast: it checks every byte it passes (grammar, escapes, UTF-8, nesting depth) but builds nothing for
 * values it skips. String bodies are searched eight bytes at a time for the next quote, backslash or control
 * byte; a string's UTF-8 is checked after that search, and only when the string has bytes above 0x7f. Nesting is
 * tracked with one bit per level, without recursion. Positions are byte offsets into the array it reads; a problem
 * throws {@link Malformed} with the offset in its message. One scanner per thread is reused through {@link
 * #reset}.
 */
final class JsonScanner {
  /** Containers may nest this deep, the outermost one counted as 1. */
  static final int MAX_DEPTH = 512;

  static final int STRING = 1;
  static final int NUMBER_INT = 2;
  static final int NUMBER_FLOAT = 3;
  static final int TRUE = 4;
  static final int FALSE = 5;
  static final int NULL = 6;
  static final int OBJECT = 7;
  static final int ARRAY = 8;

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long QUOTES = ONES * '"';
  private static final long BACKSLASHES = ONES * '\\';
  private static final long SPACES = ONES * ' ';
  /** Powers of ten a double holds exactly. */
  private static final double[] EXACT_POWERS = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    1e20, 1e21, 1e22
  };
  private static final long EXACT_MANTISSA = 1L << 53;

  /** A JSON syntax, escape, UTF-8 or nesting problem; carries no stack trace. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;
    private final String detail;

    Malformed(String detail) {
      super(detail, null, false, false);
      this.detail = detail;
    }

    String detail() {
      return detail;
    }
  }

  private byte[] b;
  private int end;
  /** The offset of the next byte to read. */
  int pos;

  private int depth;
  /**
   * One bit per depth, set for an array and clear for an object: depths below 64 in {@code shallow}, deeper ones
   * in {@code deep}, made only when a value nests that far.
   */
  private long shallow;
  private long @Nullable [] deep;

  // the last string read: its body (between the quotes) and whether it holds an escape
  private int stringStart;
  private int stringEnd;
  private boolean stringEscaped;

  // the last number read: its text, and its digits without sign, point or exponent while they fit a long
  private int numberStart;
  private int numberEnd;
  private long mantissa;
  private int mantissaDigits;
  private int exponent;
  private boolean negative;
  private boolean integer;
  private boolean exactExponent;

  JsonScanner(byte[] bytes) {
    reset(bytes);
  }

  /** Starts over on {@code bytes}: scanners are reused, one per thread, to spare an allocation per span. */
  void reset(byte[] bytes) {
    b = bytes;
    end = bytes.length;
    pos = 0;
    depth = 0;
  }

  /** Skips JSON white space; returns the next byte (0-255), or -1 at the end. */
  int skipWhitespace() {
    while (pos < end) {
      int c = b[pos] & 0xff;
      if (c > ' ' || (c != ' ' && c != '\n' && c != '\r' && c != '\t')) {
        return c;
      }
      pos++;
    }
    return -1;
  }

  /** Enters the object whose brace is at {@link #pos}. */
  void enterObject() throws Malformed {
    push(false);
    pos++;
  }

  /**
   * Moves to the next field of the object entered last: past the comma (unless {@code first}), the name, the
   * colon and white space, leaving {@link #pos} at the value and the name as the last string. At the closing
   * brace it leaves the object and returns false.
   */
  boolean nextField(boolean first) throws Malformed {
    int c = skipWhitespace();
    if (c == '}') {
      pos++;
      depth--;
      return false;
    }
    if (!first) {
      if (c != ',') {
        throw unexpected("',' or '}'");
      }
      pos++;
      c = skipWhitespace();
    }
    fieldName(c);
    if (skipWhitespace() < 0) {
      throw unexpected("a value");
    }
    return true;
  }

  /** Reads a field name, whose first byte {@code c} is at {@link #pos}, and the colon after it. */
  private void fieldName(int c) throws Malformed {
    if (c != '"') {
      throw unexpected("a field name in double quotes");
    }
    pos++;
    string();
    if (skipWhitespace() != ':') {
      throw unexpected("':' after a field name");
    }
    pos++;
  }

  /**
   * Reads the value at {@link #pos} when it is a string, number or literal, and returns its kind; for an object
   * or array returns {@link #OBJECT} or {@link #ARRAY} and leaves {@link #pos} at its bracket.
   */
  int scalar() throws Malformed {
    int c = skipWhitespace();
    switch (c) {
      case '{':
        return OBJECT;
      case '[':
        return ARRAY;
      case '"':
        pos++;
        string();
        return STRING;
      case 't':
        literal("true");
        return TRUE;
      case 'f':
        literal("false");
        return FALSE;
      case 'n':
        literal("null");
        return NULL;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number() ? NUMBER_INT : NUMBER_FLOAT;
        }
        throw unexpected("a value");
    }
  }

  /** Reads and checks the value at {@link #pos}, whatever it is, and moves past it. */
  void skipValue() throws Malformed {
    int c = scalar();
    if (c != OBJECT && c != ARRAY) {
      return;
    }
    int outer = depth;
    push(c == ARRAY);
    pos++;
    boolean first = true;
    while (true) {
      boolean inArray = ((depth < 64 ? shallow : deepBits()[depth >>> 6]) & (1L << depth)) != 0;
      c = skipWhitespace();
      if (c == (inArray ? ']' : '}')) {
        pos++;
        depth--;
        if (depth == outer) {
          return;
        }
        first = false;
        continue;
      }
      if (!first) {
        if (c != ',') {
          throw unexpected(inArray ? "',' or ']'" : "',' or '}'");
        }
        pos++;
        c = skipWhitespace();
      }
      if (!inArray) {
        fieldName(c);
      }
      c = scalar();
      first = c == OBJECT || c == ARRAY;
      if (first) {
        push(c == ARRAY);
        pos++;
      }
    }
  }

  private void push(boolean array) throws Malformed {
    if (++depth > MAX_DEPTH) {
      throw new Malformed("nesting deeper than " + MAX_DEPTH + " levels at byte " + pos);
    }
    long bit = 1L << depth;
    if (depth < 64) {
      shallow = array ? shallow | bit : shallow & ~bit;
    } else {
      long[] bits = deepBits();
      bits[depth >>> 6] = array ? bits[depth >>> 6] | bit : bits[depth >>> 6] & ~bit;
    }
  }

  private long[] deepBits() {
    long[] bits = deep;
    if (bits == null) {
      bits = new long[MAX_DEPTH / 64 + 1];
      deep = bits;
    }
    return bits;
  }

  private void literal(String word) throws Malformed {
    int n = word.length();
    for (int i = 0; i < n; i++) {
      if (pos + i >= end || b[pos + i] != word.charAt(i)) {
        pos += i;
        throw unexpected("'" + word + "'");
      }
    }
    pos += n;
    // a letter or digit right after it makes a longer word, not this literal ("truex")
    if (pos < end && (b[pos] & 0xff) >= '0' && Character.isJavaIdentifierPart(codePointAt(pos))) {
      throw new Malformed("unrecognized token starting '" + word + "' at byte " + (pos - n));
    }
  }

  /** The code point at {@code i}, or -1 where the bytes are not UTF-8. */
  private int codePointAt(int i) {
    int c = b[i] & 0xff;
    if (c < 0x80) {
      return c;
    }
    int length = Utf8.sequenceLength(b, i, end);
    return length < 0 ? -1 : new String(b, i, length, StandardCharsets.UTF_8).codePointAt(0);
  }

  /**
   * Reads a string's body from {@link #pos}, just past its opening quote, to just past its closing quote. The
   * search stops only at quotes, backslashes and control bytes; when it passed a byte above 0x7f, the body's
   * UTF-8 is checked afterwards in a pass of its own over bytes still in cache, which costs less than stopping
   * at every multi-byte character.
   */
  private void string() throws Malformed {
    int i = pos;
    stringStart = i;
    stringEscaped = false;
    long high = 0; // the high bits of every word passed
    while (true) {
      while (i <= end - 8) {
        long x = (long) LONGS.get(b, i);
        long q = x ^ QUOTES;
        long s = x ^ BACKSLASHES;
        // High bit of each byte that is a quote, a backslash or below 0x20. A false hit can only sit above a true
        // one, so the lowest bit is exact.
        long hits = ((q - ONES) & ~q | (s - ONES) & ~s | (x - SPACES) & ~x) & HIGH_BITS;
        if (hits != 0) {
          high |= x; // bytes after the hit may add a needless check, never a missed one
          i += Long.numberOfTrailingZeros(hits) >>> 3;
          break;
        }
        high |= x;
        i += 8;
      }
      if (i >= end) {
        pos = i;
        throw new Malformed("unterminated string starting at byte " + (stringStart - 1));
      }
      byte c = b[i];
      if (c == '"') {
        stringEnd = i;
        pos = i + 1;
        if ((high & HIGH_BITS) != 0) {
          int bad = Utf8.firstInvalid(b, stringStart, stringEnd);
          if (bad >= 0) {
            throw new Malformed("invalid UTF-8 at byte " + bad);
          }
        }
        return;
      }
      if (c == '\\') {
        stringEscaped = true;
        i = escape(i);
      } else if (c >= 0 && c < ' ') {
        throw new Malformed(String.format("control character 0x%02x in a string at byte %d", c, i));
      } else {
        high |= c;
        i++;
      }
    }
  }

  /** Checks the escape at {@code i}, a backslash, and returns the offset after it. */
  private int escape(int i) throws Malformed {
    int c = i + 1 < end ? b[i + 1] : -1;
    switch (c) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        return i + 2;
      case 'u':
        for (int k = i + 2; k < i + 6; k++) {
          if (k >= end || hexDigit(b[k]) < 0) {
            throw new Malformed("\\u must be followed by four hex digits at byte " + i);
          }
        }
        return i + 6;
      default:
        throw new Malformed("invalid escape at byte " + i);
    }
  }

  private static int hexDigit(byte c) {
    return Character.digit(c, 16);
  }

  /** Reads a number at {@link #pos}; returns true when it has no fraction and no exponent. */
  private boolean number() throws Malformed {
    numberStart = pos;
    negative = b[pos] == '-';
    if (negative) {
      pos++;
    }
    mantissa = 0;
    mantissaDigits = 0;
    exponent = 0;
    exactExponent = true;
    if (pos < end && b[pos] == '0') {
      pos++;
    } else if (!digits()) {
      throw unexpected("a digit");
    }
    integer = true;
    if (pos < end && b[pos] == '.') {
      integer = false;
      pos++;
      int before = mantissaDigits;
      if (!digits()) {
        throw unexpected("a digit after the decimal point");
      }
      exponent = -(mantissaDigits - before);
    }
    if (pos < end && (b[pos] | 0x20) == 'e') {
      integer = false;
      pos++;
      boolean minus = pos < end && b[pos] == '-';
      if (pos < end && (minus || b[pos] == '+')) {
        pos++;
      }
      int start = pos;
      int e = 0;
      while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
        if (pos - start < 6) {
          e = e * 10 + (b[pos] - '0');
        }
        pos++;
      }
      if (pos == start) {
        throw unexpected("a digit in the exponent");
      }
      exactExponent = pos - start < 6;
      exponent += minus ? -e : e;
    }
    numberEnd = pos;
    if (pos < end && (b[pos] >= '0' && b[pos] <= '9')) {
      throw new Malformed("leading zero in a number at byte " + numberStart); // "01": the '0' ended the digits
    }
    return integer;
  }

  /** Reads one or more digits into the mantissa (as many as a long holds exactly); false when there are none. */
  private boolean digits() {
    int start = pos;
    while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
      if (mantissaDigits < 18) {
        mantissa = mantissa * 10 + (b[pos] - '0');
      }
      mantissaDigits++;
      pos++;
    }
    return pos > start;
  }

  /** The last number as a double, rounded correctly; an integer's sign is its value's, so -0 is 0. */
  double numberAsDouble() {
    if (mantissaDigits <= 18 && mantissa <= EXACT_MANTISSA && exactExponent
        && exponent >= -22 && exponent <= 22) {
      // both operands are exact, so one rounding gives the correctly rounded result
      double v = exponent < 0 ? mantissa / EXACT_POWERS[-exponent] : mantissa * EXACT_POWERS[exponent];
      return !negative ? v : integer ? 0.0 - v : -v;
    }

    return Double.parseDouble(numberText());
  }

  /** The last number, an integer, as a long; {@code fallback} when it does not fit one. */
  long numberAsLong(long fallback) {
    if (mantissaDigits <= 18) {
      return negative ? -mantissa : mantissa;
    }
    try {
      return Long.parseLong(numberText());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  /** The last number's text, as written. */
  String numberText() {
    return new String(b, numberStart, numberEnd - numberStart, StandardCharsets.ISO_8859_1);
  }

  /** The last string's body, decoded. */
  String stringValue() {
    if (!stringEscaped) {
      return new String(b, stringStart, stringEnd - stringStart, StandardCharsets.UTF_8);
    }
    StringBuilder out = new StringBuilder(stringEnd - stringStart);
    int run = stringStart;
    int i = stringStart;
    while (i < stringEnd) {
      if (b[i] != '\\') {
        i++;
        continue;
      }
      out.append(new String(b, run, i - run, StandardCharsets.UTF_8));
      byte c = b[i + 1];
      switch (c) {
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> out.append((char) Integer.parseInt(new String(b, i + 2, 4, StandardCharsets.ISO_8859_1), 16));
        default -> out.append((char) c);
      }
      i += c == 'u' ? 6 : 2;
      run = i;
    }
    return out.append(new String(b, run, stringEnd - run, StandardCharsets.UTF_8)).toString();
  }

  /** True when the last string, decoded, is {@code ascii} (given as its bytes). */
  boolean stringIs(byte[] ascii) {
    if (stringEscaped) {
      return stringValue().equals(new String(ascii, StandardCharsets.ISO_8859_1));
    }
    return java.util.Arrays.equals(b, stringStart, stringEnd, ascii, 0, ascii.length);
  }

  /**
   * Parses the last string as {@code digits} (16 or 32) lowercase hex digits into {@code out}; false when it is
   * anything else.
   */
  boolean stringAsHex(int digits, long[] out) {
    if (stringEscaped) {
      byte[] decoded = stringValue().getBytes(StandardCharsets.ISO_8859_1);
      return decoded.length == digits && Hex.parse(decoded, 0, digits, out);
    }
    return stringEnd - stringStart == digits && Hex.parse(b, stringStart, digits, out);
  }

  /** The last string's body length in bytes, and its first byte, for telling names apart before comparing. */
  int stringLength() {
    return stringEnd - stringStart;
  }

  int stringFirstByte() {
    return stringEnd > stringStart ? b[stringStart] : -1;
  }

  boolean stringEscaped() {
    return stringEscaped;
  }

  /** A problem at {@link #pos}: what was expected and what is there. */
  Malformed unexpected(String expected) {
    if (pos >= end) {
      return new Malformed("expected " + expected + " but the input ended at byte " + pos);
    }
    int c = b[pos] & 0xff;
    if (c >= 0x80 && Utf8.sequenceLength(b, pos, end) < 0) {
      return new Malformed("invalid UTF-8 at byte " + pos);
    }
    String found = c > ' ' && c < 0x7f ? "'" + (char) c + "'" : String.format("byte 0x%02x", c);
    return new Malformed("expected " + expected + " at byte " + pos + " but found " + found);
  }
}
