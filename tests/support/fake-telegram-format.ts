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
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    // The WHATWG Request parses both form encodings, multipart boundaries included.
    const form = await new Request('http://fake.invalid/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
    for (const [name, value] of form) params[name] = typeof value === 'string' ? value : { file: value.name, size: value.size };
    return decodeJsonParams(params);
  }
  throw new Error(`unsupported content-type ${type}`);
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
