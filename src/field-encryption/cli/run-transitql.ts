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

export const TRANSITQL_USAGE = `usage: transitql [--config transitql.config.mjs] <command>
  keys setup                    enable the transit engine and create the keys the schema declares (none are replaced)
  keys list                     every key the schema declares, with its versions
  keys info <key>               the key's versions and how many stored values use each
  keys rotate <key>             a new latest version; new values use it
  keys rewrap <key>             move every stored value to the latest version
  keys retire <key> <version>   refuse versions below <version> (refused while stored values use them)
  keys reindex <key>            recompute a blind index under its key's latest version
  audit verify                  check the reveal record's chain and seals
  audit who-read <record-id>    who was shown values of that record`;

/** `transitql`: the operator commands over any server's declarations, read from its config file. Returns the exit code. */
export async function runTransitql(argv: readonly string[], io: Io): Promise<number> {
  const args = [...argv];
  let configFile = DEFAULT_CONFIG_FILE;
  const at = args.indexOf('--config');
  if (at >= 0) {
    configFile = args[at + 1] ?? '';
    args.splice(at, 2);
  }
  const [group, command, name, version] = args;
  const known =
    (group === 'keys' && ['setup', 'list', 'info', 'rotate', 'rewrap', 'retire', 'reindex'].includes(command ?? '')) ||
    (group === 'audit' && ['verify', 'who-read'].includes(command ?? ''));
  const needsName = group === 'keys' ? !['setup', 'list'].includes(command ?? '') : command === 'who-read';
  if (!known || (needsName && name === undefined) || (command === 'retire' && version === undefined)) {
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
    switch (`${group} ${command}`) {
      case 'keys setup': {
        if (await transit.ensureEngine()) io.out('enabled the transit secrets engine');
        // Only where no stored value uses a key name may a key of that name be created.
        await refuseMissingKeyMaterial(transit, admin, [ledger.sealKeyUse()]);
        const created = await ensureKeys(transit, keys, { create: true });
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
        io.out(`${key}: rotated to v${(await admin.rotate(key)).latestVersion}`);
        return 0;
      case 'keys rewrap': {
        const summary = await admin.rewrap(key);
        io.out(`${key}: ${summary.rewrapped} of ${summary.total} values rewrapped to v${summary.latestVersion}`);
        return 0;
      }
      case 'keys retire': {
        const info = await admin.retire(key, Number(version));
        io.out(`${key}: versions below v${info.minDecryptionVersion} retired`);
        return 0;
      }
      case 'keys reindex':
        for (const summary of await admin.reindex(key)) {
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
      default: {
        const rows = await ledger.list({ limit: 1000, recordId: key });
        if (rows.length === 0) io.out('no reveals');
        for (const row of rows) {
          io.out(`${row.at.toISOString()} ${row.subject} ${row.role} ${row.mask} ${row.field} (${row.count})`);
        }
        return 0;
      }
    }
  } finally {
    await close();
  }
}
