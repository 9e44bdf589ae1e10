import os from 'node:os';
import { desc } from 'drizzle-orm';
import {
  ADMIN_ROLE,
  type AdminAction,
  type AdminOutcome,
  durableRecorder,
  recordedAdminAction,
} from '../audit/admin-record.ts';
import { type RevealEventRow, revealEvents } from '../audit/reveal-events-table.ts';
import { RevealLedger } from '../audit/reveal-ledger.ts';
import { KeyAdmin } from '../lifecycle/key-admin.ts';
import { refuseMissingKeyMaterial } from '../lifecycle/missing-key-material.ts';
import { checkedStoredColumns, REVEAL_SEAL_KEY, transitKeysOf } from '../server/declared-keys.ts';
import { ensureKeys } from '../transit/ensure-keys.ts';
import { DEFAULT_CONFIG_FILE, declaredSchema, loadTransitqlConfig } from './transitql-config.ts';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const TRANSITQL_USAGE = `usage: transitql [--config transitql.config.mjs] [--by name] <command>
  keys setup                    enable the transit engine and create the keys the schema declares (none are replaced)
  keys list                     every key the schema declares, with its versions
  keys info <key>               the key's versions and how many stored values use each
  keys rotate <key>             a new latest version; new values use it
  keys rewrap <key>             move every stored value to the latest version
  keys retire <key> <version>   refuse versions below <version> (refused while stored values use them)
  keys reindex <key>            recompute a blind index under its key's latest version
  audit verify                  check the reveal record's chain and seals
  audit tail [n]                the latest n entries (default 20), administrative ones among them
  audit who-read <record-id>    who was shown values of that record
Every keys command but list and info leaves an administrative entry on the reveal record, naming
--by (default: the operating-system user) and how it ended.`;

/** `transitql`: the operator commands over any server's declarations, read from its config file. Returns the exit code. */
export async function runTransitql(argv: readonly string[], io: Io): Promise<number> {
  const args = [...argv];
  const option = (flag: string): string | undefined => {
    const at = args.indexOf(flag);
    if (at < 0) return undefined;
    const value = args[at + 1] ?? '';
    args.splice(at, 2);
    return value;
  };
  const configFile = option('--config') ?? DEFAULT_CONFIG_FILE;
  const by = option('--by') ?? os.userInfo().username;
  const [group, command, name, version] = args;
  const known =
    (group === 'keys' && ['setup', 'list', 'info', 'rotate', 'rewrap', 'retire', 'reindex'].includes(command ?? '')) ||
    (group === 'audit' && ['verify', 'tail', 'who-read'].includes(command ?? ''));
  const needsName = group === 'keys' ? !['setup', 'list'].includes(command ?? '') : command === 'who-read';
  const badCount = command === 'tail' && name !== undefined && !/^[1-9]\d{0,5}$/.test(name);
  if (!known || badCount || (needsName && name === undefined) || (command === 'retire' && version === undefined)) {
    io.err(TRANSITQL_USAGE);
    return 2;
  }

  const config = await loadTransitqlConfig(configFile);
  const schema = declaredSchema(config);
  const sealKey = config.sealKey ?? REVEAL_SEAL_KEY;
  const registry = checkedStoredColumns(schema, config.tables);
  const keys = transitKeysOf(schema, sealKey);
  const { db, transit, close } = await config.open();
  try {
    const admin = new KeyAdmin(transit, new Set(keys.keys()), registry, db);
    const ledger = new RevealLedger(db, transit, sealKey);
    const key = name ?? '';
    const recorded = <T>(
      action: AdminAction,
      run: () => Promise<T>,
      describe: (result: T) => AdminOutcome['details'],
    ) =>
      recordedAdminAction(
        durableRecorder(db, transit, sealKey),
        { action, key, subject: by, via: 'cli' },
        run,
        (result) => ({
          outcome: 'succeeded',
          details: describe(result),
        }),
      );
    switch (`${group} ${command}`) {
      case 'keys setup': {
        if (await transit.ensureEngine()) io.out('enabled the transit secrets engine');
        // Only where no stored value uses a key name may a key of that name be created.
        await refuseMissingKeyMaterial(transit, admin, [ledger.sealKeyUse()]);
        const created = await recorded(
          'key.setup',
          () => ensureKeys(transit, keys, { create: true }),
          (made) => ({ created: made }),
        );
        for (const listed of keys.keys())
          io.out(`key ${listed}: ${created.includes(listed) ? 'created' : 'already present'}`);
        return 0;
      }
      case 'keys list':
        for (const [listed, { derived }] of keys) {
          const info = await transit.readKey(listed);
          const use = listed === sealKey ? 'seal' : admin.isBlindIndexKey(listed) ? 'blind index' : 'encryption';
          io.out(
            `${listed}: ${use}${derived ? ', derived' : ''}, v${info.minDecryptionVersion}..v${info.latestVersion}`,
          );
        }
        return 0;
      case 'keys info': {
        const info = await admin.info(key);
        io.out(`${key}: latest v${info.latestVersion}, oldest readable v${info.minDecryptionVersion}`);
        for (const { version: v, count } of await admin.versions(key)) io.out(`  v${v}: ${count} stored values`);
        return 0;
      }
      case 'keys rotate':
        io.out(
          `${key}: rotated to v${
            (
              await recorded(
                'key.rotate',
                () => admin.rotate(key),
                (info) => ({ latestVersion: info.latestVersion }),
              )
            ).latestVersion
          }`,
        );
        return 0;
      case 'keys rewrap': {
        const summary = await recorded(
          'key.rewrap',
          () => admin.rewrap(key),
          (done) => done,
        );
        io.out(`${key}: ${summary.rewrapped} of ${summary.total} values rewrapped to v${summary.latestVersion}`);
        return 0;
      }
      case 'keys retire': {
        const info = await recorded(
          'key.retire',
          () => admin.retire(key, Number(version)),
          (retired) => ({ minDecryptionVersion: retired.minDecryptionVersion }),
        );
        io.out(`${key}: versions below v${info.minDecryptionVersion} retired`);
        return 0;
      }
      case 'keys reindex':
        for (const summary of await recorded(
          'key.reindex',
          () => admin.reindex(key),
          (done) => done,
        )) {
          io.out(
            `${summary.column}: ${summary.reindexed} of ${summary.total} reindexed under v${summary.latestVersion}`,
          );
        }
        return 0;
      case 'audit verify': {
        const { records, broken } = await ledger.verify();
        if (broken !== undefined) {
          io.err(`reveal record broken at seq ${broken.seq}: ${broken.problem}`);
          return 1;
        }
        io.out(`reveal record intact: ${records} records, chain and seals verified`);
        return 0;
      }
      case 'audit tail': {
        const rows = await db
          .select()
          .from(revealEvents)
          .orderBy(desc(revealEvents.seq))
          .limit(Number(name ?? 20));
        if (rows.length === 0) io.out('no entries');
        for (const row of rows.reverse()) io.out(entryLine(row));
        return 0;
      }
      default: {
        const rows = await ledger.list({ limit: 1000, recordId: key });
        if (rows.length === 0) io.out('no reveals');
        for (const row of rows) io.out(entryLine(row));
        return 0;
      }
    }
  } finally {
    await close();
  }
}

/** One entry: when, who, which grant (or `admin`), which field (or action) and how many; an action's outcome. */
function entryLine(row: RevealEventRow): string {
  const line = `${row.at.toISOString()} ${row.subject} ${row.role} ${row.mask} ${row.field} (${row.count})`;
  if (row.role !== ADMIN_ROLE) return line;
  const { outcome } = JSON.parse(row.operation ?? '{}') as { outcome?: string };
  return `${line} ${row.key} ${outcome ?? ''}`.trimEnd();
}
