import { createHash } from 'node:crypto';
import { Types } from 'mongoose';

/**
 * A stable ObjectId made from a natural key (a chat identity's channel and account, a
 * conversation's person and channel): the same key gives the same `_id` in every process, so the
 * hot documents of a conversation step are found by `_id` alone. That is the one filter FerretDB
 * 1.24 on SQLite answers from an index; any other reads the whole collection. An ObjectId rather
 * than the key as a string keeps the type that existing documents and references have.
 */
export function keyedObjectId(...parts: string[]): Types.ObjectId {
  // 96 bits of SHA-256: a collision among a few hundred thousand keys is out of reach.
  return new Types.ObjectId(createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24));
}
