/** Internal: parser, assembly, chunker, encoder and the in-memory store. May change in any release. */
@NullMarked
package io.segbuf.internal;

import org.jspecify.annotations.NullMarked;
