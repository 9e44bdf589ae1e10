import { type OperatorUsage, parseOperatorArgs } from '../operator/program.ts';

/**
 * What `npm run transit -- --help` lists, by command. Kept apart from the commands themselves (commands.ts),
 * which load the transit, database and schema code: the usage is answered without loading any of it.
 */
export const TRANSIT_COMMAND_TEXT = {
  setup: {
    usage: '[--out file] [--token-ttl 1h] [--token-max-ttl 24h]',
    summary: 'enable transit, create the schema’s keys, write least-privilege policies and AppRole roles (idempotent)',
  },
  rotate: { usage: '<key>', summary: 'add a new key version; new values use it, older values stay readable' },
  rewrap: { usage: '<key>', summary: 'move every stored value to the key’s latest version (online, resumable)' },
  reindex: {
    usage: '<key> [--batch-size 250]',
    summary: 'recompute a blind index under its key’s latest version (online, resumable)',
  },
  retire: {
    usage: '<key> <version>',
    summary: 'refuse versions below <version> (min_decryption_version), only if no stored value uses them',
  },
  bind: {
    usage: '<key> --from <unbound-key>',
    summary: 'bind values stored under a non-derived key to their rows under the derived <key> (online, resumable)',
  },
  info: {
    usage: '[key]',
    summary: 'every key the schema declares: type, use, derived, exportable, versions; with <key>: its versions’ times',
  },
} as const;

export type TransitCommandName = keyof typeof TRANSIT_COMMAND_TEXT;

const options = {
  out: { type: 'string' },
  from: { type: 'string' },
  'batch-size': { type: 'string' },
  'token-ttl': { type: 'string' },
  'token-max-ttl': { type: 'string' },
  by: { type: 'string' },
} as const;

export const parseTransitArgs = (argv: string[]) => parseOperatorArgs(argv, options);

function printUsage(write: (line: string) => void): void {
  write('usage: npm run transit -- <command> [args]\n');
  const lines = Object.entries(TRANSIT_COMMAND_TEXT).map(([name, command]) => [
    `${name} ${command.usage}`,
    command.summary,
  ]);
  const width = Math.max(...lines.map(([left]) => left?.length ?? 0));
  for (const [left, summary] of lines) write(`  ${left?.padEnd(width)}  ${summary}`);
  write('\nEvery command but info is recorded on the reveal record (`npm run audit -- tail`) under the');
  write('operating-system user, or the name given with --by.');
  write('On the embedded default the running API (if any) carries out the command.');
}

export const transitUsage: OperatorUsage = {
  name: 'transit',
  parse: parseTransitArgs,
  usage: printUsage,
  problem({ positionals: [name] }) {
    if (name !== undefined && Object.hasOwn(TRANSIT_COMMAND_TEXT, name)) return undefined;
    return name === undefined ? '' : `unknown command "${name}"`;
  },
};
