/**
 * Prometheus text exposition format 0.0.4: metric families, each with its HELP and TYPE lines
 * and then all its samples. Label values escape backslash, double quote and line feed; HELP text
 * escapes backslash and line feed. Counters may be bigint and are written exactly. Pure.
 */

/** CONTENT_TYPE is the media type of the format. */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** MetricType is a family's TYPE. */
export type MetricType = 'counter' | 'gauge';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Labels are a sample's label names and values. */
export type Labels = Readonly<Record<string, string>>;

/** RenderedLabels are labels checked and escaped once, for a label set many families share. */
export class RenderedLabels {
  /** text is `{name="value",...}`, or empty for no labels. */
  readonly text: string;

  constructor(labels: Labels) {
    const pairs = Object.entries(labels).map(([k, v]) => {
      if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new TypeError(`label name ${JSON.stringify(k)} is not valid`);
      return `${k}="${escapeLabelValue(v)}"`;
    });
    this.text = pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
  }
}


/** escapeLabelValue escapes a label value for the text format. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** escapeHelp escapes HELP text for the text format. */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** formatValue writes a sample value: integers exactly, NaN and infinities as the format spells them. */
export function formatValue(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

interface Family {
  readonly help: string;
  readonly type: MetricType;
  readonly lines: string[];
}

/** Exposition collects families and their samples and writes them as one text. */
export class Exposition {
  private readonly families = new Map<string, Family>();

  /** family declares a family (once) and returns the function that adds its samples. */
  family(name: string, type: MetricType, help: string): (labels: Labels | RenderedLabels, value: number | bigint) => void {
    if (!METRIC_NAME.test(name)) throw new TypeError(`metric name ${JSON.stringify(name)} is not valid`);
    if (this.families.has(name)) throw new TypeError(`metric family ${name} declared twice`);
    const family: Family = { help, type, lines: [] };
    this.families.set(name, family);
    return (labels, value) => {
      const rendered = labels instanceof RenderedLabels ? labels : new RenderedLabels(labels);
      family.lines.push(`${name}${rendered.text} ${formatValue(value)}`);
    };
  }

  /** text writes every family that has samples, in declaration order, ending with a line feed. */
  text(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      if (f.lines.length === 0) continue;
      out.push(`# HELP ${name} ${escapeHelp(f.help)}`, `# TYPE ${name} ${f.type}`, ...f.lines);
    }
    return out.length === 0 ? '' : `${out.join('\n')}\n`;
  }
}
