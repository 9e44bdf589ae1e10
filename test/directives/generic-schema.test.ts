import fs from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, type GraphQLSchema, parse } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { maxItemsDirective } from '../../src/directives/max-items.ts';
import {
  createTransit,
  decryptForDirective,
  encryptedDirective,
  type Transit,
  TransitBatcher,
} from '../../src/field-encryption/index.ts';
import { directives } from '../../src/graphql/build-schema.ts';

interface TestContext {
  transit: TransitBatcher;
  roles: ReadonlySet<string>;
}
const sealed = encryptedDirective<TestContext>({ name: 'sealed', cipher: (context) => context.transit });
const revealTo = decryptForDirective<TestContext>({
  name: 'revealTo',
  encryptedDirectiveName: 'sealed',
  cipher: (context) => context.transit,
  roles: (context) => context.roles,
});
const KEYS = ['medical', 'contact', 'identity', 'banking'];

const typeDefs = `
type Patient {
  id: ID!
  name: String!
  diagnosis: String @sealed(key: "medical") @revealTo(role: "doctor") @revealTo(role: "nurse", mask: LAST4)
  allergies: [String] @sealed(key: "medical") @revealTo(role: "doctor")
}
type Account {
  owner: String!
  iban: String @sealed(key: "banking") @revealTo(role: "auditor", mask: FIRST6_LAST4) @revealTo(role: "owner")
}
input ContactInput {
  label: String!
  phone: String! @sealed(key: "contact")
}
input PatientInput {
  name: String!
  diagnosis: String! @sealed(key: "medical")
  allergies: [String!] @sealed(key: "medical")
  emergency: ContactInput
  contacts: [ContactInput!]
}
type Query {
  patient(id: ID!): Patient
  account(ssn: String! @sealed(key: "identity")): Account
}
type Mutation {
  admitPatients(inputs: [PatientInput!]!): [Patient!]!
}
`;

interface ContactArg {
  label: string;
  phone: string;
}
interface PatientArg {
  name: string;
  diagnosis: string;
  allergies?: string[];
  emergency?: ContactArg;
  contacts?: ContactArg[];
}

/** What the resolvers were handed: the point of the test is that it is ciphertext only. */
const received: { patients: PatientArg[]; ssn: string[] } = { patients: [], ssn: [] };
const stored = new Map<string, { id: string; name: string; diagnosis: string; allergies: string[] | null }>();
const accounts = new Map<string, { owner: string; iban: string }>();

function buildTestSchema(sdl = typeDefs): GraphQLSchema {
  const schema = makeExecutableSchema({
    typeDefs: [sealed.typeDefs, revealTo.typeDefs, sdl],
    resolvers: {
      Query: {
        patient: (_: unknown, { id }: { id: string }) => stored.get(id) ?? null,
        account: (_: unknown, { ssn }: { ssn: string }) => {
          received.ssn.push(ssn);
          return accounts.get('the-account') ?? null;
        },
      },
      Mutation: {
        admitPatients: (_: unknown, { inputs }: { inputs: PatientArg[] }) => {
          received.patients.push(...inputs);
          return inputs.map((input, index) => {
            const patient = {
              id: `p${stored.size + index}`,
              name: input.name,
              diagnosis: input.diagnosis,
              allergies: input.allergies ?? null,
            };
            stored.set(patient.id, patient);
            return patient;
          });
        },
      },
    },
  });
  return revealTo.transformer(sealed.transformer(schema));
}

/** An embedded transit engine whose keyring lives in memory only. */
function memoryTransit(): Transit {
  return createTransit({
    kind: 'embedded',
    keyDir: undefined,
    masterKey: undefined,
    masterKeyFile: undefined,
    batching: { batchSize: 250, concurrency: 4, enabled: true, windowMs: 0 },
  });
}

describe('the directive transforms on a schema that is not about cards [embedded]', () => {
  let transit: Transit;
  let batcher: TransitBatcher;
  let schema: GraphQLSchema;
  let encryptCalls: Array<{ key: string; items: number }>;

  const run = async (source: string, roles: string[] = [], variableValues?: Record<string, unknown>) =>
    execute({
      schema,
      document: parse(source),
      contextValue: { transit: batcher, roles: new Set(roles) },
      ...(variableValues === undefined ? {} : { variableValues }),
    });

  const decrypt = async (key: string, ciphertext: string) => {
    const [result] = await transit.decrypt(key, [{ ciphertext }]);
    return result?.ok === true ? result.value.toString('utf8') : result?.error.code;
  };

  beforeAll(async () => {
    transit = memoryTransit();
    for (const key of KEYS) await transit.createKey(key);
    await transit.rotateKey('banking');
    const encrypt = transit.encrypt.bind(transit);
    // Counts the real engine's batch calls; every call still goes to the engine.
    transit.encrypt = async (key, items) => {
      encryptCalls.push({ key, items: items.length });
      return encrypt(key, items);
    };
    batcher = new TransitBatcher(transit, { enabled: true, windowMs: 0, batchSize: 250 });
    schema = buildTestSchema();
  });
  afterAll(async () => {
    await transit?.close();
  });
  beforeEach(() => {
    encryptCalls = [];
    received.patients.length = 0;
    received.ssn.length = 0;
  });

  it('hands the resolver ciphertext under the right key for nested inputs, lists and lists of inputs', async () => {
    const plaintexts = {
      diagnosis: 'asthma, mild',
      allergies: ['penicillin', 'latex'],
      emergencyPhone: '+54 11 5555 0101',
      contactPhones: ['+54 11 5555 0202', '+54 11 5555 0303'],
    };
    const result = await run(
      `mutation Admit($second: PatientInput!) {
        admitPatients(inputs: [
          {
            name: "Ana"
            diagnosis: "${plaintexts.diagnosis}"
            allergies: ["penicillin", "latex"]
            emergency: { label: "mother", phone: "${plaintexts.emergencyPhone}" }
            contacts: [{ label: "home", phone: "${plaintexts.contactPhones[0]}" }, { label: "work", phone: "${plaintexts.contactPhones[1]}" }]
          }
          $second
        ]) { id name }
      }`,
      [],
      { second: { name: 'Bruno', diagnosis: 'fracture', allergies: [] } },
    );
    expect(result.errors).toBeUndefined();
    expect(received.patients).toHaveLength(2);
    const [ana, bruno] = received.patients as [PatientArg, PatientArg];

    const everyLeaf = [
      ana.diagnosis,
      ...(ana.allergies ?? []),
      ana.emergency?.phone ?? '',
      ...(ana.contacts ?? []).map((contact) => contact.phone),
      bruno.diagnosis,
    ];
    for (const leaf of everyLeaf) expect(leaf).toMatch(/^vault:v1:/);
    expect(ana.name).toBe('Ana');
    expect(ana.emergency?.label).toBe('mother');
    expect(ana.contacts?.map((contact) => contact.label)).toEqual(['home', 'work']);
    expect(bruno.allergies).toEqual([]);

    expect(await decrypt('medical', ana.diagnosis)).toBe(plaintexts.diagnosis);
    expect(await Promise.all((ana.allergies ?? []).map((value) => decrypt('medical', value)))).toEqual(
      plaintexts.allergies,
    );
    expect(await decrypt('contact', ana.emergency?.phone ?? '')).toBe(plaintexts.emergencyPhone);
    expect(await Promise.all((ana.contacts ?? []).map((contact) => decrypt('contact', contact.phone)))).toEqual(
      plaintexts.contactPhones,
    );
    expect(await decrypt('medical', bruno.diagnosis)).toBe('fracture');
    // Under another key the same ciphertext does not open: the key named in the SDL was used.
    expect(await decrypt('contact', ana.diagnosis)).toBe('INVALID_CIPHERTEXT');
    expect(await decrypt('medical', ana.emergency?.phone ?? '')).toBe('INVALID_CIPHERTEXT');

    const serialized = JSON.stringify(received.patients);
    for (const secret of [...plaintexts.allergies, plaintexts.diagnosis, plaintexts.emergencyPhone, 'fracture']) {
      expect(serialized).not.toContain(secret);
    }
    // One batch per key for the whole mutation, not one call per value.
    expect(encryptCalls.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'contact', items: 3 },
      { key: 'medical', items: 4 },
    ]);
  });

  it('encrypts a marked argument before the query resolver runs', async () => {
    accounts.set('the-account', { owner: 'Ana', iban: '' });
    const result = await run('{ account(ssn: "123-45-6789") { owner } }');
    expect(result.errors).toBeUndefined();
    expect(received.ssn).toHaveLength(1);
    expect(received.ssn[0]).toMatch(/^vault:v1:/);
    expect(await decrypt('identity', received.ssn[0] ?? '')).toBe('123-45-6789');
  });

  it('lets each role read plaintext, its mask, or the stored ciphertext', async () => {
    const admitted = await run(
      'mutation { admitPatients(inputs: [{ name: "Carla", diagnosis: "hypertension", allergies: ["nuts"] }]) { id } }',
    );
    const id = (admitted.data as { admitPatients: Array<{ id: string }> }).admitPatients[0]?.id;
    const storedPatient = stored.get(id ?? '');
    const query = `{ patient(id: "${id}") { name diagnosis allergies again: diagnosis } }`;

    const asDoctor = await run(query, ['doctor']);
    expect(asDoctor.errors).toBeUndefined();
    expect(asDoctor.data?.patient).toEqual({
      name: 'Carla',
      diagnosis: 'hypertension',
      allergies: ['nuts'],
      again: 'hypertension',
    });

    const asNurse = await run(query, ['nurse']);
    expect(asNurse.data?.patient).toEqual({
      name: 'Carla',
      diagnosis: '********sion',
      allergies: storedPatient?.allergies,
      again: '********sion',
    });

    for (const roles of [[], ['receptionist']]) {
      const asOther = await run(query, roles);
      expect(asOther.data?.patient).toEqual({
        name: 'Carla',
        diagnosis: storedPatient?.diagnosis,
        allergies: storedPatient?.allergies,
        again: storedPatient?.diagnosis,
      });
      expect(JSON.stringify(asOther.data)).not.toContain('hypertension');
    }

    // Several grants: the strongest one held wins.
    const asBoth = await run(query, ['nurse', 'doctor']);
    expect(asBoth.data?.patient).toMatchObject({ diagnosis: 'hypertension' });
  });

  it('decrypts under the key of the field, across key versions, with the first-six-last-four mask', async () => {
    const [encrypted] = await transit.encrypt('banking', [{ plaintext: Buffer.from('DE89370400440532013000') }]);
    expect(encrypted?.ok && encrypted.value).toMatch(/^vault:v2:/);
    accounts.set('the-account', { owner: 'Ana', iban: encrypted?.ok === true ? encrypted.value : '' });
    const query = '{ account(ssn: "123-45-6789") { iban } }';
    expect((await run(query, ['owner'])).data?.account).toEqual({ iban: 'DE89370400440532013000' });
    expect((await run(query, ['auditor'])).data?.account).toEqual({ iban: 'DE8937************3000' });
    expect((await run(query, ['doctor'])).data?.account).toEqual({ iban: accounts.get('the-account')?.iban });
  });

  it('fails one field with DECRYPTION_FAILED and keeps the rest of the answer', async () => {
    stored.set('broken', {
      id: 'broken',
      name: 'Dora',
      diagnosis: 'vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      allergies: null,
    });
    const result = await run('{ patient(id: "broken") { name diagnosis } }', ['doctor']);
    expect(result.data?.patient).toEqual({ name: 'Dora', diagnosis: null });
    expect(result.errors?.map((error) => [error.path, error.extensions.code])).toEqual([
      [['patient', 'diagnosis'], 'DECRYPTION_FAILED'],
    ]);
  });

  it('refuses at schema build a reveal directive on a non-null field or without the encryption directive', () => {
    expect(() =>
      buildTestSchema(
        `${typeDefs} extend type Query { secret: String! @sealed(key: "medical") @revealTo(role: "doctor") }`,
      ),
    ).toThrow(/Query\.secret: a @revealTo field must be nullable/);
    expect(() => buildTestSchema(`${typeDefs} extend type Query { secret: String @revealTo(role: "doctor") }`)).toThrow(
      /Query\.secret: @revealTo needs @sealed\(key\) on the same field/,
    );
  });
});

describe('@maxItems on list arguments of a schema that is not about cards [embedded]', () => {
  const limited = maxItemsDirective({ defaultLimit: 5 });
  const bulkTypeDefs = `
    input PatientInput { name: String!, diagnosis: String! @sealed(key: "medical") }
    type Query { ok: Boolean }
    type Mutation {
      "Explicit n."
      admitPatients(inputs: [PatientInput!]! @maxItems(n: 2)): Int!
      "A bulk mutation written with no code of its own for the limit: the default applies."
      dischargePatients(ids: [ID!]! @maxItems, note: String): Int!
    }
  `;
  const calls: string[] = [];
  let transit: Transit;
  let encryptCalls: number;
  let schema: GraphQLSchema;

  const build = (sdl: string) => {
    const built = makeExecutableSchema({
      typeDefs: [sealed.typeDefs, limited.typeDefs, sdl],
      resolvers: {
        Mutation: {
          admitPatients: (_: unknown, { inputs }: { inputs: unknown[] }) => {
            calls.push(`admitPatients ${inputs.length}`);
            return inputs.length;
          },
          dischargePatients: (_: unknown, { ids }: { ids: string[] }) => {
            calls.push(`dischargePatients ${ids.length}`);
            return ids.length;
          },
        },
      },
    });
    // As the app orders them: @maxItems wraps the encryption, so it runs first.
    return limited.transformer(sealed.transformer(built));
  };
  const run = (source: string) =>
    execute({
      schema,
      document: parse(source),
      contextValue: {
        transit: new TransitBatcher(transit, { enabled: true, windowMs: 0, batchSize: 250 }),
        roles: new Set(),
      },
    });
  const patients = (count: number) =>
    `[${Array.from({ length: count }, (_, index) => `{ name: "p${index}", diagnosis: "d${index}" }`).join(', ')}]`;
  const ids = (count: number) => `[${Array.from({ length: count }, (_, index) => `"${index}"`).join(', ')}]`;

  beforeAll(async () => {
    transit = memoryTransit();
    await transit.createKey('medical');
    const encrypt = transit.encrypt.bind(transit);
    transit.encrypt = async (key, items) => {
      encryptCalls += 1;
      return encrypt(key, items);
    };
    schema = build(bulkTypeDefs);
  });
  afterAll(async () => {
    await transit?.close();
  });
  beforeEach(() => {
    calls.length = 0;
    encryptCalls = 0;
  });

  it('an explicit n: refused above it with BAD_USER_INPUT before encryption, accepted at it', async () => {
    const above = await run(`mutation { admitPatients(inputs: ${patients(3)}) }`);
    expect(above.data).toBeNull();
    expect(above.errors?.map((error) => [error.message, error.extensions.code])).toEqual([
      ['inputs may hold at most 2 items', 'BAD_USER_INPUT'],
    ]);
    expect(calls).toEqual([]);
    expect(encryptCalls).toBe(0);

    const at = await run(`mutation { admitPatients(inputs: ${patients(2)}) }`);
    expect(at.errors).toBeUndefined();
    expect(at.data).toEqual({ admitPatients: 2 });
    expect(calls).toEqual(['admitPatients 2']);
    expect(encryptCalls).toBe(1);
  });

  it('a bulk mutation that is not about cards is limited with no code: the default limit, not n', async () => {
    const above = await run(`mutation { dischargePatients(ids: ${ids(6)}, note: "x") }`);
    expect(above.errors?.map((error) => [error.message, error.extensions.code])).toEqual([
      ['ids may hold at most 5 items', 'BAD_USER_INPUT'],
    ]);
    expect(calls).toEqual([]);

    const at = await run(`mutation { dischargePatients(ids: ${ids(5)}) }`);
    expect(at.errors).toBeUndefined();
    expect(at.data).toEqual({ dischargePatients: 5 });
    expect(calls).toEqual(['dischargePatients 5']);
  });

  it('refuses at schema build @maxItems on an argument that is not a list', () => {
    expect(() =>
      build(`${bulkTypeDefs} extend type Mutation { dischargePatient(id: ID! @maxItems(n: 1)): Int! }`),
    ).toThrow('Mutation.dischargePatient(id): @maxItems needs a list argument');
    expect(() => build(`${bulkTypeDefs} extend type Query { search(filter: PatientInput @maxItems): Int }`)).toThrow(
      'Query.search(filter): @maxItems needs a list argument',
    );
  });
});

describe('schema/directives.graphql', () => {
  it('holds the directive factories typeDefs (npm run sdl:directives writes it)', () => {
    const file = fs.readFileSync(new URL('../../schema/directives.graphql', import.meta.url), 'utf8');
    for (const directive of Object.values(directives({ maxBulkSize: 0 }))) {
      expect(file).toContain(directive.typeDefs.trim());
    }
  });
});
