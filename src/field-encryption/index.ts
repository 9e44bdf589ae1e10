/**
 * Field encryption: the one entry the rest of the app imports. Directive factories, the Transit
 * interface and its backends, the batcher, the stored-column registry and the key lifecycle.
 * Nothing here knows about cards (or any other app).
 */

export {
  ADMIN_MASK,
  ADMIN_ROLE,
  type AdminAction,
  type AdminCall,
  type AdminOutcome,
  recordAdminAction,
  recordedAdminAction,
} from './audit/admin-record.ts';
export { CHECKPOINT_FIX, type CheckpointProblemKind } from './audit/checkpoint-problem.ts';
export { GENESIS_HASH } from './audit/reveal-chain.ts';
export { type Reveal, RevealCollector, type RevealGroup } from './audit/reveal-collector.ts';
export { type RevealEventRow, revealEvents } from './audit/reveal-events-table.ts';
export {
  type BrokenLink,
  LOSS_ACKNOWLEDGED,
  RecordCutError,
  RevealLedger,
  type RevealLedgerOptions,
  type RevealQuery,
  type RevealRequest,
} from './audit/reveal-ledger.ts';
export { type RevealRecordOptions, revealRecordPlugin } from './audit/reveal-record-plugin.ts';
export {
  EXISTENCE_MASK,
  EXISTENCE_ROLE,
  ExistenceAnswers,
  type FoundRecords,
} from './budget/existence-answers.ts';
export { type BudgetedGrant, GrantBudgets } from './budget/grant-budgets.ts';
export { type BudgetedOperation, RequestBudget, type RequestBudgetLimits } from './budget/request-budget.ts';
export { type GrantUse, RevealAllowance } from './budget/reveal-allowance.ts';
export { revealReservations } from './budget/reveal-reservations-table.ts';
export { describeRollingBudget, parseRollingBudget, type RollingBudget } from './budget/rolling-budget.ts';
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
export { decryptionFailed, encryptionUnavailable, fieldEncryptionError } from './errors.ts';
export { type BindProgress, type BindSummary, bindStoredValues } from './lifecycle/bind.ts';
export { KeyAdmin } from './lifecycle/key-admin.ts';
export { type OtherKeyUse, refuseMissingKeyMaterial } from './lifecycle/missing-key-material.ts';
export { type ReindexProgress, type ReindexSummary, reindexStoredValues } from './lifecycle/reindex.ts';
export { RetireRefusedError, retireVersionsBelow } from './lifecycle/retire.ts';
export { type RewrapProgress, type RewrapSummary, rewrapStoredValues } from './lifecycle/rewrap.ts';
export { BlindIndexValues } from './storage/blind-index-values.ts';
export { checkDeclarations, DeclarationMismatchError } from './storage/check-declarations.ts';
export { type StoredColumn, StoredColumnRegistry, storedColumnsOf } from './storage/stored-columns.ts';
export { type AnyPgDatabase, StoredValues, type VersionCount } from './storage/stored-values.ts';
export { transitBlindIndex } from './storage/transit-blind-index.ts';
export { transitCiphertext, transitCiphertextConstraints } from './storage/transit-ciphertext.ts';
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
export { type AppRoleCredentials, KEY_ADMIN_ROLE, writeLeastPrivilege } from './transit/vault/least-privilege.ts';
export { itemsPerRequest } from './transit/vault/request-size.ts';
export { tlsOptions, VaultSession, type VaultSessionOptions } from './transit/vault/vault-session.ts';
export { VaultTransit } from './transit/vault/vault-transit.ts';
export { transitFailureForClient } from './transit-errors.ts';
