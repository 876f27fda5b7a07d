/**
 * segbuf core: the embedding API ({@link io.segbuf}) and the store and sink SPI ({@link io.segbuf.spi}). The
 * implementation ({@code io.segbuf.internal}) is not exported. Needs nothing at run time; jspecify's nullness
 * annotations are read at compile time only.
 */
module io.segbuf.core {
  requires static transitive org.jspecify;

  exports io.segbuf;
  exports io.segbuf.spi;
}
