/** A service that embeds segbuf-core: it reads only what core exports. */
module io.segbuf.fixture.embedder {
  requires io.segbuf.core;

  exports io.segbuf.fixture.embedder;
}
