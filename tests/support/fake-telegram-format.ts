import type { IncomingMessage } from 'node:http';

/**
 * The wire format of the Telegram Bot API as the fake speaks it (https://core.telegram.org/bots/api
 * "Making requests"): parameters as a query string, urlencoded or multipart form, or JSON; answers
 * `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }`.
 */

export type ApiFailure =
  /** An answer in Telegram's own error format. */
  | { kind: 'api'; status: number; description: string; retryAfter?: number }
  /** A proxy's HTML error page in front of the Bot API: not JSON at all. */
  | { kind: 'html'; status: number }
  /** The connection drops without an answer. */
  | { kind: 'disconnect' };

/** Telegram's exact wording for the failures the tests need. */
export const telegramFailures = {
  tooManyRequests: (retryAfter = 1): ApiFailure => ({
    kind: 'api',
    status: 429,
    description: `Too Many Requests: retry after ${retryAfter}`,
    retryAfter,
  }),
  blocked: (): ApiFailure => ({ kind: 'api', status: 403, description: 'Forbidden: bot was blocked by the user' }),
  deactivated: (): ApiFailure => ({ kind: 'api', status: 403, description: 'Forbidden: user is deactivated' }),
  chatNotFound: (): ApiFailure => ({ kind: 'api', status: 400, description: 'Bad Request: chat not found' }),
  badRequest: (what: string): ApiFailure => ({ kind: 'api', status: 400, description: `Bad Request: ${what}` }),
  unauthorized: (): ApiFailure => ({ kind: 'api', status: 401, description: 'Unauthorized' }),
  notFound: (): ApiFailure => ({ kind: 'api', status: 404, description: 'Not Found' }),
  serverError: (status = 500): ApiFailure => ({
    kind: 'api',
    status,
    description: status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Unavailable' : 'Internal Server Error',
  }),
  proxyErrorPage: (status = 502): ApiFailure => ({ kind: 'html', status }),
  disconnect: (): ApiFailure => ({ kind: 'disconnect' }),
};

/** Thrown inside a method handler to answer with a Telegram error. */
export class ApiFailureError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.kind === 'api' ? failure.description : failure.kind);
  }
}

// Parameters that Telegram takes as JSON-serialized strings when they come in a form.
const JSON_PARAMS = new Set(['reply_markup', 'allowed_updates', 'entities', 'link_preview_options', 'reply_parameters', 'commands', 'scope']);

export async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = {};
  for (const [name, value] of url.searchParams) params[name] = value;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (raw.length === 0) return decodeJsonParams(params);
  if (type.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('JSON body must be an object');
    return { ...params, ...(parsed as Record<string, unknown>) };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) params[name] = value;
    return decodeJsonParams(params);
  }
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
    if (!boundary) throw new Error('multipart/form-data without a boundary');
    Object.assign(params, readMultipart(raw, boundary[1] ?? boundary[2]!));
    return decodeJsonParams(params);
  }
  throw new Error(`unsupported content-type ${type}`);
}

/** A file uploaded in a multipart request, as the Bot API receives it. */
export interface UploadedFile {
  name: string;
  bytes: Buffer;
}

/**
 * Multipart parts by name; a value `attach://<part>` (how grammY sends every file) becomes that
 * part's file. Parsed here rather than with the WHATWG Request, which refuses grammY's parts:
 * grammY writes `filename=<name>` unquoted (spaces, `;`, UTF-8 and all), and Telegram takes it.
 */
function readMultipart(raw: Buffer, boundary: string): Record<string, string | UploadedFile> {
  const values: Record<string, string | UploadedFile> = {};
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // The first delimiter opens the body without a preceding line break.
  let at = raw.indexOf(`--${boundary}`);
  while (at >= 0) {
    const start = raw.indexOf('\r\n', at) + 2;
    if (raw.subarray(at + boundary.length + 2, at + boundary.length + 4).toString() === '--' || start < 2) break;
    const end = raw.indexOf(delimiter, start);
    if (end < 0) throw new Error('multipart body is not terminated');
    const part = raw.subarray(start, end);
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split < 0 ? 0 : split).toString('utf8');
    const body = part.subarray(split < 0 ? 0 : split + 4);
    const disposition = /^content-disposition:(.*)$/im.exec(head)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /;\s*filename=(?:"([^"]*)"|(.*))$/i.exec(disposition);
    if (name !== undefined) values[name] = filename ? { name: (filename[1] ?? filename[2] ?? '').trim(), bytes: Buffer.from(body) } : body.toString('utf8');
    at = end + 2;
  }
  for (const [name, value] of Object.entries(values)) {
    const attached = typeof value === 'string' && value.startsWith('attach://') ? values[value.slice('attach://'.length)] : undefined;
    if (attached === undefined || typeof attached === 'string') continue;
    values[name] = attached;
    delete values[(value as string).slice('attach://'.length)];
  }
  return values;
}

function decodeJsonParams(params: Record<string, unknown>): Record<string, unknown> {
  for (const name of JSON_PARAMS) {
    const value = params[name];
    if (typeof value === 'string') params[name] = JSON.parse(value);
  }
  return params;
}

/** chat_id as Telegram reads it: an integer, given as a number or a numeric string. */
export function chatIdOf(params: Record<string, unknown>): number {
  const value = params.chat_id;
  if (value === undefined || value === '') throw new ApiFailureError(telegramFailures.badRequest('chat_id is empty'));
  const id = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(id)) throw new ApiFailureError(telegramFailures.chatNotFound());
  return id;
}

export function integerParam(params: Record<string, unknown>, name: string, fallback?: number): number {
  const value = params[name];
  if (value === undefined || value === '') {
    if (fallback !== undefined) return fallback;
    throw new ApiFailureError(telegramFailures.badRequest(`${name} is required`));
  }
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n)) throw new ApiFailureError(telegramFailures.badRequest(`invalid ${name} specified`));
  return n;
}

export function textParam(params: Record<string, unknown>): string {
  const text = params.text;
  if (typeof text !== 'string' || text.trim() === '') throw new ApiFailureError(telegramFailures.badRequest('message text is empty'));
  if (text.length > 4096) throw new ApiFailureError(telegramFailures.badRequest('message is too long'));
  return text;
}

/** An optional caption, refused over Telegram's 1024 characters as Telegram does. */
export function captionParam(params: Record<string, unknown>): string | undefined {
  const caption = params.caption;
  if (caption === undefined || caption === '') return undefined;
  if (typeof caption !== 'string') throw new ApiFailureError(telegramFailures.badRequest("can't parse caption"));
  if (caption.length > 1024) throw new ApiFailureError(telegramFailures.badRequest('message caption is too long'));
  return caption;
}

/** A file parameter: an upload, or the file_id of one uploaded before (`known` looks it up). */
export function fileParam(params: Record<string, unknown>, name: string, known: (fileId: string) => UploadedFile | undefined): UploadedFile {
  const value = params[name];
  if (typeof value === 'string') {
    const file = known(value);
    if (!file) throw new ApiFailureError(telegramFailures.badRequest('wrong file identifier/HTTP URL specified'));
    return file;
  }
  if (!value || typeof value !== 'object' || !Buffer.isBuffer((value as UploadedFile).bytes)) {
    throw new ApiFailureError(telegramFailures.badRequest(`there is no ${name} in the request`));
  }
  const file = value as UploadedFile;
  if (file.bytes.length === 0) throw new ApiFailureError(telegramFailures.badRequest('file must be non-empty'));
  return file;
}

/** Checks an inline keyboard the way Telegram does (callback_data 1–64 bytes). */
export function inlineMarkupParam(params: Record<string, unknown>): { inline_keyboard: Record<string, unknown>[][] } | undefined {
  const markup = params.reply_markup as { inline_keyboard?: unknown } | undefined;
  if (markup === undefined || markup.inline_keyboard === undefined) return undefined;
  const rows = markup.inline_keyboard;
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) {
    throw new ApiFailureError(telegramFailures.badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object"));
  }
  for (const button of rows.flat() as Record<string, unknown>[]) {
    if (typeof button.text !== 'string' || button.text === '') throw new ApiFailureError(telegramFailures.badRequest('text buttons are unallowed in the inline keyboard'));
    const data = button.callback_data;
    if (typeof data === 'string' && (data.length === 0 || Buffer.byteLength(data) > 64)) {
      throw new ApiFailureError(telegramFailures.badRequest('BUTTON_DATA_INVALID'));
    }
  }
  return { inline_keyboard: rows as Record<string, unknown>[][] };
}
