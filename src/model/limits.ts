/** Caps on what a repository can make the loader do: a hostile file costs a diagnostic, not a hang. */
export interface LoadLimits {
  /** Largest file read, in bytes. */
  readonly maxFileBytes: number;
  /** Aliases resolved per document; an alias bomb stops here. */
  readonly maxAliases: number;
  /** Deepest nesting of maps and lists in a document. */
  readonly maxDepth: number;
  /** Documents per file. */
  readonly maxDocuments: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  maxFileBytes: 8 * 1024 * 1024,
  maxAliases: 100,
  maxDepth: 64,
  maxDocuments: 10_000,
};
