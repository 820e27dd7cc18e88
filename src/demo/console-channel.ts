import type { OutgoingMessage, Sender } from '../../domain/chat/channel.js';

export interface ConsoleMessage extends OutgoingMessage {
  messageId: string;
}

/**
 * The terminal demo's channel: same outbox, same worker, and the message is handed to `write`
 * (which prints it as a chat line) instead of a platform.
 */
export function createConsoleSender(write: (message: ConsoleMessage) => void | Promise<void>): Sender {
  let next = 0;
  return {
    channel: 'console',
    async send(message) {
      next += 1;
      const messageId = String(next);
      await write({ ...message, choices: [...message.choices], messageId });
      return { messageId };
    },
  };
}
