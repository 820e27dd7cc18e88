import { createHash } from 'node:crypto';

/**
 * The dedupe keys of inbound events, one builder per kind (the router claims them in
 * InboundEvent). Each is what the platform repeats when it sends the same thing again: a retry or
 * a replay carries the same key, a new action a new one.
 */
export const inboundKeys = {
  /** The bot's id too: a new bot token starts its own update numbering. */
  telegramUpdate: (botId: number, updateId: number) => `telegram:${botId}:update:${updateId}`,
  /** Slack keeps the event id across its retries (X-Slack-Retry-Num). */
  slackEvent: (eventId: string) => `slack:event:${eventId}`,
  /** One trigger id per invocation of a slash command. */
  slackCommand: (triggerId: string) => `slack:command:${triggerId}`,
  /** One action_ts per press. */
  slackAction: (userId: string, actionTs: string) => `slack:action:${userId}:${actionTs}`,
  /**
   * A form submission has no id of its own: the view and a digest of the answers. The same person
   * correcting a refused answer sends other values, hence another key.
   */
  slackView: (viewId: string, values: unknown) =>
    `slack:view:${viewId}:${createHash('sha256').update(JSON.stringify(values)).digest('base64url').slice(0, 22)}`,
};
