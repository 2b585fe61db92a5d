/**
 * A strict reader of the Prometheus text format 0.0.4, written from the format's description
 * for tests (independent of src/lvsd/prometheus-text.ts): it throws on anything a scraper would
 * refuse or misread, and returns every sample with its labels unescaped.
 */

/** Sample is one parsed sample line. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** raw is the value as written (exact for big integers). */
  readonly raw: string;
}

/** Scrape is a parsed exposition. */
export interface Scrape {
  readonly samples: readonly Sample[];
  readonly types: ReadonlyMap<string, string>;
  readonly help: ReadonlyMap<string, string>;
  /** get returns the raw value of the one sample with this name and exactly these labels. */
  get(name: string, labels?: Readonly<Record<string, string>>): string | undefined;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function unescape(text: string, allowQuote: boolean, where: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"' && allowQuote) out += '"';
    else throw new Error(`${where}: bad escape \\${next ?? ''}`);
  }
  return out;
}

function parseValue(raw: string, where: string): number {
  if (raw === 'NaN') return NaN;
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new Error(`${where}: bad value ${raw}`);
  return Number(raw);
}

function parseLabels(text: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let s = text;
  for (;;) {
    if (s.startsWith('}')) return { labels, rest: s.slice(1) };
    const name = LABEL.exec(s)?.[0];
    if (name === undefined) throw new Error(`${where}: bad label name at ${s}`);
    s = s.slice(name.length);
    if (!s.startsWith('="')) throw new Error(`${where}: expected =" after ${name}`);
    s = s.slice(2);
    let end = 0;
    while (end < s.length && s[end] !== '"') end += s[end] === '\\' ? 2 : 1;
    if (end >= s.length) throw new Error(`${where}: unterminated value of ${name}`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    labels[name] = unescape(s.slice(0, end), true, where);
    s = s.slice(end + 1);
    if (s.startsWith(',')) s = s.slice(1);
    else if (!s.startsWith('}')) throw new Error(`${where}: expected , or } at ${s}`);
  }
}

/** parseExposition reads a whole exposition. */
export function parseExposition(text: string): Scrape {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition does not end with a line feed');
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const finished = new Set<string>();
  const series = new Set<string>();
  let current: string | null = null;
  const enter = (family: string, where: string): void => {
    if (family === current) return;
    if (finished.has(family)) throw new Error(`${where}: family ${family} is split in two`);
    if (current !== null) finished.add(current);
    current = family;
  };
  const lines = text.split('\n').slice(0, -1);
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) {
      const [, kind, name, ...rest] = line.split(' ');
      if (name === undefined || !NAME.test(name) || NAME.exec(name)?.[0] !== name) throw new Error(`${where}: bad metric name`);
      enter(name, where);
      if (kind === 'HELP') {
        if (help.has(name)) throw new Error(`${where}: second HELP for ${name}`);
        help.set(name, unescape(rest.join(' '), false, where));
      } else {
        if (types.has(name)) throw new Error(`${where}: second TYPE for ${name}`);
        if (samples.some((s) => s.name === name)) throw new Error(`${where}: TYPE after samples of ${name}`);
        const type = rest.join(' ');
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type)) throw new Error(`${where}: bad type ${type}`);
        types.set(name, type);
      }
      return;
    }
    if (line.startsWith('#') || line.trim() === '') return;
    const name = NAME.exec(line)?.[0];
    if (name === undefined) throw new Error(`${where}: bad sample line ${line}`);
    enter(name, where);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest.slice(1), where));
    const fields = rest.split(' ');
    if (fields[0] !== '' || fields.length < 2 || fields.length > 3) throw new Error(`${where}: expected one blank, a value and maybe a timestamp: ${line}`);
    const raw = fields[1] as string;
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new Error(`${where}: duplicate series ${key}`);
    series.add(key);
    samples.push({ name, labels, raw, value: parseValue(raw, where) });
  });
  return {
    samples,
    types,
    help,
    get: (name, labels = {}) => {
      const want = JSON.stringify(Object.entries(labels).sort());
      return samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)?.raw;
    },
  };
}
