// What the transitql operator commands read: the clinic's SDL and tables, and how to reach its backends.
import { createTransit } from 'transitql';
import * as tables from './schema.mjs';
import { openDatabase, transitConfig, typeDefs } from './server.mjs';

export default {
  typeDefs,
  tables,
  async open() {
    const database = await openDatabase();
    const transit = createTransit(transitConfig());
    return {
      db: database.db,
      transit,
      async close() {
        await transit.close();
        await database.close();
      },
    };
  },
};
