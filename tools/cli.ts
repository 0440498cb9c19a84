/**
 * Command-line options of the project's commands, one shape for all: `--name value` or `--name=value`, flags
 * without a value, `--help`/`-h` prints the usage, and a bad option is a `UsageError` (exit code 2, one line
 * that names the option and what to do).
 */

export class UsageError extends Error {
  readonly exitCode = 2;
}

export interface OptionSpec {
  /** without the dashes */
  name: string;
  /** what the value is, e.g. 'NAME'; undefined: a flag */
  value?: string;
  /** one line for --help */
  help: string;
  /** a short alias, e.g. 'p' for -p */
  alias?: string;
  /** 'int': a non-negative integer */
  type?: 'string' | 'int';
  /** the allowed values */
  choices?: string[];
}

export interface Command {
  /** how it is run, e.g. 'npm start --' */
  usage: string;
  /** one or two lines about what it does */
  about: string;
  options: OptionSpec[];
}

export type Parsed = Record<string, string | number | boolean | undefined>;

/** The values given (flags true, ints as numbers); `help` true when --help or -h was given. */
export function parseOptions(cmd: Command, argv: string[]): Parsed {
  const out: Parsed = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') { out.help = true; continue; }
    let name: string | undefined;
    let value: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) value = a.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(a)) {
      const spec = cmd.options.find((o) => o.alias === a.slice(1));
      name = spec ? spec.name : a;
    }
    const spec = name === undefined ? undefined : cmd.options.find((o) => o.name === name);
    if (!spec) throw new UsageError(`unknown option "${a}" (${cmd.usage} --help lists the options)`);
    if (spec.value === undefined) {
      if (value !== undefined) throw new UsageError(`--${spec.name} takes no value`);
      out[spec.name] = true;
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UsageError(`--${spec.name} needs a value (${spec.value})`);
    }
    if (spec.choices && !spec.choices.includes(value)) {
      throw new UsageError(`--${spec.name} "${value}" is not one of: ${spec.choices.join(', ')}`);
    }
    if (spec.type === 'int') {
      const n = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`--${spec.name} wants a non-negative integer, not "${value}"`);
      out[spec.name] = n;
    } else {
      out[spec.name] = value;
    }
  }
  return out;
}

export function formatHelp(cmd: Command): string {
  const rows = cmd.options.map((o) => [(o.alias ? `-${o.alias}, ` : '    ') + `--${o.name}` + (o.value ? ' ' + o.value : ''), o.help]);
  rows.push(['-h, --help', 'this text']);
  const w = Math.max(...rows.map((r) => r[0].length));
  return [`usage: ${cmd.usage} [options]`, '', cmd.about, '', 'options:', ...rows.map((r) => `  ${r[0].padEnd(w)}  ${r[1]}`)].join('\n') + '\n';
}

/**
 * parseOptions for a command's entry point: prints the usage and exits 0 on --help, prints the one-line reason
 * and exits 2 on a bad option.
 */
export function optionsOrExit(cmd: Command, argv: string[], prefix: string): Parsed {
  let p: Parsed;
  try {
    p = parseOptions(cmd, argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${prefix}: ${e.message}\n`);
      process.exit(e.exitCode);
    }
    throw e;
  }
  if (p.help) {
    process.stdout.write(formatHelp(cmd));
    process.exit(0);
  }
  return p;
}
