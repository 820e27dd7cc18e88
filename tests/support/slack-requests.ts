import { createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Block, FakeMessage, FakeSlack, FakeView } from './fake-slack.js';

/**
 * Requests as Slack sends them to an app's Request URL: signed with the app's signing secret
 * (`v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`, in X-Slack-Signature, with the
 * timestamp in X-Slack-Request-Timestamp); Events API callbacks as JSON envelopes, interactivity
 * (buttons, modal submissions) as a form with one `payload` field of JSON, slash commands as a
 * plain form. Payload shapes follow Slack's documented examples.
 */

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SendOptions {
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Sign with this secret instead of the right one. */
  secret?: string;
  /** Send exactly this signature header. */
  signature?: string;
  headers?: Record<string, string>;
}

/** A request exactly as it went out: enough to send the very same bytes again. */
export interface SentRequest {
  body: string;
  contentType: string;
  timestamp: number;
  signature: string;
  headers: Record<string, string>;
}

export interface SlackResponse {
  status: number;
  text: string;
  json: () => unknown;
  /** performance.now() just before the request was sent. */
  sentAt: number;
}

const FORM = 'application/x-www-form-urlencoded';
const id = (prefix: string) => `${prefix}${randomBytes(5).toString('hex').toUpperCase()}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

export class SlackRequests {
  readonly appId = 'A0FAKEAPP';

  /** The request most recently sent (recorded before it goes out, so it can be replayed while in flight). */
  lastRequest?: SentRequest;

  constructor(
    readonly endpoint: string,
    readonly secret: string,
    readonly fake: FakeSlack,
  ) {}

  async send(body: string, contentType: string, options: SendOptions = {}): Promise<SlackResponse> {
    const timestamp = options.timestamp ?? nowSeconds();
    const signature = options.signature ?? slackSignature(options.secret ?? this.secret, timestamp, body);
    this.lastRequest = { body, contentType, timestamp, signature, headers: { ...options.headers } };
    const sentAt = performance.now();
    const res = await fetch(this.endpoint, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature,
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        ...options.headers,
      },
      body,
    });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text), sentAt };
  }

  /**
   * The last request once more, byte for byte: same body, same timestamp and signature headers,
   * as somebody who captured it could send it again within Slack's 5-minute window.
   */
  replayLast(): Promise<SlackResponse> {
    const last = this.requireLast();
    return this.send(last.body, last.contentType, { timestamp: last.timestamp, signature: last.signature, headers: last.headers });
  }

  /**
   * The last request as Slack retries it when our 200 did not come within 3 seconds: the same body,
   * signed afresh, with X-Slack-Retry-Num and X-Slack-Retry-Reason.
   */
  retryLast(retryNum = 1, reason = 'http_timeout'): Promise<SlackResponse> {
    const last = this.requireLast();
    const headers = { ...last.headers, 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': reason };
    return this.send(last.body, last.contentType, { headers });
  }

  private requireLast(): SentRequest {
    if (!this.lastRequest) throw new Error('no request sent yet');
    return this.lastRequest;
  }

  private team() {
    return { id: this.fake.teamId, domain: 'fake' };
  }

  /** An Events API callback carrying `event`. */
  event(event: Record<string, unknown>, options: SendOptions & { eventId?: string } = {}): Promise<SlackResponse> {
    const envelope = {
      token: 'legacy-verification-token',
      team_id: this.fake.teamId,
      api_app_id: this.appId,
      event,
      type: 'event_callback',
      event_id: options.eventId ?? id('Ev'),
      event_time: nowSeconds(),
      authorizations: [{ enterprise_id: null, team_id: this.fake.teamId, user_id: this.fake.botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    };
    return this.send(JSON.stringify(envelope), 'application/json', options);
  }

  /** The person types `text` in their DM with the app. */
  dm(user: string, text: string, options: SendOptions & { eventId?: string } = {}): Promise<SlackResponse> {
    const ts = `${nowSeconds()}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
    return this.event(
      { type: 'message', channel: this.fake.dmOf(user), user, text, ts, event_ts: ts, channel_type: 'im', client_msg_id: id('m'), team: this.fake.teamId },
      options,
    );
  }

  homeOpened(user: string, options: SendOptions = {}): Promise<SlackResponse> {
    return this.event({ type: 'app_home_opened', user, channel: this.fake.dmOf(user), tab: 'home', event_ts: `${nowSeconds()}.000100` }, options);
  }

  private interactive(payload: Record<string, unknown>, options: SendOptions): Promise<SlackResponse> {
    return this.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), FORM, options);
  }

  /** The person presses the button labelled (or with the action id) `button` under `message`. */
  press(user: string, message: FakeMessage, button: string, options: SendOptions = {}): Promise<SlackResponse> {
    const { block, element } = findButton(message.blocks, button);
    const actionTs = `${nowSeconds()}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
    return this.interactive(
      {
        type: 'block_actions',
        user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: this.fake.teamId },
        api_app_id: this.appId,
        token: 'legacy-verification-token',
        container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
        trigger_id: `${Date.now()}.${id('')}`,
        team: this.team(),
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: message.channel, name: 'directmessage' },
        message: { bot_id: this.fake.botId, type: 'message', text: message.text, user: this.fake.botUserId, ts: message.ts, blocks: message.blocks },
        state: { values: {} },
        response_url: `https://hooks.slack.test/actions/${id('')}`,
        actions: [{ ...pressed(element, block), action_ts: actionTs }],
      },
      options,
    );
  }

  /** The person presses a button of their App Home tab. */
  pressInHome(user: string, view: FakeView, button: string, options: SendOptions = {}): Promise<SlackResponse> {
    const { block, element } = findButton(view.view.blocks, button);
    return this.interactive(
      {
        type: 'block_actions',
        user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: this.fake.teamId },
        api_app_id: this.appId,
        token: 'legacy-verification-token',
        container: { type: 'view', view_id: view.id },
        trigger_id: `${Date.now()}.${id('')}`,
        team: this.team(),
        enterprise: null,
        is_enterprise_install: false,
        view: { id: view.id, type: 'home', blocks: view.view.blocks, state: { values: {} }, hash: id('h') },
        actions: [{ ...pressed(element, block), action_ts: `${nowSeconds()}.000200` }],
      },
      options,
    );
  }

  /** `/ogp <text>` typed in `channelId` (default: the DM with the app). */
  command(user: string, text: string, options: SendOptions & { channelId?: string; command?: string } = {}): Promise<SlackResponse> {
    const channelId = options.channelId ?? this.fake.dmOf(user);
    const form = new URLSearchParams({
      token: 'legacy-verification-token',
      team_id: this.fake.teamId,
      team_domain: 'fake',
      channel_id: channelId,
      channel_name: channelId.startsWith('D') ? 'directmessage' : 'general',
      user_id: user,
      user_name: user.toLowerCase(),
      command: options.command ?? '/ogp',
      text,
      api_app_id: this.appId,
      is_enterprise_install: 'false',
      response_url: `https://hooks.slack.test/commands/${id('')}`,
      trigger_id: `${Date.now()}.${id('')}`,
    });
    return this.send(form.toString(), FORM, options);
  }

  /**
   * The person fills in the modal the app opened and presses the submit button: Slack sends the
   * view with `state.values` keyed by block id and action id.
   */
  submitView(user: string, view: FakeView, fields: Record<string, string | undefined>, options: SendOptions = {}): Promise<SlackResponse> {
    const values: Record<string, Record<string, unknown>> = {};
    for (const block of view.view.blocks) {
      if (block.type !== 'input') continue;
      const element = block.element as { type: string; action_id: string; options?: { text: unknown; value: string }[] };
      const given = fields[String(block.block_id)];
      if (element.type === 'radio_buttons') {
        const option = element.options?.find((o) => o.value === given);
        values[String(block.block_id)] = { [element.action_id]: { type: 'radio_buttons', selected_option: option ?? null } };
      } else {
        values[String(block.block_id)] = { [element.action_id]: { type: element.type, value: given ?? null } };
      }
    }
    return this.interactive(
      {
        type: 'view_submission',
        team: this.team(),
        user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: this.fake.teamId },
        api_app_id: this.appId,
        token: 'legacy-verification-token',
        trigger_id: `${Date.now()}.${id('')}`,
        view: {
          ...view.view,
          id: view.id,
          team_id: this.fake.teamId,
          state: { values },
          hash: id('h'),
          app_id: this.appId,
          bot_id: this.fake.botId,
          root_view_id: view.id,
          previous_view_id: null,
        },
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      },
      options,
    );
  }
}

type Element = Record<string, unknown> & { type: string; action_id: string; text: { text: string }; value?: string };

/** The text of a message's sections, one per line: what the person reads above the buttons. */
export const sectionText = (message: FakeMessage): string =>
  message.blocks
    .filter((b) => b.type === 'section')
    .map((b) => (b.text as { text: string }).text)
    .join('\n');

/** Every button in the blocks: in actions blocks and as section accessories. */
export function buttonsOf(blocks: Block[]): { block: Block; element: Element }[] {
  return blocks.flatMap((block) => {
    if (block.type === 'actions') {
      return (block.elements as Element[]).filter((e) => e.type === 'button').map((element) => ({ block, element }));
    }
    const accessory = block.accessory as Element | undefined;
    return block.type === 'section' && accessory?.type === 'button' ? [{ block, element: accessory }] : [];
  });
}

function findButton(blocks: Block[], button: string): { block: Block; element: Element } {
  const all = buttonsOf(blocks);
  const found = all.find((b) => b.element.text.text === button) ?? all.find((b) => b.element.action_id === button);
  if (!found) throw new Error(`no button '${button}' (have: ${all.map((b) => b.element.text.text).join(' | ')})`);
  return found;
}

function pressed(element: Element, block: Block): Record<string, unknown> {
  return {
    action_id: element.action_id,
    block_id: typeof block.block_id === 'string' ? block.block_id : id('b'),
    text: element.text,
    value: element.value,
    type: 'button',
  };
}
