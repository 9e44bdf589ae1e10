import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { type RevealRecordEnvelopPlugin, revealRecordEnvelopPlugin } from '../audit/envelop-plugin.ts';
import { RevealLedger, type RevealLedgerOptions } from '../audit/reveal-ledger.ts';
import { type RevealRecordOptions, revealRecordPlugin } from '../audit/reveal-record-plugin.ts';
import type { RequestBudgetLimits } from '../budget/request-budget.ts';
import { RevealAllowance } from '../budget/reveal-allowance.ts';
import type { RevealPolicy } from '../directives/decrypt-for.ts';
import { fieldEncryptionDirectivesSdl } from '../directives/sdl.ts';
import { KeyAdmin } from '../lifecycle/key-admin.ts';
import { refuseMissingKeyMaterial } from '../lifecycle/missing-key-material.ts';
import type { AnyPgDatabase } from '../storage/stored-values.ts';
import { type BatchingOptions, TransitBatcher } from '../transit/batcher.ts';
import { ensureKeys } from '../transit/ensure-keys.ts';
import type { Transit } from '../transit/transit.ts';
import { DEFAULT_BATCHING } from '../transit/transit-defaults.ts';
import { checkedStoredColumns, REVEAL_SEAL_KEY, transitKeysOf } from './declared-keys.ts';
import { fieldEncryptionDirectives } from './directives.ts';
import {
  type Caller,
  createEncryptionContext,
  type EncryptionContext,
  type EncryptionServices,
} from './request-context.ts';

export interface FieldEncryptionOptions<TContext extends EncryptionContext> {
  /** The transit backend (`createTransit(...)`): Vault/OpenBao, or the embedded engine. */
  transit: Transit;
  /** The drizzle database holding the encrypted columns, the reveal record and its reservations. */
  db: AnyPgDatabase;
  /** The drizzle schema module (`import * as tables from './schema.js'`): its encrypted columns are checked against the SDL. */
  tables: Record<string, unknown>;
  /** The need-to-know conditions a `@decryptFor(policy:)` may name. */
  policies?: Readonly<Record<string, RevealPolicy<TContext>>>;
  /** How transit calls are batched; `DEFAULT_BATCHING` (250 values a request, 4 at once, no waiting window) unless given. */
  batching?: BatchingOptions;
  /** How many values one request may decrypt and encrypt; 1,000 each unless given. */
  limits?: RequestBudgetLimits;
  /** The transit key sealing the reveal record; `reveal-seal` unless given. */
  sealKey?: string;
  /** Create missing keys at start; the embedded engine does unless told otherwise, Vault never (its keys are set up by an operator). */
  createKeys?: boolean;
  /** Told what the metrics and logs want to know. */
  on?: Pick<EncryptionServices, 'onBudgetRefused' | 'onRateLimited' | 'onAllowanceUnavailable'> &
    Pick<RevealRecordOptions<TContext>, 'onAuditFailure' | 'onWritten'> &
    Pick<RevealLedgerOptions, 'onCheckpointed' | 'onCheckpointFailed'>;
}

/** Field encryption started over one schema: what each request and the operators use. */
export interface RunningFieldEncryption<TContext extends EncryptionContext> {
  keyAdmin: KeyAdmin;
  revealLedger: RevealLedger;
  revealAllowance: RevealAllowance;
  /** Every transit key the server uses (encryption, blind index, seal), and whether each is derived. */
  keys: ReadonlyMap<string, { derived: boolean }>;
  /** The part of each request's context the directives read: spread it into your own context. */
  context(caller: Caller): EncryptionContext;
  /** Writes each request's reveals to the reveal record before its response leaves (fails closed). */
  apolloPlugin(): ApolloServerPlugin<TContext>;
  /** The same for envelop-based servers (graphql-yoga). */
  envelopPlugin(): RevealRecordEnvelopPlugin<TContext>;
  /** Stops the reveal record's checkpointing; the transit backend and the database are the caller's to close. */
  close(): Promise<void>;
}

/**
 * Field encryption for one GraphQL server: the directives' SDL and schema transform, then, once the
 * schema is built, the start-up checks, the keys, the reveal record and a per-request context.
 */
export function createFieldEncryption<TContext extends EncryptionContext = EncryptionContext>(
  options: FieldEncryptionOptions<TContext>,
) {
  const directives = fieldEncryptionDirectives<TContext>(
    options.policies === undefined ? {} : { policies: options.policies },
  );
  const sealKey = options.sealKey ?? REVEAL_SEAL_KEY;
  return {
    /** `directive @encrypted`, `@blindIndex`, `@decryptFor` and the `DecryptMask` enum: add them to your typeDefs. */
    typeDefs: fieldEncryptionDirectivesSdl(),
    /** The directives one by one, for a server that interleaves transforms of its own. */
    directives,
    /** Encrypts marked arguments and input fields, and reveals `@decryptFor` fields to the roles they name. */
    transformSchema(schema: GraphQLSchema): GraphQLSchema {
      return directives.decryptFor.transformer(directives.encrypted.transformer(schema));
    },
    /**
     * Checks the SDL against the drizzle tables, refuses to start when stored values use key material
     * the backend lacks, opens the reveal record and makes sure every key exists. Run migrations first.
     */
    async start(schema: GraphQLSchema): Promise<RunningFieldEncryption<TContext>> {
      const registry = checkedStoredColumns(schema, options.tables);
      const keys = transitKeysOf(schema, sealKey);
      const keyAdmin = new KeyAdmin(options.transit, new Set(keys.keys()), registry, options.db);
      const revealLedger = new RevealLedger(options.db, options.transit, sealKey, {
        ...(options.on?.onCheckpointed === undefined ? {} : { onCheckpointed: options.on.onCheckpointed }),
        ...(options.on?.onCheckpointFailed === undefined ? {} : { onCheckpointFailed: options.on.onCheckpointFailed }),
      });
      try {
        await refuseMissingKeyMaterial(options.transit, keyAdmin, [revealLedger.sealKeyUse()]);
        await revealLedger.open();
        await ensureKeys(options.transit, keys, { create: options.createKeys ?? options.transit.kind === 'embedded' });
      } catch (error) {
        await revealLedger.close().catch(() => {});
        throw error;
      }
      const services: EncryptionServices = {
        transit: new TransitBatcher(options.transit, options.batching ?? DEFAULT_BATCHING),
        keyAdmin,
        revealLedger,
        revealAllowance: new RevealAllowance(options.db),
        limits: options.limits ?? { decrypts: 1000, encrypts: 1000 },
        onBudgetRefused: options.on?.onBudgetRefused,
        onRateLimited: options.on?.onRateLimited,
        onAllowanceUnavailable: options.on?.onAllowanceUnavailable,
      };
      const record: RevealRecordOptions<TContext> = {
        ledger: revealLedger,
        collector: (context) => context.reveals,
        reservations: { allowance: services.revealAllowance, of: (context) => context.grantBudgets },
        requester: (context) => ({
          requestId: context.requestId,
          subject: context.subject,
          clientAddress: context.clientAddress,
        }),
        ...(options.on?.onAuditFailure === undefined ? {} : { onAuditFailure: options.on.onAuditFailure }),
        ...(options.on?.onWritten === undefined ? {} : { onWritten: options.on.onWritten }),
      };
      return {
        keyAdmin,
        revealLedger,
        revealAllowance: services.revealAllowance,
        keys,
        context: (caller) => createEncryptionContext(services, caller),
        apolloPlugin: () => revealRecordPlugin<TContext>(record),
        envelopPlugin: () => revealRecordEnvelopPlugin<TContext>(record),
        close: () => revealLedger.close(),
      };
    },
  };
}

export type FieldEncryption<TContext extends EncryptionContext = EncryptionContext> = ReturnType<
  typeof createFieldEncryption<TContext>
>;
