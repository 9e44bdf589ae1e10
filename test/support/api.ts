import type { Logger } from 'pino';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type App, startApp } from '../../src/app.ts';
import { issueToken } from '../../src/auth/token-issuer.ts';
import { transitKeysOf } from '../../src/encryption-declarations.ts';
import { ensureKeys } from '../../src/field-encryption/transit/ensure-keys.ts';
import { buildSchema } from '../../src/graphql/build-schema.ts';
import type { BackendSet, Backends } from './backends.ts';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export interface TestApi {
  app: App;
  url: string;
  token(...roles: string[]): Promise<string>;
  gql<T = Record<string, unknown>>(
    query: string,
    options?: { variables?: Record<string, unknown>; token?: string; role?: string },
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/** Starts the real HTTP server on the given backends and talks to it over fetch. */
export async function startTestApi(backends: Backends, logger?: Logger): Promise<TestApi> {
  await ensureKeys(backends.transit, transitKeysOf(buildSchema(backends.config.limits)), { create: true });
  const app = await startApp(backends.config, {
    database: backends.database,
    transit: backends.transit,
    ...(logger === undefined ? {} : { logger }),
  });
  const token = (...roles: string[]) => issueToken(backends.config.auth, roles, `test-${roles.join('+')}`);
  return {
    app,
    url: app.url,
    token,
    gql: async (query, options = {}) => {
      const bearer = options.token ?? (options.role === undefined ? undefined : await token(options.role));
      const response = await fetch(app.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
        },
        body: JSON.stringify({ query, variables: options.variables ?? {} }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
    close: () => app.close(),
  };
}

/** For tests that start the API with their own environment: `start(env)` stops the one before; each test ends stopped. */
export function useApiPerTest(set: BackendSet): (env?: Record<string, string>) => Promise<TestApi> {
  let backends: Backends | undefined;
  let api: TestApi | undefined;
  const stop = async () => {
    await api?.close();
    await backends?.close();
    api = undefined;
    backends = undefined;
  };
  afterEach(stop);
  return async (env = {}) => {
    await stop();
    backends = await set.open(env);
    api = await startTestApi(backends);
    return api;
  };
}

/**
 * Opens fresh backends of the set and starts the API on them (logging to `logger`, when given) for the
 * enclosing suite, closing both afterwards.
 */
export function useTestApi(set: BackendSet, logger?: Logger): { readonly api: TestApi; readonly backends: Backends } {
  const state: { api?: TestApi; backends?: Backends } = {};
  beforeAll(async () => {
    state.backends = await set.open();
    state.api = await startTestApi(state.backends, logger);
  });
  afterAll(async () => {
    await state.api?.close();
    await state.backends?.close();
  });
  return {
    get api() {
      return state.api as TestApi;
    },
    get backends() {
      return state.backends as Backends;
    },
  };
}
