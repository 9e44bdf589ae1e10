import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { Card } from '../../cards/card.ts';
import type { KeyInfo, RevealEventRow } from '../../field-encryption/index.ts';
import type { Context } from '../../context.ts';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A cardholder name: 1 to 256 characters, no NUL, no card number however it is written (12 to 19 digits passing the Luhn check, with any separators, in any script: a card number belongs in `pan`). Refused with BAD_USER_INPUT before anything is encrypted. */
  CardholderName: { input: string; output: string; }
  /** An ISO-8601 timestamp, e.g. 2026-11-27T14:05:00.000Z. */
  DateTime: { input: Date; output: Date; }
  /**
   * A primary account number: 12 to 19 digits with a valid Luhn check digit; spaces and dashes are
   * tolerated and removed. Invalid numbers fail with BAD_USER_INPUT and are never echoed back.
   */
  PAN: { input: string; output: string; }
};

export type CardStatus =
  /** Processing failed too often; kept for inspection. */
  | 'FAILED'
  /** Waiting for the card processor. */
  | 'PENDING'
  /** Processed by the card processor. */
  | 'PROCESSED';

/**
 * A credit card. The PAN is stored only as transit ciphertext; what a caller reads depends on the
 * roles in their token (see @decryptFor on `pan`).
 */
export type CreditCard = {
  __typename?: 'CreditCard';
  /** How many times processing of this card failed. */
  attempts: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** Stable identifier, a UUID. */
  id: Scalars['ID']['output'];
  /** Why the last processing attempt failed, as the processor reported it; null if none failed. */
  lastError: Maybe<Scalars['String']['output']>;
  /** Cardholder name, as given. */
  name: Scalars['String']['output'];
  /** The card number, as the caller's roles allow (below). Null only when decryption failed: the error says why, with code DECRYPTION_FAILED. */
  pan: Maybe<Scalars['String']['output']>;
  /** Version of the transit key the PAN is encrypted with (the N in vault:vN:). */
  panKeyVersion: Scalars['Int']['output'];
  /** When the card processor marked the card processed; null until then. */
  processedAt: Maybe<Scalars['DateTime']['output']>;
  /** Where the card is in processing; the card processor moves it from PENDING on. */
  status: CardStatus;
  updatedAt: Scalars['DateTime']['output'];
};

/** A page of cards, oldest first. */
export type CreditCardConnection = {
  __typename?: 'CreditCardConnection';
  /** The cards of this page; each card's pan is what the caller's roles allow (see CreditCard.pan). */
  nodes: Array<CreditCard>;
  pageInfo: PageInfo;
};

/** A new card. The PAN is validated (12-19 digits, Luhn check) and encrypted before it is stored. */
export type CreditCardInput = {
  /** Cardholder name. */
  name: Scalars['CardholderName']['input'];
  /** Card number; spaces and dashes are allowed. Stored encrypted, with its keyed blind index (HMAC under card-pan-index) to find it by. */
  pan: Scalars['PAN']['input'];
};

/** What part of a decrypted value a role may see. */
export type DecryptMask =
  /** First six and last four characters kept, as card receipts show: 453929******1157. */
  | 'FIRST6_LAST4'
  /** Everything but the last four characters masked: ************1157. */
  | 'LAST4'
  /** The whole plaintext. */
  | 'NONE';

/** How many stored values are encrypted under one version of a key. */
export type KeyVersionUsage = {
  __typename?: 'KeyVersionUsage';
  storedValues: Scalars['Int']['output'];
  version: Scalars['Int']['output'];
};

/** The authenticated caller. */
export type Me = {
  __typename?: 'Me';
  roles: Array<Scalars['String']['output']>;
  subject: Scalars['String']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Claim up to `limit` pending cards, oldest first, for the caller (the token's subject) for
   * `leaseSeconds`. A card is claimable when it has no claim or its claim (or retry delay) has
   * expired; cards claimed by a concurrent call are skipped, so each card goes to one claimant.
   * If the holder dies, the card becomes claimable again when the lease expires. When `pan` is
   * selected, no more cards are claimed than the request's decrypt budget (MAX_DECRYPTS_PER_REQUEST,
   * all aliases together) can still reveal: none once it is spent.
   */
  claimCards: Array<CreditCard>;
  /** Store a card. The answer carries the PAN as stored: vault:v<N>:... ciphertext. */
  createCreditCard: CreditCard;
  /**
   * Store several cards in one transaction: all are written, or none (at most 1000 by default).
   * Duplicates within the batch and against the cards on file are handled as `onDuplicate` says.
   */
  createCreditCards: Array<CreditCard>;
  /**
   * Record a failed processing attempt on cards claimed by the caller: `error` (1 to 1000 characters) is kept in lastError
   * (an error holding a card number or a NUL, however written, is refused with BAD_USER_INPUT), attempts is incremented and the claim cleared. The card is
   * retried after `retryAfterSeconds`; once attempts reaches `maxAttempts` it moves to FAILED.
   * Answers the cards that changed.
   */
  markCardsFailed: Array<CreditCard>;
  /**
   * Mark cards processed and clear their claim. Only pending cards claimed by the caller change (an
   * expired claim still counts if no one else has claimed the card since); answers the cards that changed.
   */
  markCardsProcessed: Array<CreditCard>;
  /**
   * Hand claimed cards back unprocessed (e.g. the processor is stopping): the claim is cleared and no
   * attempt is counted. Only cards claimed by the caller change; answers the cards that changed.
   */
  releaseCards: Array<CreditCard>;
  /**
   * Re-encrypt every stored value under the key's latest version inside the key management system
   * (plaintext never leaves it). Safe to run while the API serves, and to rerun after an interruption.
   */
  rewrapKey: RewrapSummary;
  /** Rotate a key: new values use a new version; older values stay readable. */
  rotateKey: TransitKey;
};


export type MutationClaimCardsArgs = {
  leaseSeconds?: InputMaybe<Scalars['Int']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationCreateCreditCardArgs = {
  input: CreditCardInput;
  onDuplicate?: InputMaybe<OnDuplicate>;
};


export type MutationCreateCreditCardsArgs = {
  inputs: Array<CreditCardInput>;
  onDuplicate?: InputMaybe<OnDuplicate>;
};


export type MutationMarkCardsFailedArgs = {
  error: Scalars['String']['input'];
  ids: Array<Scalars['ID']['input']>;
  maxAttempts?: InputMaybe<Scalars['Int']['input']>;
  retryAfterSeconds?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationMarkCardsProcessedArgs = {
  ids: Array<Scalars['ID']['input']>;
};


export type MutationReleaseCardsArgs = {
  ids: Array<Scalars['ID']['input']>;
};


export type MutationRewrapKeyArgs = {
  name: Scalars['String']['input'];
};


export type MutationRotateKeyArgs = {
  name: Scalars['String']['input'];
};

/**
 * What a create does with a card whose number is already on file (found by its blind index, never by
 * decrypting). REJECT and RETURN_EXISTING answer whether each number is on file: each number counts
 * against the existence budget of `CreditCardInput.pan` (1000 a day per caller) and is recorded in the
 * reveal record; past the budget the create fails with RATE_LIMITED and stores nothing. ALLOW does not.
 */
export type OnDuplicate =
  /** Store it anyway: several cards may hold one number. */
  | 'ALLOW'
  /**
   * Store nothing and fail with code DUPLICATE; the error names the card on file (extensions.existingId)
   * and, for a bulk create, every duplicate (extensions.duplicates: index in the batch, and the id on file
   * or the earlier index in the same batch).
   */
  | 'REJECT'
  /** Store only the new numbers; answer the card already on file (or the earlier one in the same batch) in place of each duplicate. */
  | 'RETURN_EXISTING';

/** Where a page ends and whether another follows. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Pass as `after` to read the next page. */
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** One card by id, or null. */
  creditCard: Maybe<CreditCard>;
  /**
   * Cards oldest first, `first` at a time: 50 (or the server's page size limit, if lower) when not
   * given, at most the server's page size limit (1000 by default).
   */
  creditCards: CreditCardConnection;
  /**
   * The cards holding this number (spaces and dashes allowed), oldest first, at most the server's page
   * size limit: found by the number's keyed blind index (an HMAC), without decrypting anything. Each card's
   * pan is what the caller's roles allow (see CreditCard.pan): a clerk still reads ciphertext. An invalid
   * number fails with BAD_USER_INPUT and is never echoed. Whether a number is on file is itself a reveal:
   * each lookup (hit or miss, every alias) is recorded in the reveal record and counted against the
   * caller's budget of 200 numbers an hour; past it the answer is RATE_LIMITED, on file or not.
   */
  creditCardsByPan: Array<CreditCard>;
  /** Answers ok when the API is up; needs no token. */
  health: Scalars['String']['output'];
  /** How many stored values use each version of a key, oldest version first. */
  keyVersions: Array<KeyVersionUsage>;
  /** The caller as the API sees them: subject and roles from the token. */
  me: Maybe<Me>;
  /**
   * The reveal record, oldest first, `first` at a time (50 unless given, at most the page size limit),
   * optionally only one subject's reveals, one record's, or those since a time. For the auditor role,
   * which no @decryptFor grants: it can read who read what, never a value.
   */
  revealEvents: RevealEventConnection;
  /** A transit key used by this schema (e.g. card-pan). */
  transitKey: TransitKey;
  /** The pending cards claimCards cannot take now: leased, or waiting to be retried. */
  waitingCards: WaitingCards;
};


export type QueryCreditCardArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCreditCardsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<CardStatus>;
};


export type QueryCreditCardsByPanArgs = {
  pan: Scalars['PAN']['input'];
};


export type QueryKeyVersionsArgs = {
  key: Scalars['String']['input'];
};


export type QueryRevealEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  recordId?: InputMaybe<Scalars['ID']['input']>;
  since?: InputMaybe<Scalars['DateTime']['input']>;
  subject?: InputMaybe<Scalars['String']['input']>;
};


export type QueryTransitKeyArgs = {
  name: Scalars['String']['input'];
};

/**
 * One entry of the reveal record: the values of one field that one request received decrypted or
 * masked under one grant, or the values it asked about whose answer depended on whether they are on
 * file (kind EXISTENCE); or one administrative action on keys or the data directory (kind ADMIN). Written
 * before the response was sent; tamper-evident (see `npm run audit -- verify`).
 */
export type RevealEvent = {
  __typename?: 'RevealEvent';
  at: Scalars['DateTime']['output'];
  clientAddress: Maybe<Scalars['String']['output']>;
  /** How many values were revealed, or asked about. */
  count: Scalars['Int']['output'];
  /** The field revealed, as Type.field (Type.field.argument or Input.field for an existence answer). */
  field: Scalars['String']['output'];
  /** Transit key the values were encrypted under (the blind-index key for an existence answer). */
  key: Scalars['String']['output'];
  /** What was revealed: values, or whether values are on file. */
  kind: RevealKind;
  /** Mask of the grant used: NONE is the plaintext; null for an existence answer or an administrative action. */
  mask: Maybe<DecryptMask>;
  operation: Maybe<Scalars['String']['output']>;
  /** Identities of the records revealed (e.g. card ids); for an existence answer, the records that matched. */
  recordIds: Array<Scalars['ID']['output']>;
  requestId: Scalars['String']['output'];
  /** Role of the grant used; * for an existence answer (any caller allowed to ask); admin for an administrative action. */
  role: Scalars['String']['output'];
  /** Position in the record (and the hash chain). */
  seq: Scalars['ID']['output'];
  /** The token's subject. */
  subject: Scalars['String']['output'];
};

/** A page of the reveal record, oldest first. */
export type RevealEventConnection = {
  __typename?: 'RevealEventConnection';
  nodes: Array<RevealEvent>;
  pageInfo: PageInfo;
};

/** What one entry of the reveal record records. */
export type RevealKind =
  /**
   * An administrative action (rotate, rewrap, retire, reindex, bind, setup, backup, restore) from the CLI
   * or GraphQL: field names the action (key.rotate), key the key, subject the caller, operation
   * {via, outcome, details} as JSON. No value is revealed (count 0).
   */
  | 'ADMIN'
  /** Answers that depended on whether values are on file (lookups, duplicate checks): a reveal too. */
  | 'EXISTENCE'
  /** Values read decrypted or masked. */
  | 'VALUE';

/** The outcome of moving a key's stored values to its latest version. */
export type RewrapSummary = {
  __typename?: 'RewrapSummary';
  /** Values the key management system could not rewrap, left as they were. */
  failed: Scalars['Int']['output'];
  key: Scalars['String']['output'];
  latestVersion: Scalars['Int']['output'];
  rewrapped: Scalars['Int']['output'];
  seconds: Scalars['Float']['output'];
  /** Values changed by another writer meanwhile, left as that writer stored them. */
  skipped: Scalars['Int']['output'];
  /** Values older than the latest version when the rewrap started. */
  total: Scalars['Int']['output'];
};

/** A transit key the schema encrypts with, as the key management system reports it. */
export type TransitKey = {
  __typename?: 'TransitKey';
  latestVersion: Scalars['Int']['output'];
  /** Ciphertext older than this version can no longer be decrypted. */
  minDecryptionVersion: Scalars['Int']['output'];
  /** 0 means new values always use the latest version. */
  minEncryptionVersion: Scalars['Int']['output'];
  name: Scalars['String']['output'];
  versions: Array<TransitKeyVersion>;
};

export type TransitKeyVersion = {
  __typename?: 'TransitKeyVersion';
  createdAt: Scalars['DateTime']['output'];
  version: Scalars['Int']['output'];
};

/** Pending cards no claim can take now, which is why claimCards may answer none while cards are pending. */
export type WaitingCards = {
  __typename?: 'WaitingCards';
  /** When the first of those leases runs out; null when none is leased. */
  firstLeaseEndsAt: Maybe<Scalars['DateTime']['output']>;
  /** When the first of those may be retried; null when none waits. */
  firstRetryAt: Maybe<Scalars['DateTime']['output']>;
  /** Pending cards under a live lease from an earlier claimCards (another processor's, or one made in GraphiQL). */
  leased: Scalars['Int']['output'];
  /** Pending cards waiting out the retry delay after a failed attempt (markCardsFailed). */
  retrying: Scalars['Int']['output'];
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = {}, TContext = {}, TArgs = {}> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = {}, TContext = {}, TArgs = {}> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = {}, TContext = {}> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = {}, TContext = {}> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = {}, TParent = {}, TContext = {}, TArgs = {}> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  CardStatus: CardStatus;
  CardholderName: ResolverTypeWrapper<Scalars['CardholderName']['output']>;
  CreditCard: ResolverTypeWrapper<Card>;
  CreditCardConnection: ResolverTypeWrapper<Omit<CreditCardConnection, 'nodes'> & { nodes: Array<ResolversTypes['CreditCard']> }>;
  CreditCardInput: CreditCardInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DecryptMask: DecryptMask;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  KeyVersionUsage: ResolverTypeWrapper<KeyVersionUsage>;
  Me: ResolverTypeWrapper<Me>;
  Mutation: ResolverTypeWrapper<{}>;
  OnDuplicate: OnDuplicate;
  PAN: ResolverTypeWrapper<Scalars['PAN']['output']>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<{}>;
  RevealEvent: ResolverTypeWrapper<RevealEventRow>;
  RevealEventConnection: ResolverTypeWrapper<Omit<RevealEventConnection, 'nodes'> & { nodes: Array<ResolversTypes['RevealEvent']> }>;
  RevealKind: RevealKind;
  RewrapSummary: ResolverTypeWrapper<RewrapSummary>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  TransitKey: ResolverTypeWrapper<KeyInfo>;
  TransitKeyVersion: ResolverTypeWrapper<TransitKeyVersion>;
  WaitingCards: ResolverTypeWrapper<WaitingCards>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Boolean: Scalars['Boolean']['output'];
  CardholderName: Scalars['CardholderName']['output'];
  CreditCard: Card;
  CreditCardConnection: Omit<CreditCardConnection, 'nodes'> & { nodes: Array<ResolversParentTypes['CreditCard']> };
  CreditCardInput: CreditCardInput;
  DateTime: Scalars['DateTime']['output'];
  Float: Scalars['Float']['output'];
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  KeyVersionUsage: KeyVersionUsage;
  Me: Me;
  Mutation: {};
  PAN: Scalars['PAN']['output'];
  PageInfo: PageInfo;
  Query: {};
  RevealEvent: RevealEventRow;
  RevealEventConnection: Omit<RevealEventConnection, 'nodes'> & { nodes: Array<ResolversParentTypes['RevealEvent']> };
  RewrapSummary: RewrapSummary;
  String: Scalars['String']['output'];
  TransitKey: KeyInfo;
  TransitKeyVersion: TransitKeyVersion;
  WaitingCards: WaitingCards;
};

export type BlindIndexDirectiveArgs = {
  existenceBudget?: Maybe<Scalars['String']['input']>;
  key: Scalars['String']['input'];
};

export type BlindIndexDirectiveResolver<Result, Parent, ContextType = Context, Args = BlindIndexDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type DecryptForDirectiveArgs = {
  budget?: Maybe<Scalars['String']['input']>;
  mask?: Maybe<DecryptMask>;
  policy?: Maybe<Scalars['String']['input']>;
  role: Scalars['String']['input'];
};

export type DecryptForDirectiveResolver<Result, Parent, ContextType = Context, Args = DecryptForDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type EncryptedDirectiveArgs = {
  bindTo?: Maybe<Scalars['String']['input']>;
  key: Scalars['String']['input'];
  unboundKey?: Maybe<Scalars['String']['input']>;
};

export type EncryptedDirectiveResolver<Result, Parent, ContextType = Context, Args = EncryptedDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type MaxItemsDirectiveArgs = {
  n?: Maybe<Scalars['Int']['input']>;
};

export type MaxItemsDirectiveResolver<Result, Parent, ContextType = Context, Args = MaxItemsDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type MaxLengthDirectiveArgs = {
  n: Scalars['Int']['input'];
};

export type MaxLengthDirectiveResolver<Result, Parent, ContextType = Context, Args = MaxLengthDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type RequireRoleDirectiveArgs = {
  anyOf: Array<Scalars['String']['input']>;
};

export type RequireRoleDirectiveResolver<Result, Parent, ContextType = Context, Args = RequireRoleDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export interface CardholderNameScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['CardholderName'], any> {
  name: 'CardholderName';
}

export type CreditCardResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CreditCard'] = ResolversParentTypes['CreditCard']> = {
  attempts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastError?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  pan?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  panKeyVersion?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  processedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['CardStatus'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type CreditCardConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CreditCardConnection'] = ResolversParentTypes['CreditCardConnection']> = {
  nodes?: Resolver<Array<ResolversTypes['CreditCard']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type KeyVersionUsageResolvers<ContextType = Context, ParentType extends ResolversParentTypes['KeyVersionUsage'] = ResolversParentTypes['KeyVersionUsage']> = {
  storedValues?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type MeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Me'] = ResolversParentTypes['Me']> = {
  roles?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  subject?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  claimCards?: Resolver<Array<ResolversTypes['CreditCard']>, ParentType, ContextType, RequireFields<MutationClaimCardsArgs, 'leaseSeconds' | 'limit'>>;
  createCreditCard?: Resolver<ResolversTypes['CreditCard'], ParentType, ContextType, RequireFields<MutationCreateCreditCardArgs, 'input' | 'onDuplicate'>>;
  createCreditCards?: Resolver<Array<ResolversTypes['CreditCard']>, ParentType, ContextType, RequireFields<MutationCreateCreditCardsArgs, 'inputs' | 'onDuplicate'>>;
  markCardsFailed?: Resolver<Array<ResolversTypes['CreditCard']>, ParentType, ContextType, RequireFields<MutationMarkCardsFailedArgs, 'error' | 'ids' | 'maxAttempts' | 'retryAfterSeconds'>>;
  markCardsProcessed?: Resolver<Array<ResolversTypes['CreditCard']>, ParentType, ContextType, RequireFields<MutationMarkCardsProcessedArgs, 'ids'>>;
  releaseCards?: Resolver<Array<ResolversTypes['CreditCard']>, ParentType, ContextType, RequireFields<MutationReleaseCardsArgs, 'ids'>>;
  rewrapKey?: Resolver<ResolversTypes['RewrapSummary'], ParentType, ContextType, RequireFields<MutationRewrapKeyArgs, 'name'>>;
  rotateKey?: Resolver<ResolversTypes['TransitKey'], ParentType, ContextType, RequireFields<MutationRotateKeyArgs, 'name'>>;
};

export interface PanScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['PAN'], any> {
  name: 'PAN';
}

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  creditCard?: Resolver<Maybe<ResolversTypes['CreditCard']>, ParentType, ContextType, RequireFields<QueryCreditCardArgs, 'id'>>;
  creditCards?: Resolver<ResolversTypes['CreditCardConnection'], ParentType, ContextType, Partial<QueryCreditCardsArgs>>;
  creditCardsByPan?: Resolver<Array<ResolversTypes['CreditCard']>, ParentType, ContextType, RequireFields<QueryCreditCardsByPanArgs, 'pan'>>;
  health?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  keyVersions?: Resolver<Array<ResolversTypes['KeyVersionUsage']>, ParentType, ContextType, RequireFields<QueryKeyVersionsArgs, 'key'>>;
  me?: Resolver<Maybe<ResolversTypes['Me']>, ParentType, ContextType>;
  revealEvents?: Resolver<ResolversTypes['RevealEventConnection'], ParentType, ContextType, Partial<QueryRevealEventsArgs>>;
  transitKey?: Resolver<ResolversTypes['TransitKey'], ParentType, ContextType, RequireFields<QueryTransitKeyArgs, 'name'>>;
  waitingCards?: Resolver<ResolversTypes['WaitingCards'], ParentType, ContextType>;
};

export type RevealEventResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RevealEvent'] = ResolversParentTypes['RevealEvent']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  clientAddress?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  field?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  key?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['RevealKind'], ParentType, ContextType>;
  mask?: Resolver<Maybe<ResolversTypes['DecryptMask']>, ParentType, ContextType>;
  operation?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  recordIds?: Resolver<Array<ResolversTypes['ID']>, ParentType, ContextType>;
  requestId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  role?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  seq?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  subject?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type RevealEventConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RevealEventConnection'] = ResolversParentTypes['RevealEventConnection']> = {
  nodes?: Resolver<Array<ResolversTypes['RevealEvent']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type RewrapSummaryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RewrapSummary'] = ResolversParentTypes['RewrapSummary']> = {
  failed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  key?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  latestVersion?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  rewrapped?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  seconds?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  skipped?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  total?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type TransitKeyResolvers<ContextType = Context, ParentType extends ResolversParentTypes['TransitKey'] = ResolversParentTypes['TransitKey']> = {
  latestVersion?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  minDecryptionVersion?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  minEncryptionVersion?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  versions?: Resolver<Array<ResolversTypes['TransitKeyVersion']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type TransitKeyVersionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['TransitKeyVersion'] = ResolversParentTypes['TransitKeyVersion']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type WaitingCardsResolvers<ContextType = Context, ParentType extends ResolversParentTypes['WaitingCards'] = ResolversParentTypes['WaitingCards']> = {
  firstLeaseEndsAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  firstRetryAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  leased?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  retrying?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type Resolvers<ContextType = Context> = {
  CardholderName?: GraphQLScalarType;
  CreditCard?: CreditCardResolvers<ContextType>;
  CreditCardConnection?: CreditCardConnectionResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  KeyVersionUsage?: KeyVersionUsageResolvers<ContextType>;
  Me?: MeResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PAN?: GraphQLScalarType;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  RevealEvent?: RevealEventResolvers<ContextType>;
  RevealEventConnection?: RevealEventConnectionResolvers<ContextType>;
  RewrapSummary?: RewrapSummaryResolvers<ContextType>;
  TransitKey?: TransitKeyResolvers<ContextType>;
  TransitKeyVersion?: TransitKeyVersionResolvers<ContextType>;
  WaitingCards?: WaitingCardsResolvers<ContextType>;
};

export type DirectiveResolvers<ContextType = Context> = {
  blindIndex?: BlindIndexDirectiveResolver<any, any, ContextType>;
  decryptFor?: DecryptForDirectiveResolver<any, any, ContextType>;
  encrypted?: EncryptedDirectiveResolver<any, any, ContextType>;
  maxItems?: MaxItemsDirectiveResolver<any, any, ContextType>;
  maxLength?: MaxLengthDirectiveResolver<any, any, ContextType>;
  requireRole?: RequireRoleDirectiveResolver<any, any, ContextType>;
};
