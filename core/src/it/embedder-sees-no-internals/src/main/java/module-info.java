/** An embedder that tries to use core's implementation. */
module io.segbuf.fixture.internals {
  requires io.segbuf.core;
}
