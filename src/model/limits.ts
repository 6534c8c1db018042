/** Caps on what a repository can make the loader do: a hostile file costs a diagnostic, not a hang. */
export interface LoadLimits {
  /** Largest file read, in bytes. */
  readonly maxFileBytes: number;
  /** Aliases resolved per document; an alias bomb stops here. */
  readonly maxAliases: number;
  /** Values aliases may expand to per document: a wide anchor aliased a few times stops here. */
  readonly maxAliasExpansion: number;
  /** Deepest nesting of maps and lists in a document. */
  readonly maxDepth: number;
  /** Documents per file. */
  readonly maxDocuments: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  // Kubernetes refuses objects above ~1.5 MiB; 2 MiB leaves room for a multi-document file while
  // keeping the worst-case parse of a hostile file to a few seconds.
  maxFileBytes: 2 * 1024 * 1024,
  maxAliases: 100,
  maxAliasExpansion: 10_000,
  maxDepth: 64,
  maxDocuments: 10_000,
};
