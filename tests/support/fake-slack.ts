import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { Waiters } from './waiters.js';

/**
 * A local stand-in for Slack's Web API (https://slack.com/api/<method>), faithful where our code
 * depends on it: POST with a bot token (Authorization: Bearer, or `token` in the form),
 * form-encoded arguments whose objects are JSON strings (what @slack/web-api sends) or a JSON
 * body; HTTP 200 with `{ ok: true, ... }` or `{ ok: false, error }`, and when a test asks for
 * it HTTP 429 with a Retry-After header in seconds (once, or for a while) or a 5xx. It keeps the
 * messages it was given (chat.update changes them), opened modals, published Home tabs, one DM
 * channel per user and a user directory, and checks the Block Kit limits Slack enforces, so bad
 * output fails like it would.
 *
 * Files arrive the way `files.uploadV2` of @slack/web-api sends them (its `filesUploadV2`):
 * `files.getUploadURLExternal` (filename, length) answers an upload URL, which this server
 * serves itself; the bytes are POSTed there (multipart, part `body`, by the client's form
 * serialiser); `files.completeUploadExternal` (files as JSON, channel_id) shares them. Shared
 * files are kept in `files`, not among the messages (Slack posts the share message itself,
 * later and asynchronously).
 */

export interface FakeUser {
  id: string;
  email?: string;
  name?: string;
  isBot?: boolean;
  deleted?: boolean;
}

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  /** performance.now() when the request arrived. */
  at: number;
  /** What the fake answered. */
  status: number;
  response: Record<string, unknown>;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Block[];
  /** Set by chat.update. */
  edited?: boolean;
}

export type Block = Record<string, unknown> & { type: string };

/** A file shared into a channel through files.completeUploadExternal. */
export interface FakeFile {
  id: string;
  name: string;
  title: string;
  bytes: Buffer;
  channel: string;
}

/** A file between files.getUploadURLExternal and its completion. */
interface PendingUpload {
  id: string;
  name: string;
  length: number;
  bytes?: Buffer;
}

export interface FakeView {
  id: string;
  triggerId?: string;
  userId?: string;
  view: Record<string, unknown> & { type: string; blocks: Block[]; private_metadata?: string; callback_id?: string };
}

export interface FakeSlackOptions {
  token?: string;
  teamId?: string;
  botUserId?: string;
  botId?: string;
  users?: FakeUser[];
}

type Handler = (args: Record<string, unknown>) => Record<string, unknown>;

/** Arguments @slack/web-api JSON-encodes inside the form. */
const JSON_ARGS = new Set(['blocks', 'attachments', 'view', 'metadata', 'files']);

/** Where this fake serves upload URLs; Slack's look like https://files.slack.com/upload/v1/<opaque>. */
const UPLOAD_PATH = '/upload/v1/';

class SlackError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

export class FakeSlack {
  readonly token: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly calls: SlackCall[] = [];
  readonly messages: FakeMessage[] = [];
  readonly views: FakeView[] = [];
  readonly homeViews = new Map<string, FakeView>();
  readonly files: FakeFile[] = [];
  private readonly uploads = new Map<string, PendingUpload>();
  private readonly users = new Map<string, FakeUser>();
  private readonly dms = new Map<string, string>();
  private readonly failures: { method: string; error: string }[] = [];
  private readonly limits: { method: string; retryAfter: number }[] = [];
  private readonly limitWindows: { method: string; until: number; retryAfter?: number }[] = [];
  private readonly httpFailures: { method: string; status: number }[] = [];
  private readonly waiters = new Waiters();
  private seq = 0;
  private fileSeq = 0;
  private server?: Server;
  url = '';

  private constructor(options: FakeSlackOptions) {
    this.token = options.token ?? 'xoxb-test-fake-token';
    this.teamId = options.teamId ?? 'T0FAKE';
    this.botUserId = options.botUserId ?? 'UBOT0001';
    this.botId = options.botId ?? 'BBOT0001';
    for (const user of options.users ?? []) this.addUser(user);
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const fake = new FakeSlack(options);
    fake.server = createServer((req, res) => void fake.serve(req, res));
    await new Promise<void>((resolve) => fake.server?.listen(0, '127.0.0.1', resolve));
    const { port } = fake.server.address() as AddressInfo;
    fake.url = `http://127.0.0.1:${port}/api/`;
    return fake;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  addUser(user: FakeUser): void {
    this.users.set(user.id, user);
  }

  /** The DM channel between the bot and `userId` (created on first use, like Slack). */
  dmOf(userId: string): string {
    let id = this.dms.get(userId);
    if (!id) {
      id = `D${userId.replace(/^U/, '')}`;
      this.dms.set(userId, id);
    }
    return id;
  }

  /** The next call of `method` answers `{ ok: false, error }`. */
  failNext(method: string, error: string): void {
    this.failures.push({ method, error });
  }

  /** The next call of `method` answers HTTP 429 with `Retry-After: <seconds>`. */
  rateLimitNext(method: string, retryAfter = 1): void {
    this.limits.push({ method, retryAfter });
  }

  /**
   * Until `forMs` from now every call of `method` answers HTTP 429 with `Retry-After: <seconds>`,
   * as Slack does while a method's limit holds: `retryAfter` if given, else the whole seconds left.
   * Returns when the limit lifts, in performance.now() time like SlackCall.at.
   */
  rateLimitFor(method: string, forMs: number, retryAfter?: number): { until: number } {
    const until = performance.now() + forMs;
    this.limitWindows.push({ method, until, retryAfter });
    return { until };
  }

  /** The next call of `method` answers HTTP `status` (a 5xx: Slack failed, not refused). */
  failHttpNext(method: string, status = 503): void {
    this.httpFailures.push({ method, status });
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  filesIn(channel: string): FakeFile[] {
    return this.files.filter((f) => f.channel === channel);
  }

  messagesIn(channel: string): FakeMessage[] {
    return this.messages.filter((m) => m.channel === channel);
  }

  lastMessageIn(channel: string): FakeMessage | undefined {
    return this.messagesIn(channel).at(-1);
  }

  /** Resolves once `predicate` holds (checked after every call), or fails after `timeoutMs`. */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return this.waiters.waitFor(predicate, timeoutMs, () => `fake Slack: condition not met (calls: ${this.calls.map((c) => c.method).join(', ')})`);
  }

  /** Waits until `channel` holds more than `after` messages and returns the one at index `after`. */
  async nextMessage(channel: string, after: number, timeoutMs = 5000): Promise<FakeMessage> {
    return this.waitFor(() => this.messagesIn(channel)[after], timeoutMs);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if ((req.url ?? '').startsWith(UPLOAD_PATH)) return this.receiveUpload(req, res, Buffer.concat(chunks));
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const answer = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      this.calls.push({ method, args, at, status, response: body });
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
      this.waiters.notify();
    };

    let args: Record<string, unknown> = {};
    try {
      args = parseArgs(raw, req.headers['content-type'] ?? '');
    } catch {
      return answer(200, { ok: false, error: 'invalid_json' });
    }
    if (req.method !== 'POST' && req.method !== 'GET') return answer(405, { ok: false, error: 'method_not_supported' });

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;
    if (!token) return answer(200, { ok: false, error: 'not_authed' });
    if (token !== this.token) return answer(200, { ok: false, error: 'invalid_auth' });

    const window = this.limitWindows.find((w) => w.method === method && at < w.until);
    const limit = window ? { retryAfter: window.retryAfter ?? Math.max(1, Math.ceil((window.until - at) / 1000)) } : this.take(this.limits, method);
    if (limit) return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limit.retryAfter) });
    const httpFailure = this.take(this.httpFailures, method);
    if (httpFailure) return answer(httpFailure.status, { ok: false, error: 'service_unavailable' });
    const failure = this.take(this.failures, method);
    if (failure) return answer(200, { ok: false, error: failure.error });

    const handler = this.handlers[method];
    if (!handler) return answer(200, { ok: false, error: 'unknown_method' });
    try {
      return answer(200, { ok: true, ...handler(args) });
    } catch (error) {
      if (error instanceof SlackError) return answer(200, { ok: false, error: error.code });
      throw error;
    }
  }

  /**
   * The upload URL: like Slack's, it needs no token (the URL is the credential) and answers
   * 200 with a short text. @slack/web-api posts multipart with the bytes in part `body`; a raw
   * body (what curl or other clients send) is taken as the bytes.
   */
  private async receiveUpload(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const id = (req.url ?? '').slice(UPLOAD_PATH.length);
    const upload = this.uploads.get(id);
    const contentType = req.headers['content-type'] ?? '';
    let bytes = body;
    if (contentType.startsWith('multipart/form-data')) {
      const part = (await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData()).get('body');
      bytes = part instanceof Blob ? Buffer.from(await part.arrayBuffer()) : Buffer.from(String(part ?? ''), 'utf8');
    }
    const status = !upload ? 404 : req.method !== 'POST' ? 405 : 200;
    if (upload && status === 200) upload.bytes = bytes;
    const args = { file_id: id, bytes: bytes.length };
    this.calls.push({ method: 'upload', args, at: performance.now(), status, response: {} });
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? `OK - ${bytes.length}` : 'Not Found');
    this.waiters.notify();
  }

  private take<T extends { method: string }>(list: T[], method: string): T | undefined {
    const index = list.findIndex((item) => item.method === method);
    return index === -1 ? undefined : list.splice(index, 1)[0];
  }

  private nextTs(): string {
    this.seq += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.seq).padStart(6, '0')}`;
  }

  /** A channel argument as Slack resolves it: a user id means the DM with that user. */
  private channelOf(args: Record<string, unknown>): string {
    const channel = args.channel;
    if (typeof channel !== 'string' || channel === '') throw new SlackError('channel_not_found');
    if (channel.startsWith('U')) {
      if (!this.users.has(channel)) throw new SlackError('channel_not_found');
      return this.dmOf(channel);
    }
    if (![...this.dms.values()].includes(channel)) throw new SlackError('channel_not_found');
    return channel;
  }

  private readonly handlers: Record<string, Handler> = {
    'api.test': () => ({}),
    'auth.test': () => ({
      url: 'https://fake.slack.test/',
      team: 'Fake',
      user: 'ogp',
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    }),
    'chat.postMessage': (args) => {
      const channel = this.channelOf(args);
      const { text, blocks } = messageContent(args);
      const message: FakeMessage = { channel, ts: this.nextTs(), text, blocks };
      this.messages.push(message);
      return { channel, ts: message.ts, message: this.asSlackMessage(message) };
    },
    'chat.update': (args) => {
      const channel = this.channelOf(args);
      const message = this.messages.find((m) => m.channel === channel && m.ts === args.ts);
      if (!message) throw new SlackError('message_not_found');
      const { text, blocks } = messageContent(args);
      Object.assign(message, { text, blocks, edited: true });
      return { channel, ts: message.ts, text, message: this.asSlackMessage(message) };
    },
    'files.getUploadURLExternal': (args) => {
      const name = typeof args.filename === 'string' ? args.filename : '';
      const length = Number(args.length);
      if (name === '' || !Number.isInteger(length) || length <= 0) throw new SlackError('invalid_arguments');
      this.fileSeq += 1;
      const id = `F${String(this.fileSeq).padStart(10, '0')}`;
      this.uploads.set(id, { id, name, length });
      return { upload_url: `${this.url.replace(/\/api\/$/, '')}${UPLOAD_PATH}${id}`, file_id: id };
    },
    'files.completeUploadExternal': (args) => {
      const files = args.files;
      if (!Array.isArray(files) || files.length === 0) throw new SlackError('invalid_arguments');
      const channel = typeof args.channel_id === 'string' ? this.channelOf({ channel: args.channel_id }) : undefined;
      const pending = (files as { id?: unknown; title?: unknown }[]).map((entry) => {
        const upload = this.uploads.get(String(entry.id ?? ''));
        // Never uploaded, or fewer bytes than announced: Slack has no file to complete.
        if (!upload?.bytes || upload.bytes.length !== upload.length) throw new SlackError('file_not_found');
        return { upload, bytes: upload.bytes, title: typeof entry.title === 'string' ? entry.title : upload.name };
      });
      const completed = pending.map(({ upload, bytes, title }) => {
        this.uploads.delete(upload.id);
        // A file completed without a channel stays private; the tests only look at shared ones.
        if (channel) this.files.push({ id: upload.id, name: upload.name, title, bytes, channel });
        return { id: upload.id, name: upload.name, title, size: bytes.length, ...(channel ? { channels: [channel] } : {}) };
      });
      return { files: completed };
    },
    'conversations.open': (args) => {
      const users = typeof args.users === 'string' ? args.users.split(',') : [];
      const [user] = users;
      if (users.length !== 1 || !user) throw new SlackError('not_enough_users');
      if (!this.users.has(user)) throw new SlackError('user_not_found');
      return { channel: { id: this.dmOf(user) } };
    },
    'users.info': (args) => {
      const user = this.users.get(String(args.user ?? ''));
      if (!user) throw new SlackError('user_not_found');
      return { user: asSlackUser(user, this.teamId) };
    },
    'users.lookupByEmail': (args) => {
      const email = String(args.email ?? '').toLowerCase();
      const user = [...this.users.values()].find((u) => u.email?.toLowerCase() === email && !u.deleted);
      if (!user) throw new SlackError('users_not_found');
      return { user: asSlackUser(user, this.teamId) };
    },
    'views.open': (args) => {
      const triggerId = args.trigger_id;
      if (typeof triggerId !== 'string' || triggerId === '') throw new SlackError('invalid_arguments');
      if (this.views.some((v) => v.triggerId === triggerId)) throw new SlackError('expired_trigger_id');
      const view = checkView(args.view, 'modal');
      const stored: FakeView = { id: `V${String(this.views.length + 1).padStart(8, '0')}`, triggerId, view };
      this.views.push(stored);
      return { view: { id: stored.id, team_id: this.teamId, ...view, state: { values: {} } } };
    },
    'views.publish': (args) => {
      const userId = String(args.user_id ?? '');
      if (!this.users.has(userId)) throw new SlackError('user_not_found');
      const view = checkView(args.view, 'home');
      const stored: FakeView = { id: `VH${userId}`, userId, view };
      this.homeViews.set(userId, stored);
      return { view: { id: stored.id, team_id: this.teamId, ...view } };
    },
  };

  private asSlackMessage(message: FakeMessage): Record<string, unknown> {
    return { type: 'message', user: this.botUserId, bot_id: this.botId, text: message.text, blocks: message.blocks, ts: message.ts, team: this.teamId };
  }
}

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType.startsWith('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) args[key] = JSON_ARGS.has(key) ? JSON.parse(value) : value;
  return args;
}

function asSlackUser(user: FakeUser, teamId: string): Record<string, unknown> {
  return {
    id: user.id,
    team_id: teamId,
    name: user.name ?? user.id.toLowerCase(),
    deleted: user.deleted ?? false,
    is_bot: user.isBot ?? false,
    profile: { real_name: user.name ?? '', ...(user.email ? { email: user.email } : {}) },
  };
}

/** Slack's limits for a message: text or blocks, at most 50 blocks, text up to 40,000 characters. */
function messageContent(args: Record<string, unknown>): { text: string; blocks: Block[] } {
  const text = typeof args.text === 'string' ? args.text : '';
  const blocks = args.blocks === undefined ? [] : args.blocks;
  if (!Array.isArray(blocks) || blocks.length > 50) throw new SlackError('invalid_blocks');
  if (text === '' && blocks.length === 0) throw new SlackError('no_text');
  if (text.length > 40_000) throw new SlackError('msg_too_long');
  blocks.forEach(checkBlock);
  return { text, blocks: blocks as Block[] };
}

function plainText(value: unknown, max: number): void {
  const element = value as { type?: string; text?: unknown } | undefined;
  if (!element || (element.type !== 'plain_text' && element.type !== 'mrkdwn') || typeof element.text !== 'string') {
    throw new SlackError('invalid_blocks');
  }
  if (element.text.length === 0 || [...element.text].length > max) throw new SlackError('invalid_blocks');
}

function checkElement(element: Record<string, unknown>): void {
  if (typeof element.action_id === 'string' && element.action_id.length > 255) throw new SlackError('invalid_blocks');
  if (element.type === 'button') {
    // A button's text is plain_text only; its url at most 3000 characters.
    if ((element.text as { type?: unknown } | undefined)?.type !== 'plain_text') throw new SlackError('invalid_blocks');
    plainText(element.text, 75);
    if (typeof element.value === 'string' && element.value.length > 2000) throw new SlackError('invalid_blocks');
    if (element.url !== undefined && (typeof element.url !== 'string' || element.url.length > 3000)) throw new SlackError('invalid_blocks');
  }
  if (element.type === 'radio_buttons') {
    const options = element.options as unknown[];
    if (!Array.isArray(options) || options.length === 0 || options.length > 10) throw new SlackError('invalid_blocks');
  }
  if (element.type === 'plain_text_input' && typeof element.max_length === 'number' && element.max_length > 3000) {
    throw new SlackError('invalid_blocks');
  }
}

/** The Block Kit rules our output can break: sizes of texts, buttons and action lists. */
function checkBlock(value: unknown): void {
  const block = value as Block;
  if (!block || typeof block.type !== 'string') throw new SlackError('invalid_blocks');
  if (typeof block.block_id === 'string' && block.block_id.length > 255) throw new SlackError('invalid_blocks');
  switch (block.type) {
    case 'section':
      if (block.text !== undefined) plainText(block.text, 3000);
      if (block.accessory) checkElement(block.accessory as Record<string, unknown>);
      break;
    case 'actions': {
      const elements = block.elements as Record<string, unknown>[];
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 25) throw new SlackError('invalid_blocks');
      const ids = elements.map((e) => e.action_id);
      if (new Set(ids).size !== ids.length) throw new SlackError('invalid_blocks');
      elements.forEach(checkElement);
      break;
    }
    case 'context': {
      const elements = block.elements as unknown[];
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10) throw new SlackError('invalid_blocks');
      break;
    }
    case 'header':
      plainText(block.text, 150);
      break;
    case 'input':
      plainText(block.label, 2000);
      checkElement(block.element as Record<string, unknown>);
      break;
    default:
      break;
  }
}

function checkView(value: unknown, type: 'modal' | 'home'): FakeView['view'] {
  const view = value as FakeView['view'] | undefined;
  if (!view || view.type !== type || !Array.isArray(view.blocks)) throw new SlackError('invalid_arguments');
  if (view.blocks.length > 100) throw new SlackError('invalid_blocks');
  if (type === 'modal') {
    plainText(view.title, 24);
    if (view.submit !== undefined) plainText(view.submit, 24);
    if (view.close !== undefined) plainText(view.close, 24);
    if (view.blocks.some((b) => b.type === 'input') && view.submit === undefined) throw new SlackError('invalid_arguments');
    if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) throw new SlackError('invalid_arguments');
  }
  view.blocks.forEach(checkBlock);
  return view;
}
