/**
 * The ids of the buttons under a broadcast's preview, progress message and report:
 * `bc:<action>:<broadcast id>`, 30 ASCII bytes, well under Telegram's 64.
 */

export const BROADCAST_ACTION_PREFIX = 'bc:';
export const BROADCAST_ACTIONS = ['confirm', 'cancel', 'retry'] as const;
export type BroadcastAction = (typeof BROADCAST_ACTIONS)[number];

const LETTER: Record<BroadcastAction, string> = { confirm: 'ok', cancel: 'x', retry: 'r' };
const PATTERN = /^bc:(ok|x|r):([0-9a-f]{24})$/;

export function broadcastActionId(action: BroadcastAction, broadcastId: string): string {
  return `${BROADCAST_ACTION_PREFIX}${LETTER[action]}:${broadcastId}`;
}

export function parseBroadcastAction(id: string): { action: BroadcastAction; broadcastId: string } | null {
  const match = PATTERN.exec(id);
  if (!match) return null;
  const action = BROADCAST_ACTIONS.find((a) => LETTER[a] === match[1]);
  return action && match[2] ? { action, broadcastId: match[2] } : null;
}
