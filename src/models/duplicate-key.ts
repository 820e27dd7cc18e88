/** MongoDB's (and FerretDB's) E11000: a unique index refused the write. */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 11000;
}
