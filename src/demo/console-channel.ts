import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { SendError, SendErrorCode, type OutgoingMessage, type Sender } from '../domain/chat/channel.js';
import { readAttachment } from '../domain/chat/files.js';
import type { Message } from '../domain/chat/message.js';
import { projectRoot } from '../infra/local-services.js';

/**
 * The terminal demo's channel: a Sender like Telegram's and Slack's, fed by the same outbox worker
 * and, in the demo, by the direct replies too, so both look alike. Files are written to
 * `.data/demo-files/<name>` (the bytes read back as the real senders read them) and shown with
 * their path; an edit is shown as an edited copy of the earlier message.
 */

const DEMO_FILES_DIR = join(projectRoot, '.data', 'demo-files');

export interface SavedFile {
  name: string;
  mediaType: string;
  bytes: number;
  /** Where it was written, relative to the project (what the person types to open it). */
  path: string;
}

/** What the terminal shows for one send. */
export interface ConsoleMessage {
  address: string;
  messageId: string;
  message: Message;
  files: SavedFile[];
  /** For an edit: the message as it was before. */
  before?: Message;
}

export interface ConsoleChannelOptions {
  show: (shown: ConsoleMessage) => void | Promise<void>;
  /** Tests write elsewhere; the demo uses {@link DEMO_FILES_DIR}. */
  filesDir?: string;
}

export function createConsoleChannel(options: ConsoleChannelOptions): Sender {
  const filesDir = options.filesDir ?? DEMO_FILES_DIR;
  // What each message id shows now, so an edit can show its whole message again.
  const shown = new Map<string, { address: string; message: Message; files: SavedFile[] }>();
  let next = 0;

  const saveFiles = async (message: Message): Promise<SavedFile[]> => {
    const files: SavedFile[] = [];
    if (!message.attachments?.length) return files;
    await mkdir(filesDir, { recursive: true });
    for (const attachment of message.attachments) {
      // A file that is gone throws MissingFileError, a permanent SendError, as in the platform senders.
      const bytes = await readAttachment(attachment);
      const file = join(filesDir, safeFileName(attachment.name));
      await writeFile(file, bytes);
      files.push({ name: attachment.name, mediaType: attachment.mediaType, bytes: bytes.length, path: displayPath(file) });
    }
    return files;
  };

  return {
    channel: 'console',
    async send({ address, message }: OutgoingMessage) {
      const ref = message.edit && 'ref' in message.edit ? message.edit.ref : undefined;
      if (message.edit && !ref) throw new SendError(SendErrorCode.BadRequest, 'an edit must name the message it replaces');
      if (ref) {
        const earlier = shown.get(ref.messageId);
        // Telegram answers the same for a message it does not know.
        if (!earlier || earlier.address !== ref.address) throw new SendError(SendErrorCode.BadRequest, 'message to edit not found');
        // An edit replaces text and buttons; the files stay with the message.
        const { edit: _edit, ...content } = message;
        const edited = { ...content, attachments: earlier.message.attachments ?? [] };
        shown.set(ref.messageId, { address: ref.address, message: edited, files: earlier.files });
        await options.show({ address: ref.address, messageId: ref.messageId, message: edited, files: earlier.files, before: earlier.message });
        return { messageId: ref.messageId };
      }
      const files = await saveFiles(message);
      next += 1;
      const messageId = String(next);
      const copy = { ...message, choices: [...message.choices] };
      shown.set(messageId, { address, message: copy, files });
      await options.show({ address, messageId, message: copy, files });
      return { messageId };
    },
  };
}

/** The name without any directory part: a file from a message never lands outside the folder. */
function safeFileName(name: string): string {
  const base = basename(name.replace(/\\/g, '/')).trim();
  return base === '' || base === '.' || base === '..' ? 'fails' : base;
}

function displayPath(file: string): string {
  const path = relative(process.cwd(), file);
  return path.startsWith('..') ? file : path;
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} kB`;
}

/**
 * The lines the terminal prints for a message: its text, buttons numbered from 1 (the person types
 * the number), URL buttons with their address, files with where they were saved.
 */
export function renderConsole(shown: Pick<ConsoleMessage, 'message' | 'files' | 'before'>, from: string): string[] {
  const { message, files, before } = shown;
  const header = before ? `${from} · labots / edited` : from;
  const lines = [`┃ ${header}`];
  if (before) lines.push(`┃ (agrāk / was: ${firstLine(before.text)})`);
  lines.push(...message.text.split('\n').map((line) => `┃ ${line}`));
  message.choices.forEach((choice, i) => lines.push(`┃   [${i + 1}] ${choice.label}`));
  for (const link of message.links ?? []) lines.push(`┃   [↗] ${link.label} — ${link.url}`);
  for (const file of files) lines.push(`┃   📎 ${file.name} (${file.mediaType}, ${size(file.bytes)}) → ${file.path}`);
  return lines;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}
