// The clinic's GraphQL server: its SDL, resolvers and database, with transitql wired in.
import fs from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { eq, inArray } from 'drizzle-orm';
import {
  createFieldEncryption,
  createTransit,
  embeddedTransitConfig,
  vaultTransitConfig,
  withBlindIndex,
  withBoundIdentity,
} from 'transitql';
import * as tables from './schema.mjs';

const { patients } = tables;

export const typeDefs = /* GraphQL */ `
  type Patient {
    id: ID!
    name: String!
    ssn: String @encrypted(key: "patient-ssn", bindTo: "id") @decryptFor(role: "nurse") @decryptFor(role: "clerk", mask: LAST4)
  }
  input PatientInput {
    name: String!
    ssn: String! @encrypted(key: "patient-ssn", bindTo: "id") @blindIndex(key: "patient-ssn-index")
  }
  type Query {
    patient(id: ID!): Patient
    patientsBySsn(ssn: String! @blindIndex(key: "patient-ssn-index")): [Patient!]!
  }
  type Mutation {
    admitPatient(input: PatientInput!): Patient!
  }
`;

const resolvers = {
  Query: {
    patient: async (_, { id }, { db }) => (await db.select().from(patients).where(eq(patients.id, id)))[0] ?? null,
    patientsBySsn: (_, args, { db, existence }) => {
      const { ssnIndex } = withBlindIndex(args, 'ssn');
      return existence.ask([ssnIndex], async (found) => {
        const rows = await db.select().from(patients).where(inArray(patients.ssnIndex, ssnIndex.candidates));
        found(rows.map((row) => row.id));
        return rows;
      });
    },
  },
  Mutation: {
    admitPatient: async (_, { input }, { db }) => {
      const { id, ssnIndex } = withBlindIndex(withBoundIdentity(input), 'ssn');
      const values = { id, name: input.name, ssn: input.ssn, ssnIndex: ssnIndex.latest };
      return (await db.insert(patients).values(values).returning())[0];
    },
  },
};

/** PostgreSQL when DATABASE_URL is set, else PGlite in ./data/db; migrated with the migrations drizzle-kit generated. */
export async function openDatabase() {
  if (process.env.DATABASE_URL !== undefined) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    const client = postgres(process.env.DATABASE_URL, { max: 4, onnotice: () => {} });
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: './drizzle' });
    return { db, close: () => client.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  fs.mkdirSync('./data', { recursive: true });
  const client = new PGlite('./data/db');
  const db = drizzle(client);
  await migrate(db, { migrationsFolder: './drizzle' });
  return { db, close: () => client.close() };
}

/** OpenBao/Vault when VAULT_ADDR is set, else the embedded engine with its keyring in ./data/keys. */
export function transitConfig() {
  const { VAULT_ADDR, VAULT_TOKEN, VAULT_TRANSIT_MOUNT } = process.env;
  if (VAULT_ADDR === undefined) {
    return embeddedTransitConfig({ keyDir: './data/keys', masterKeyFile: './data/master.key' });
  }
  return vaultTransitConfig({
    address: VAULT_ADDR,
    auth: { method: 'token', token: VAULT_TOKEN },
    mount: VAULT_TRANSIT_MOUNT,
    allowRootToken: true,
  });
}

export async function startServer() {
  const database = await openDatabase();
  const transit = createTransit(transitConfig());

  // The wiring: about ten lines.
  const encryption = createFieldEncryption({ transit, db: database.db, tables });
  const schema = encryption.transformSchema(
    makeExecutableSchema({ typeDefs: [encryption.typeDefs, typeDefs], resolvers }),
  );
  const running = await encryption.start(schema);
  const server = new ApolloServer({ schema, plugins: [running.apolloPlugin()] });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({
      ...running.context({
        roles: req.headers['x-role'] === undefined ? [] : [req.headers['x-role']],
        subject: req.headers['x-user'] ?? 'anonymous',
      }),
      db: database.db,
    }),
  });

  return {
    url,
    running,
    db: database.db,
    async stop() {
      await server.stop();
      await running.close();
      await transit.close();
      await database.close();
    },
  };
}
