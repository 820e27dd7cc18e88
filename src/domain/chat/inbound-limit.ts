/**
 * How much one person may send: the router asks before it handles an event. `refuse` is the
 * first event over the limit in a window (answered once, politely); `ignore` the ones after it
 * (no answer at all, so a flood does not become a flood of answers). Implemented with Redis in
 * src/inbound-limiter.ts; without one (tests of other things) nothing is limited.
 */
export type InboundVerdict = 'ok' | 'refuse' | 'ignore';

export interface InboundLimiter {
  take(personKey: string): Promise<InboundVerdict>;
}
