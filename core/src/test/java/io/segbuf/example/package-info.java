/** The README's embedding example, compiled and run as a test. */
@NullMarked
package io.segbuf.example;

import org.jspecify.annotations.NullMarked;
