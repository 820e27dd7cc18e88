/**
 * Links a person sends with a progress note: whitespace-separated, each parsed by the WHATWG URL
 * parser (Node's `URL`), http or https only, to a public host name (with a dot), as these are
 * links to published results. Stored in the parser's canonical form, without duplicates.
 */

export const DEFAULT_LINKS_MAX = 5;
/** Longer than any link a person would paste; keeps one message from filling a document. */
const MAX_LINK_LENGTH = 2000;

export type LinksResult =
  | { ok: true; links: string[] }
  | { ok: false; reason: 'invalid_link'; link: string }
  | { ok: false; reason: 'too_many_links'; count: number };

function parseOne(token: string): string | null {
  if (token.length > MAX_LINK_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(token);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname.includes('.')) return null;
  return url.href;
}

export function parseLinks(text: string, max = DEFAULT_LINKS_MAX): LinksResult {
  // People paste lists as "a, b" or "<a>"; trailing separators and angle brackets are not part of a link.
  const tokens = text
    .split(/\s+/)
    .map((token) => token.replace(/^<|[>,;]+$/g, ''))
    .filter((token) => token.length > 0);
  if (tokens.length === 0) return { ok: false, reason: 'invalid_link', link: text.trim() };
  const links: string[] = [];
  for (const token of tokens) {
    const href = parseOne(token);
    if (href === null) return { ok: false, reason: 'invalid_link', link: token };
    if (!links.includes(href)) links.push(href);
  }
  if (links.length > max) return { ok: false, reason: 'too_many_links', count: links.length };
  return { ok: true, links };
}
