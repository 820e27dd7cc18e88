import type { lv } from './lv.js';

/** Forms of a plural message, keyed by Intl.PluralRules categories; `other` is the fallback. */
export type PluralForms = { readonly [C in Intl.LDMLPluralRule]?: string } & { readonly other: string };
export type Message = string | PluralForms;

/** The Latvian catalogue is the reference: every catalogue has exactly its keys. */
export type MessageKey = keyof typeof lv;
export type Catalogue = { readonly [K in MessageKey]: Message };

type Placeholders<S> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;
type MessagePlaceholders<M> = M extends string
  ? Placeholders<M>
  : M extends Record<string, string>
    ? Placeholders<M[keyof M]> | 'count'
    : never;

/** The parameters a message takes, read from the Latvian text; `count` picks the plural form. */
export type Params<K extends MessageKey> = {
  readonly [P in MessagePlaceholders<(typeof lv)[K]>]: P extends 'count' ? number : string | number;
};

/** `t(lang, 'flow.cancelled')` takes no parameters; `t(lang, 'flow.saved', {...})` must have them all. */
export type ParamsArg<K extends MessageKey> = [MessagePlaceholders<(typeof lv)[K]>] extends [never]
  ? []
  : [params: Params<K>];
