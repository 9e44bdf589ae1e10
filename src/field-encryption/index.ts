/**
 * Field encryption: the package's main entry (`transitql`). The facade (`createFieldEncryption`),
 * directive factories, the Transit interface and its backends, the batcher, the stored-column
 * registry and the key lifecycle. `transitql/drizzle` and `transitql/apollo` hold the drizzle column
 * helpers and tables, and the Apollo plugin; they are re-exported here too.
 * Nothing here knows about cards (or any other app).
 */

export * from './apollo.ts';
export {
  ADMIN_MASK,
  ADMIN_ROLE,
  type AdminAction,
  type AdminCall,
  type AdminOutcome,
  type AdminRecorder,
  durableRecorder,
  recordAdminAction,
  recordedAdminAction,
  recorderOn,
} from './audit/admin-record.ts';
export { CHECKPOINT_FIX, type CheckpointProblemKind } from './audit/checkpoint-problem.ts';
export { GENESIS_HASH } from './audit/reveal-chain.ts';
export { type Reveal, RevealCollector, type RevealGroup } from './audit/reveal-collector.ts';
export {
  type BrokenLink,
  LOSS_ACKNOWLEDGED,
  RecordCutError,
  RevealLedger,
  type RevealLedgerOptions,
  type RevealQuery,
  type RevealRequest,
} from './audit/reveal-ledger.ts';
export {
  EXISTENCE_MASK,
  EXISTENCE_ROLE,
  ExistenceAnswers,
  type FoundRecords,
} from './budget/existence-answers.ts';
export { type BudgetedGrant, GrantBudgets } from './budget/grant-budgets.ts';
export { type BudgetedOperation, RequestBudget, type RequestBudgetLimits } from './budget/request-budget.ts';
export { type GrantUse, RevealAllowance } from './budget/reveal-allowance.ts';
export { describeRollingBudget, parseRollingBudget, type RollingBudget } from './budget/rolling-budget.ts';
export { type Io, runTransitql, TRANSITQL_USAGE } from './cli/run-transitql.ts';
export {
  DEFAULT_CONFIG_FILE,
  declaredSchema,
  loadTransitqlConfig,
  type TransitqlConfig,
} from './cli/transitql-config.ts';
export {
  BLIND_INDEX_DIRECTIVE,
  type BlindIndexDeclaration,
  blindIndexDirective,
  blindIndexKeysOf,
  DEFAULT_EXISTENCE_BUDGET,
  withBlindIndex,
} from './directives/blind-index.ts';
export { withBoundIdentity } from './directives/bound-identity.ts';
export {
  type DecryptForDirectiveOptions,
  decryptForDirective,
  type RevealPolicy,
} from './directives/decrypt-for.ts';
export {
  type Cipher,
  type EncryptedDirectiveOptions,
  type EncryptedObjectField,
  encryptedDirective,
  encryptedObjectFieldsOf,
  encryptionKeysOf,
} from './directives/encrypted.ts';
export { applyMask, type Mask } from './directives/mask.ts';
export { fieldEncryptionDirectivesSdl } from './directives/sdl.ts';
export * from './drizzle.ts';
export { decryptionFailed, encryptionUnavailable, fieldEncryptionError } from './errors.ts';
export { type BindProgress, type BindSummary, bindStoredValues } from './lifecycle/bind.ts';
export { KeyAdmin } from './lifecycle/key-admin.ts';
export { type OtherKeyUse, refuseMissingKeyMaterial } from './lifecycle/missing-key-material.ts';
export { type ReindexProgress, type ReindexSummary, reindexStoredValues } from './lifecycle/reindex.ts';
export { RetireRefusedError, retireVersionsBelow } from './lifecycle/retire.ts';
export { type RewrapProgress, type RewrapSummary, rewrapStoredValues } from './lifecycle/rewrap.ts';
export {
  createFieldEncryption,
  type FieldEncryption,
  type FieldEncryptionOptions,
  type RunningFieldEncryption,
} from './server/create-field-encryption.ts';
export { checkedStoredColumns, REVEAL_SEAL_KEY, transitKeysOf } from './server/declared-keys.ts';
export { fieldEncryptionDirectives } from './server/directives.ts';
export {
  type Caller,
  createEncryptionContext,
  type EncryptionContext,
  type EncryptionServices,
} from './server/request-context.ts';
export { BlindIndexValues } from './storage/blind-index-values.ts';
export { checkDeclarations, DeclarationMismatchError } from './storage/check-declarations.ts';
export { type StoredColumn, StoredColumnRegistry, storedColumnsOf } from './storage/stored-columns.ts';
export { type AnyPgDatabase, StoredValues, type VersionCount } from './storage/stored-values.ts';
export { type BatchingOptions, TransitBatcher } from './transit/batcher.ts';
export { type BlindIndex, blindIndexOf } from './transit/blind-index-of.ts';
export { createTransit } from './transit/create-transit.ts';
export { EmbeddedTransit } from './transit/embedded/embedded-transit.ts';
export { KeyringStore } from './transit/embedded/keyring-store.ts';
export { ensureKeys } from './transit/ensure-keys.ts';
export { InstrumentedTransit, type TransitMetrics } from './transit/instrumented-transit.ts';
export type { Checkpoint, RecordAnchor } from './transit/record-anchor.ts';
export type {
  DecryptItem,
  EncryptItem,
  HmacItem,
  HmacOptions,
  KeyInfo,
  KeyOptions,
  KeySettings,
  Transit,
  TransitErrorCode,
  TransitResult,
} from './transit/transit.ts';
export { TransitError } from './transit/transit.ts';
export type {
  EmbeddedTransitConfig,
  TransitBatchingConfig,
  TransitConfig,
  VaultTransitConfig,
} from './transit/transit-config.ts';
export {
  DEFAULT_BATCHING,
  embeddedTransitConfig,
  type VaultTransitOptions,
  vaultTransitConfig,
} from './transit/transit-defaults.ts';
export { type AppRoleCredentials, KEY_ADMIN_ROLE, writeLeastPrivilege } from './transit/vault/least-privilege.ts';
export { itemsPerRequest } from './transit/vault/request-size.ts';
export { tlsOptions, VaultSession, type VaultSessionOptions } from './transit/vault/vault-session.ts';
export { VaultTransit } from './transit/vault/vault-transit.ts';
export { transitFailureForClient } from './transit-errors.ts';
