import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * The bytes of a file a message carries (an export, a chart, a calendar file). Kept in MongoDB so
 * that every process that sends (web for replies, any worker for the outbox) can read it by `_id`;
 * messages and queue jobs refer to it by id only. Files here are small (exports of a plan are tens
 * of kilobytes), far below MongoDB's 16 MB document limit.
 */
const storedFileSchema = new Schema(
  {
    name: { type: String, required: true },
    mediaType: { type: String, required: true },
    bytes: { type: Buffer, required: true },
    /** What made it, for operators: e.g. `round-export:<round>`. */
    origin: { type: String },
  },
  { timestamps: true },
);

export type StoredFile = InferSchemaType<typeof storedFileSchema>;
export const StoredFileModel = model('StoredFile', storedFileSchema);
