import { Types } from 'mongoose';
import { StoredFileModel } from '../../models/index.js';
import { SendError, SendErrorCode } from './channel.js';
import type { Attachment } from './message.js';

/**
 * Files by reference: the producer stores the bytes once and puts an Attachment (name, media
 * type, file id) on the message; whoever sends it reads the bytes back at send time. One read by
 * `_id` per file, which every MongoDB-wire server we run answers from its index.
 */

/** Refuses files no chat platform takes from a bot anyway (Telegram's upload limit is 50 MB). */
const MAX_FILE_BYTES = 20 * 1024 * 1024;

export async function storeFile(file: { name: string; mediaType: string; bytes: Buffer | string; origin?: string }): Promise<Attachment> {
  const bytes = typeof file.bytes === 'string' ? Buffer.from(file.bytes, 'utf8') : file.bytes;
  if (bytes.length > MAX_FILE_BYTES) throw new RangeError(`file ${file.name} is ${bytes.length} bytes; at most ${MAX_FILE_BYTES}`);
  const doc = await StoredFileModel.create({ name: file.name, mediaType: file.mediaType, bytes, origin: file.origin });
  return { name: file.name, mediaType: file.mediaType, source: { kind: 'stored', fileId: String(doc._id) } };
}

/**
 * Already a classified send failure (`file_missing`, permanent), because only senders read
 * attachments: every sender and the outbox worker pass it on as it is.
 */
class MissingFileError extends SendError {
  constructor(readonly attachment: Attachment) {
    super(SendErrorCode.FileMissing, `attachment ${attachment.name} (${attachment.source.fileId}) is not stored`);
    this.name = 'MissingFileError';
  }
}

/** The bytes of an attachment; a file that is gone is an error the sender reports as permanent. */
export async function readAttachment(attachment: Attachment): Promise<Buffer> {
  const { fileId } = attachment.source;
  const doc = Types.ObjectId.isValid(fileId) ? await StoredFileModel.findById(fileId, { bytes: 1 }).lean() : null;
  if (!doc) throw new MissingFileError(attachment);
  // The driver hands back BSON Binary for a lean read; Buffer.from copies nothing it need not.
  const raw = doc.bytes as unknown;
  if (Buffer.isBuffer(raw)) return raw;
  const binary = raw as { buffer?: Uint8Array; value?: () => Uint8Array };
  return Buffer.from(binary.buffer ?? binary.value?.() ?? new Uint8Array());
}
