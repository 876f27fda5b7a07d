package io.segbuf;

/** How a segment too large for one message is split into chunks. */
public enum ChunkingStrategy {
  /** Fill each chunk in segment order (depth-first from the root), as Sentry does. */
  GREEDY,
  /** Keep whole subtrees in one chunk where they fit; the root's chunk comes first. */
  SUBTREE
}
