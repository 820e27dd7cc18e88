import type { ContactRole, Language } from '../../src/models/index.js';
import { helpText } from '../../src/domain/chat/help.js';
import { chatRegistry } from '../../src/domain/features.js';

/** The /help a person with `roles` gets, as the product's registry builds it. */
export function expectedHelp(lang: Language, prefix: string, roles: ContactRole[] = ['contact_person']): string {
  return helpText(chatRegistry(), lang, roles, prefix);
}
