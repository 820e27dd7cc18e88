import ICAL from 'ical.js';

/**
 * RFC 5545's rules for the bytes of a calendar file (section 3.1 content lines and folding,
 * 3.3.11 TEXT escaping), checked on the bytes as they would be sent rather than on a JS string,
 * so a fold through a multi-byte UTF-8 character shows. Returns every problem found, none when
 * the file is well-formed.
 */
export function rfc5545Problems(file: Buffer | string): string[] {
  const bytes = typeof file === 'string' ? Buffer.from(file, 'utf8') : file;
  const problems: string[] = [];
  const text = bytes.toString('latin1');
  if (!text.endsWith('\r\n')) problems.push('the file does not end with CRLF');
  if (/\r(?!\n)|(?<!\r)\n/.test(text)) problems.push('a line ends without CRLF (bare CR or LF)');

  const physical = splitBytes(bytes.subarray(0, text.endsWith('\r\n') ? bytes.length - 2 : bytes.length));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const lines: string[] = [];
  physical.forEach((raw, index) => {
    if (raw.length > 75) problems.push(`line ${index + 1} is ${raw.length} octets, more than 75`);
    let line: string;
    try {
      line = decoder.decode(raw);
    } catch {
      problems.push(`line ${index + 1} is not valid UTF-8 (a character split by folding?)`);
      line = raw.toString('utf8');
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (!lines.length) problems.push('the first line is a continuation line');
      else lines[lines.length - 1] += line.slice(1);
    } else lines.push(line);
  });

  const open: string[] = [];
  for (const line of lines) {
    const name = /^([A-Za-z0-9-]+)[;:]/.exec(line)?.[1]?.toUpperCase();
    if (!name) {
      problems.push(`not a content line: ${JSON.stringify(line.slice(0, 40))}`);
      continue;
    }
    if (name === 'BEGIN') open.push(valueOf(line));
    if (name === 'END' && open.pop() !== valueOf(line)) problems.push(`END:${valueOf(line)} closes nothing open`);
    if (TEXT_PROPERTIES.has(name)) problems.push(...textEscapingProblems(name, valueOf(line)));
  }
  if (open.length) problems.push(`not closed: ${open.join(', ')}`);
  return problems;
}

const TEXT_PROPERTIES = new Set(['SUMMARY', 'LOCATION', 'DESCRIPTION', 'COMMENT']);

/** The value after the first colon outside a quoted parameter value. */
function valueOf(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ':' && !quoted) return line.slice(i + 1);
  }
  return '';
}

/** A TEXT value escapes `\`, `;`, `,` and newlines with a backslash; nothing else may follow one. */
function textEscapingProblems(name: string, value: string): string[] {
  const problems: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') {
      const next = value[i + 1];
      if (next === undefined || !'\\;,nN'.includes(next)) problems.push(`${name}: backslash before ${JSON.stringify(next ?? 'end')}`);
      i++;
    } else if (c === ';' || c === ',') problems.push(`${name}: unescaped ${JSON.stringify(c)}`);
  }
  return problems;
}

function splitBytes(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length - 1; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      lines.push(bytes.subarray(start, i));
      start = i + 2;
      i++;
    }
  }
  lines.push(bytes.subarray(start));
  return lines;
}

export interface ParsedMeetingCalendar {
  calendar: ICAL.Component;
  event: ICAL.Component;
  vtimezone: ICAL.Component;
  /** DTSTART and DTEND as UTC instants, resolved with the file's own VTIMEZONE only. */
  start: Date;
  end: Date;
}

/** Parses with ical.js and resolves the times against the file's VTIMEZONE, not a built-in zone table. */
export function parseMeetingCalendar(text: string): ParsedMeetingCalendar {
  const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  const event = calendar.getFirstSubcomponent('vevent');
  const vtimezone = calendar.getFirstSubcomponent('vtimezone');
  if (!event || !vtimezone) throw new Error('the file has no VEVENT or no VTIMEZONE');
  const zone = new ICAL.Timezone(vtimezone);
  const instant = (property: string): Date => {
    const time = event.getFirstPropertyValue(property) as ICAL.Time | null;
    if (!time) throw new Error(`no ${property.toUpperCase()}`);
    const tzid = event.getFirstProperty(property)?.getParameter('tzid');
    if (tzid !== zone.tzid) throw new Error(`${property.toUpperCase()} has TZID ${String(tzid)}, the VTIMEZONE is ${zone.tzid}`);
    const local = time.clone();
    local.zone = zone;
    return new Date(local.toUnixTime() * 1000);
  };
  return { calendar, event, vtimezone, start: instant('dtstart'), end: instant('dtend') };
}
