import { IANAZone } from 'luxon';

/**
 * `zone` when it is one, else `fallback`: a contact or meeting with a broken zone (bad data) is
 * reminded in the fallback's time rather than not at all. IANAZone.create is cached by luxon;
 * IANAZone.isValidZone builds an Intl formatter on every call, which over a broadcast to 10,000
 * people cost about 300 MB of native memory.
 */
export function validZone(zone: string | null | undefined, fallback: string): string {
  return zone && IANAZone.create(zone).isValid ? zone : fallback;
}
