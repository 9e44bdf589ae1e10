/**
 * The PCI DSS v4.0.1 requirements a service that stores, masks and reveals PANs answers to, each with
 * the transitql control that meets it and the tests that prove the control (exact vitest full names:
 * the describe titles and the test title joined by spaces, as the JSON reporter writes them).
 * `npm run evidence` checks every mapped test ran and passed in the run it reads; a test whose name
 * carries a `[PCI <id>]` tag must be mapped under that requirement. Summaries are in our own words.
 */

export const PCI_DSS_VERSION = '4.0.1';

export interface MappedTest {
  /** Relative to the repository root. */
  file: string;
  /** The vitest full name. */
  name: string;
}

export interface Requirement {
  id: string;
  summary: string;
  /** transitql meets it (with the deployer's configuration), or the deployer does and transitql helps. */
  owner: 'transitql' | 'deployer';
  /** The control in transitql; for a deployer's requirement, what transitql provides toward it. */
  control: string;
  tests: MappedTest[];
}

/** The tag a test name carries to claim it proves a requirement: `[PCI 10.2.1.2]`. */
export const PCI_TAG = /\[PCI (\d+(?:\.\d+)*)\]/g;

/** The backend sets a `describe.each(backendSets())` suite runs on, as vitest prints `$name`. */
const SETS = ["['embedded']", "['postgres+openbao']"] as const;

/** A test of a suite that runs on both backend sets: one mapped test per set, both must pass. */
function onBoth(file: string, suite: string, test: string): MappedTest[] {
  return SETS.map((set) => ({ file, name: `${suite} ${set} ${test}` }));
}

/** A test under one exact full name (a suite on one backend set, or none). */
function one(file: string, name: string): MappedTest[] {
  return [{ file, name }];
}

const REVEAL_RECORD = 'test/field-encryption/reveal-record.test.ts';
const ADMIN_RECORD = 'test/field-encryption/admin-record.test.ts';
const ADMIN_SUITE = 'the administrative record: every key and data-directory command';
const LEAST_PRIVILEGE = 'test/integration/vault-least-privilege.test.ts';
const LEAST_PRIVILEGE_SUITE = 'least privilege: setup policies, AppRole, no root token [postgres+openbao]';
const KEY_LIFECYCLE = 'test/integration/key-lifecycle.test.ts';
const KEY_LIFECYCLE_SUITE = 'key lifecycle: rewrap, retire, key versions';
const ORACLE = 'test/blind-index/existence-oracle.test.ts';
const ORACLE_SUITE = 'existence is a reveal: the blind-index oracle';
const FREE_TEXT = 'test/security/free-text.test.ts';
const FREE_TEXT_SUITE = 'free text refuses card numbers in every client-stored string';
const CANARIES = 'test/security/canaries.test.ts';
const JWT = 'test/security/jwt.test.ts';
const JWT_SUITE = "JWT attacks on HS256 with issuer and audience ['embedded']";
const ANCHOR = 'test/field-encryption/reveal-anchor.test.ts';
const ANCHOR_SUITE = 'the reveal record is anchored outside the database';
const CLI = 'test/transit/cli.test.ts';
const CLI_SUITE = 'npm run transit -- setup | rotate | info';

export const PCI_DSS_REQUIREMENTS: readonly Requirement[] = [
  {
    id: '3.2.1',
    summary: 'Keep only the account data the business needs, and be able to delete it',
    owner: 'deployer',
    control:
      'The retention period and its deletion job are the business’s. transitql keeps a PAN in one place only (credit_cards.pan, as transit ciphertext, with its blind index), never in logs, error bodies or the reveal record (which holds record ids, not values); a row deleted there is gone from every answer.',
    tests: [
      ...one(
        'test/api/leak.test.ts',
        "no PAN leaks into logs, error bodies or the database ['embedded'] after the walkthrough and the bad-input cases, no form of any PAN is found",
      ),
      ...one(
        CANARIES,
        "leak canaries ['embedded'] finds no canary, plain or base64, in the logs, the error bodies, the processor output or a dump of the database",
      ),
    ],
  },
  {
    id: '3.3.1',
    summary: 'Store no sensitive authentication data (CVV, track data, PIN) after authorization',
    owner: 'transitql',
    control:
      'The schema has no field for any of it (a card is a name and a PAN); every string a client stores (names, failure messages, and the names it chooses in a document) is refused with BAD_USER_INPUT when it holds a card number, however disguised, so no card data reaches free text.',
    tests: [
      ...one(
        FREE_TEXT,
        'the schema walk finds the free text clients store: names and failure messages (and every string a mutation takes)',
      ),
      ...onBoth(
        FREE_TEXT,
        FREE_TEXT_SUITE,
        'createCreditCard.input.name refuses disguised PANs with BAD_USER_INPUT, stores nothing and echoes nothing',
      ),
      ...onBoth(
        FREE_TEXT,
        FREE_TEXT_SUITE,
        'markCardsFailed.error refuses disguised PANs with BAD_USER_INPUT, stores nothing and echoes nothing',
      ),
    ],
  },
  {
    id: '3.4.1',
    summary: 'Mask the PAN when shown: at most the BIN and last four, the full number only to a need',
    owner: 'transitql',
    control:
      '@decryptFor grants name, per field and role, plaintext (NONE), LAST4 or FIRST6_LAST4; every other role gets the stored ciphertext. @needToKnow narrows a plaintext grant to the records a policy admits (the processor: pending cards only).',
    tests: [
      ...onBoth(
        'test/api/role-matrix.test.ts',
        'role matrix over HTTP',
        "'clerk' reads what the schema allows, through aliases, fragments and inline fragments",
      ),
      ...onBoth(
        'test/api/role-matrix.test.ts',
        'role matrix over HTTP',
        "'support' reads what the schema allows, through aliases, fragments and inline fragments",
      ),
      ...onBoth(
        'test/field-encryption/need-to-know.test.ts',
        'need to know',
        'cards: the processor reads plaintext for pending cards only pending: plaintext; processed and failed: the stored ciphertext, with no error',
      ),
    ],
  },
  {
    id: '3.5.1',
    summary: 'Render the PAN unreadable wherever it is stored',
    owner: 'transitql',
    control:
      'The PAN is encrypted by the transit engine (AES-256-GCM, a key derived per card) before it reaches a resolver or the database; a CHECK constraint refuses anything but transit ciphertext in the column.',
    tests: [
      ...onBoth(CANARIES, 'leak canaries', 'stores every PAN as transit ciphertext'),
      ...onBoth(
        'test/db/card-repository.test.ts',
        'card repository',
        'refuses plaintext at the database too (check constraint)',
      ),
      ...onBoth(
        'test/api/spy-resolver.test.ts',
        'mutation resolvers receive ciphertext only',
        'createCreditCard, createCreditCards and literal inputs hand the repository vault ciphertext',
      ),
    ],
  },
  {
    id: '3.5.1.1',
    summary: 'Hashes of the PAN are keyed cryptographic hashes, with their keys managed like any other',
    owner: 'transitql',
    control:
      'The blind index is a transit HMAC under its own key (card-pan-index), which the API may only HMAC with and the key admin only rotate and retire; each answer that depends on whether a number is on file is a recorded, budgeted reveal (the existence oracle).',
    tests: [
      ...onBoth(
        'test/blind-index/lookup-and-duplicates.test.ts',
        'finding a card by its number: the blind index',
        'the index column leaks nothing: one value per number, never shared, no PAN in any encoding',
      ),
      ...one(
        LEAST_PRIVILEGE,
        `${LEAST_PRIVILEGE_SUITE} the blind-index key: the API may only HMAC with it, the key admin only rotate and configure it`,
      ),
      ...onBoth(
        ORACLE,
        ORACLE_SUITE,
        'duplicate reports (REJECT) over all ~100,000 candidates: only the declared budget gets an answer, and it is recorded',
      ),
      ...onBoth(
        ORACLE,
        ORACLE_SUITE,
        'aliased lookups: past the budget a hit and a miss answer alike, and every answer given is recorded',
      ),
    ],
  },
  {
    id: '3.6.1',
    summary: 'Protect the keys that protect stored account data: few custodians, keys never in the clear',
    owner: 'transitql',
    control:
      'Keys live in the transit engine, non-exportable; the API’s AppRole can encrypt and decrypt but not manage keys, the key admin’s can manage but not decrypt; start-up refuses when stored values need key material that is missing.',
    tests: [
      ...one(
        CLI,
        `${CLI_SUITE} ['postgres+openbao'] info without a key lists every key the schema declares: type, use, derived, exportable, versions`,
      ),
      ...one(LEAST_PRIVILEGE, `${LEAST_PRIVILEGE_SUITE} lets the key-admin token rotate and configure but not decrypt`),
      ...one(
        LEAST_PRIVILEGE,
        `${LEAST_PRIVILEGE_SUITE} refuses the API token a direct rotate (403) and lets it encrypt`,
      ),
    ],
  },
  {
    id: '3.7.1',
    summary: 'Generate strong keys',
    owner: 'transitql',
    control:
      '`npm run transit -- setup` creates each key the schema declares inside the transit engine (aes256-gcm96, derived for encrypted fields, never exportable); it is idempotent.',
    tests: [
      ...one(CLI, `${CLI_SUITE} ['embedded'] sets up the schema keys idempotently, rotates one and reports it`),
      ...one(CLI, `${CLI_SUITE} ['postgres+openbao'] sets up the schema keys idempotently, rotates one and reports it`),
    ],
  },
  {
    id: '3.7.2',
    summary: 'Distribute keys securely',
    owner: 'transitql',
    control:
      'Keys are never distributed: they stay in the transit engine and are used through it. What is handed out are AppRole credentials, written by setup to a 0600 file.',
    tests: [...one(LEAST_PRIVILEGE, `${LEAST_PRIVILEGE_SUITE} writes both roles and their credentials to a 0600 file`)],
  },
  {
    id: '3.7.3',
    summary: 'Store keys securely',
    owner: 'transitql',
    control:
      'In OpenBao (server mode from deploy/openbao: TLS, auto-unseal, audit device), or on the embedded engine in a keyring encrypted under a master key kept in a 0600 file or TRANSIT_MASTER_KEY.',
    tests: [
      ...one(
        'test/transit/embedded-persistence.test.ts',
        'embedded transit engine on disk [embedded] creates the master key file 0600, keeps no raw key material, and decrypts after reopening',
      ),
      ...one(
        'test/transit/embedded-persistence.test.ts',
        'embedded transit engine on disk [embedded] refuses to open with the wrong master key, saying so',
      ),
    ],
  },
  {
    id: '3.7.4',
    summary: 'Change keys at the end of their cryptoperiod',
    owner: 'transitql',
    control:
      'rotate adds a key version (new values use it), rewrap moves every stored value to it online and resumably, inside the transit engine; key versions are counted per stored value.',
    tests: [
      ...onBoth(
        KEY_LIFECYCLE,
        KEY_LIFECYCLE_SUITE,
        'counts stored values per version, rewraps them all to the latest, and only then retires v1',
      ),
      ...onBoth(KEY_LIFECYCLE, KEY_LIFECYCLE_SUITE, 'finishes an interrupted rewrap on the next run, losing nothing'),
    ],
  },
  {
    id: '3.7.5',
    summary: 'Retire or replace keys that are at end of life or suspected compromised',
    owner: 'transitql',
    control:
      'retire raises the minimum decryption version only when no stored value uses an older one; a retired version is refused by the engine, and values under it fail as DECRYPTION_FAILED without echoing anything.',
    tests: [
      ...onBoth(
        KEY_LIFECYCLE,
        KEY_LIFECYCLE_SUITE,
        'refuses to retire a version above the latest, and to lower the minimum',
      ),
      ...onBoth(
        CANARIES,
        'leak canaries',
        'keeps canaries out of decryption failures: a retired key version and tampered ciphertext',
      ),
    ],
  },
  {
    id: '3.7.6',
    summary: 'Manual cleartext key operations use split knowledge and dual control',
    owner: 'deployer',
    control:
      'transitql has no cleartext key operation (keys are non-exportable and never leave the engine). Split knowledge of OpenBao’s unseal or recovery keys is the deployer’s; deploy/openbao auto-unseals from a key the deployer holds.',
    tests: [],
  },
  {
    id: '3.7.7',
    summary: 'Prevent unauthorized substitution of keys',
    owner: 'transitql',
    control:
      'Only the key-admin AppRole may rotate or configure a key (the API’s token is refused); start-up refuses a keyring that lacks versions the stored values use (a substituted or older keyring).',
    tests: [
      ...one(
        LEAST_PRIVILEGE,
        `${LEAST_PRIVILEGE_SUITE} refuses the API token a direct rotate (403) and lets it encrypt`,
      ),
      ...one(
        'test/ownership/missing-keys.test.ts',
        'start-up refuses over stored ciphertext whose key material is missing [embedded] version 2 cut off: npm start and transit setup refuse, nothing is written or generated',
      ),
    ],
  },
  {
    id: '3.6.1.2 / 3.7.8',
    summary: 'Key custodians acknowledge their responsibilities',
    owner: 'deployer',
    control:
      'A procedure of the deployer’s. transitql provides the custodian role (key-admin: a GraphQL role and an AppRole) and records every action it takes (10.2.1.2).',
    tests: [],
  },
  {
    id: '4.2.1',
    summary: 'Strong cryptography for account data on every network hop',
    owner: 'transitql',
    control:
      'To OpenBao over TLS verified against VAULT_CACERT; to PostgreSQL with sslmode=verify-full against DATABASE_CACERT; the compose deployment connects over verified TLS only. (TLS in front of the API is the deployer’s proxy.)',
    tests: [
      ...one(
        'test/integration/vault-tls.test.ts',
        'TLS to OpenBao with VAULT_CACERT [postgres+openbao] encrypts and decrypts over TLS when VAULT_CACERT names the server’s CA',
      ),
      ...one(
        'test/integration/vault-tls.test.ts',
        'TLS to OpenBao with VAULT_CACERT [postgres+openbao] fails with a message naming TLS and VAULT_CACERT when the CA is wrong or missing',
      ),
      ...one(
        'test/db/postgres-tls.test.ts',
        'Postgres over TLS: sslmode=verify-full with DATABASE_CACERT refuses a server whose certificate does not chain to DATABASE_CACERT',
      ),
      ...one(
        'test/deploy/compose.test.ts',
        'docker-compose.yml starts services in order and connects over verified TLS only',
      ),
    ],
  },
  {
    id: '7.2.1',
    summary: 'An access control model covers every component and role',
    owner: 'transitql',
    control:
      'Roles are declared in the SDL (@requireRole on operations, @decryptFor per encrypted field and grant); the role matrix checks every role against every operation and field.',
    tests: [
      ...onBoth(
        'test/api/role-matrix.test.ts',
        'role matrix over HTTP',
        "'clerk' may call only the mutations its roles allow; refused ones write nothing",
      ),
      ...onBoth(
        'test/api/role-matrix.test.ts',
        'role matrix over HTTP',
        "'no token' reads what the schema allows, through aliases, fragments and inline fragments",
      ),
    ],
  },
  {
    id: '7.2.2',
    summary: 'Access by job function, with the least privilege the job needs',
    owner: 'transitql',
    control:
      'clerk writes and reads ciphertext or a mask, support a mask, processor plaintext of pending cards only, key-admin keys but no card value, auditor the reveal record but no value.',
    tests: [
      ...onBoth(
        'test/api/role-matrix.test.ts',
        'role matrix over HTTP',
        "'processor' reads what the schema allows, through aliases, fragments and inline fragments",
      ),
      ...onBoth(
        'test/api/role-matrix.test.ts',
        'role matrix over HTTP',
        "'key-admin' reads what the schema allows, through aliases, fragments and inline fragments",
      ),
      ...onBoth(
        'test/field-encryption/reveal-events-query.test.ts',
        'revealEvents, for the auditor role',
        'answers who read what, filtered and paged; only the auditor may ask, and the auditor reads no card',
      ),
    ],
  },
  {
    id: '7.2.3',
    summary: 'Privileges are approved by authorized personnel',
    owner: 'deployer',
    control:
      'The identity provider that issues tokens (AUTH_JWKS_URL) grants roles; transitql enforces only the roles a token carries and refuses tokens without a roles claim.',
    tests: [...one(JWT, `${JWT_SUITE} rejects a token without the roles claim`)],
  },
  {
    id: '7.2.4',
    summary: 'User accounts and their privileges are reviewed periodically',
    owner: 'deployer',
    control:
      'The review is the deployer’s; the reveal record answers who read what for it (auditor role, `npm run audit -- who-read`).',
    tests: [],
  },
  {
    id: '7.2.5',
    summary: 'Application and system accounts get the least privilege they need',
    owner: 'transitql',
    control:
      '`transit setup` writes two AppRole policies: the API’s (encrypt, decrypt, rewrap, HMAC of the schema’s keys; HMAC only for the blind-index key; the record checkpoint) and the key admin’s (rotate, configure, rewrap; HMAC with the seal key and the checkpoint, to record its actions; never decrypt). The API refuses a root token.',
    tests: [
      ...one(
        LEAST_PRIVILEGE,
        `${LEAST_PRIVILEGE_SUITE} refuses the API token a direct rotate (403) and lets it encrypt`,
      ),
      ...one(LEAST_PRIVILEGE, `${LEAST_PRIVILEGE_SUITE} lets the key-admin token rotate and configure but not decrypt`),
      ...one(LEAST_PRIVILEGE, `${LEAST_PRIVILEGE_SUITE} refuses to start on a root token unless ALLOW_ROOT_TOKEN=true`),
      ...one(
        'test/deploy/openbao-config.test.ts',
        'deploy/openbao/initialize.hcl [embedded] creates every key the schema encrypts with, and writes the policies `transit setup` writes',
      ),
    ],
  },
  {
    id: '7.2.6',
    summary: 'Queries of stored cardholder data are restricted and limited',
    owner: 'transitql',
    control:
      'Plaintext only through a grant; per-request decrypt budgets and rolling-window budgets per grant and subject, shared by every API instance through the reveal record.',
    tests: [
      ...onBoth(
        'test/field-encryption/request-budget.test.ts',
        'per-request budgets, counted as the request runs',
        '15 aliased pages through a fragment and a variable: MAX_DECRYPTS_PER_REQUEST values decrypted, the rest refused',
      ),
      ...onBoth(
        'test/field-encryption/grant-budget.test.ts',
        'rolling-window budget per grant, across API instances',
        'a stolen token firing many concurrent requests at both instances gets no more than the budget',
      ),
    ],
  },
  {
    id: '8.3.1',
    summary: 'Every caller is authenticated',
    owner: 'transitql',
    control:
      'Every request carries a JWT whose signature, algorithm, issuer, audience and lifetime are checked (HS256 or RS256 from a JWKS); algorithm confusion and alg: none are refused.',
    tests: [
      ...one(JWT, `${JWT_SUITE} rejects alg: none`),
      ...one(JWT, `${JWT_SUITE} rejects a token signed with the wrong secret`),
      ...one(JWT, `${JWT_SUITE} rejects a token whose payload was changed after signing`),
      ...one(
        JWT,
        "JWT attacks on JWKS (RS256) ['embedded'] rejects HS256 signed with the public key as the HMAC secret (HS/RS confusion)",
      ),
    ],
  },
  {
    id: '8.3.6',
    summary: 'Authentication secrets are strong',
    owner: 'transitql',
    control:
      'In production AUTH_JWT_SECRET must be random bytes of sufficient estimated entropy and not a string published in the repository; start-up refuses otherwise, naming the rule.',
    tests: [
      ...one(
        'test/foundation/jwt-secrets.test.ts',
        'AUTH_JWT_SECRET in production refuses the development default and names the rule',
      ),
      ...one(
        'test/foundation/jwt-secrets.test.ts',
        'AUTH_JWT_SECRET in production refuses a dictionary phrase as weak, with its estimated entropy',
      ),
    ],
  },
  {
    id: '8.3.9',
    summary: 'Credentials do not live forever',
    owner: 'transitql',
    control:
      'Tokens must expire, within MAX_TOKEN_TTL (24 h by default); tokens without an expiry or living longer are refused. AppRole tokens to OpenBao have a TTL and max TTL and are renewed or replaced.',
    tests: [
      ...one(JWT, `${JWT_SUITE} rejects an expired token`),
      ...one(JWT, `${JWT_SUITE} rejects a token without an expiry`),
      ...onBoth(
        'test/security/token-claims.test.ts',
        'token claims the API insists on',
        'refuses tokens living longer than MAX_TOKEN_TTL (24 h by default), counted from iat or from now',
      ),
      ...one(
        LEAST_PRIVILEGE,
        `${LEAST_PRIVILEGE_SUITE} keeps working past the token TTL and its max TTL (renewal, then a new AppRole login)`,
      ),
    ],
  },
  {
    id: '8.6.2',
    summary: 'No hard-coded passwords or secrets for application and system accounts',
    owner: 'transitql',
    control:
      'The API reaches OpenBao with AppRole credentials from the environment, never a root token by default; the compose file has no JWT secret of its own; the OpenBao deployment keeps no root token anywhere; secrets published in the repository are refused.',
    tests: [
      ...one(
        'test/foundation/jwt-secrets.test.ts',
        'AUTH_JWT_SECRET in production refuses a strong-looking secret that appears in the repository, and names the rule',
      ),
      ...one(
        'test/deploy/compose.test.ts',
        'docker-compose.yml has no usable JWT secret of its own: without AUTH_JWT_SECRET it stops and says how to make one',
      ),
      ...one(LEAST_PRIVILEGE, `${LEAST_PRIVILEGE_SUITE} refuses to start on a root token unless ALLOW_ROOT_TOKEN=true`),
    ],
  },
  {
    id: '8.6.3',
    summary: 'Application account credentials are protected against misuse',
    owner: 'transitql',
    control:
      'A revoked AppRole token is replaced by one new login; a policy’s refusal stands (a fresh token gains nothing).',
    tests: [
      ...one(
        LEAST_PRIVILEGE,
        `${LEAST_PRIVILEGE_SUITE} replaces a token revoked under it with a new AppRole login, and the request that met the revocation succeeds`,
      ),
    ],
  },
  {
    id: '10.2.1.1',
    summary: 'Log every individual access to cardholder data',
    owner: 'transitql',
    control:
      'The reveal record: one entry per request, field and grant whose values left decrypted or masked (and per existence answer), naming the subject and the record ids, written before the response leaves; when it cannot be written, no value leaves.',
    tests: [
      ...onBoth(
        REVEAL_RECORD,
        'the reveal record',
        'one record per request, field and grant, naming who read which records; a ciphertext answer has none',
      ),
      ...onBoth(
        REVEAL_RECORD,
        'the reveal record',
        'audit store unavailable: no plaintext leaves, DECRYPTION_FAILED with reason AUDIT_UNAVAILABLE',
      ),
      ...onBoth(
        'test/field-encryption/responses-match-record.test.ts',
        'every revealed value in a response has its reveal record',
        'creates, lists as each role, masked and processor reads, need-to-know, failures: responses and records agree',
      ),
      ...onBoth(
        ORACLE,
        ORACLE_SUITE,
        "a clerk's own flow still works: a number typed twice is reported on file, and that answer is recorded",
      ),
    ],
  },
  {
    id: '10.2.1.2',
    summary: 'Log every action taken by an administrative account',
    owner: 'transitql',
    control:
      'Every key-lifecycle and data-directory command (setup, rotate, rewrap, reindex, retire, bind, db backup, db restore) from the CLI, and rotateKey/rewrapKey from GraphQL, leaves a sealed entry of kind ADMIN on the reveal record: who (token subject, OS user or --by), what, on which key, when, via which channel and with what outcome; failed and refused attempts too.',
    tests: [
      ...onBoth(
        ADMIN_RECORD,
        ADMIN_SUITE,
        '[PCI 10.2.1.2] each CLI key command leaves a sealed entry: who ran it, what, on which key, how it ended',
      ),
      ...onBoth(ADMIN_RECORD, ADMIN_SUITE, '[PCI 10.2.1.2] db backup and restore are recorded, refused ones too'),
      ...onBoth(
        ADMIN_RECORD,
        ADMIN_SUITE,
        '[PCI 10.2.1.2] rotateKey and rewrapKey through GraphQL are recorded under the token subject, and the auditor reads them',
      ),
      ...one(
        ADMIN_RECORD,
        'the administrative record across a restore: npm run db -- backup, then restore into a fresh directory [embedded] [PCI 10.2.1.2] the source records the backup, the restored directory the restore, each under its operator',
      ),
      ...one(
        LEAST_PRIVILEGE,
        `${LEAST_PRIVILEGE_SUITE} [PCI 10.2.1.2] records the key admin's CLI commands on its own AppRole: it seals the entry and moves the checkpoint, yet still cannot decrypt`,
      ),
    ],
  },
  {
    id: '10.3.2',
    summary: 'Audit logs are protected from modification',
    owner: 'transitql',
    control:
      'Each entry is hash-chained to the one before, and each write sealed by a transit HMAC under a key the database never holds: a database writer can change rows but cannot forge a seal. Without a seal, nothing is revealed.',
    tests: [
      ...onBoth(
        'test/field-encryption/seal-refused.test.ts',
        'the transit HMAC that seals the reveal record is refused',
        'no plaintext or mask leaves: DECRYPTION_FAILED, reason AUDIT_UNAVAILABLE, nothing recorded',
      ),
      ...onBoth(
        'test/field-encryption/seal-rotation.test.ts',
        'rotating the reveal seal key',
        'older records keep verifying under the version that sealed them; a forged seal under any version is still caught',
      ),
    ],
  },
  {
    id: '10.3.3',
    summary: 'Audit logs are kept where they are hard to alter, apart from the system they record',
    owner: 'transitql',
    control:
      'The record’s end is checkpointed outside the database, in the key service (KV v2 with check-and-set on OpenBao, a file beside the keyring on the embedded engine): a cut tail, an emptied record or an older copy put back is named and refused. Shipping copies to the deployer’s log store is the deployer’s.',
    tests: [
      ...onBoth(
        ANCHOR,
        ANCHOR_SUITE,
        'a cut tail: verify names it, the API refuses to chain onto it, and a restart does not absorb it',
      ),
      ...onBoth(ANCHOR, ANCHOR_SUITE, 'an emptied record: named, refused, and still after a restart'),
    ],
  },
  {
    id: '10.3.4',
    summary: 'Changes to audit logs are detected',
    owner: 'transitql',
    control:
      '`npm run audit -- verify` walks the chain, checks every seal and the end against the checkpoint, and names the first entry that does not hold: edited, deleted, reordered or forged, reveal and administrative entries alike.',
    tests: [
      ...onBoth(
        REVEAL_RECORD,
        'the reveal record',
        'tampering in SQL: verify names the first broken record (edit, delete, reorder, forged with a recomputed chain)',
      ),
      ...onBoth(
        ADMIN_RECORD,
        ADMIN_SUITE,
        '[PCI 10.3.4] audit verify names an edited administrative entry, and a deleted one',
      ),
    ],
  },
  {
    id: '6.2.4',
    summary: 'Software is built to resist common attacks: injection, abuse, malformed input',
    owner: 'transitql',
    control:
      'GraphQL abuse limits (depth, aliases, tokens, cost, directives, batching, introspection off in production), bounded strings and bodies, parameterised SQL only, and a fuzzer over HTTP; no input is echoed in an error.',
    tests: [
      ...one(
        'test/security/abuse-limits.test.ts',
        "GraphQL abuse limits in production ['embedded'] refuses a document nested deeper than MAX_QUERY_DEPTH (8)",
      ),
      ...one(
        'test/security/abuse-limits.test.ts',
        "GraphQL abuse limits in production ['embedded'] refuses an operation costing more than MAX_QUERY_COST",
      ),
      ...one(
        'test/security/abuse-limits.test.ts',
        "the bulk size limit comes before encryption ['postgres+openbao'] refuses an oversized bulk create without sending one value to OpenBao",
      ),
      ...onBoth(
        'test/security/oversized-inputs.test.ts',
        'a 2 MB value in any string argument',
        'answers a body over the HTTP limit with 413 at once, echoing nothing',
      ),
      ...onBoth(
        'test/security/fuzz.test.ts',
        'fuzzing the GraphQL API over HTTP',
        'createCreditCard with malformed, huge, control-character and wrong-typed inputs',
      ),
      ...onBoth(
        'test/security/fuzz.test.ts',
        'fuzzing the GraphQL API over HTTP',
        'saw no unhandled rejection and sent every generated input',
      ),
    ],
  },
  {
    id: '9.x / 1.x',
    summary: 'Physical security of the hosts; network segmentation of the cardholder data environment',
    owner: 'deployer',
    control:
      'The deployer’s. transitql answers only the Host names it is told (a rebound name gets 421) and listens on loopback by default.',
    tests: [
      ...onBoth(
        'test/security/host-allow-list.test.ts',
        'the Host allow-list and GraphiQL tokens',
        'answers a rebound name (a foreign Host) with 421 on every route, and no token anywhere',
      ),
    ],
  },
];
