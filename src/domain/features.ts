import { ChatRegistry } from './chat/registry.js';
import { registerChatBasics } from './chat/basics.js';
import { registerStatusFeature } from './status/status-feature.js';
import { registerReminderFeature } from './reminders/reminder-feature.js';
import { registerMeetingFeature } from './meetings/meeting-feature.js';
import { registerAuthoringFeature } from './meetings/authoring-feature.js';
import { registerCoordinatorFeature } from './rounds/coordinator-feature.js';
import { registerSettingsFeature } from './preferences/settings.js';
import { registerBroadcastFeature } from './broadcasts/broadcast-feature.js';
import { registerPrivacyFeature } from './privacy/privacy-feature.js';

/**
 * The product's chat features, in the order /help lists their commands. A new feature (meetings,
 * broadcasts, settings) adds its register function here and its own folder; the router does not change.
 */
export function createChatRegistry(): ChatRegistry {
  const registry = new ChatRegistry();
  registerStatusFeature(registry);
  registerChatBasics(registry);
  registerSettingsFeature(registry);
  registerPrivacyFeature(registry);
  registerReminderFeature(registry);
  registerMeetingFeature(registry);
  registerAuthoringFeature(registry);
  registerCoordinatorFeature(registry);
  registerBroadcastFeature(registry);
  return registry;
}

let shared: ChatRegistry | undefined;

/** The registry every adapter uses unless a test brings its own. */
export function chatRegistry(): ChatRegistry {
  shared ??= createChatRegistry();
  return shared;
}
