import { startTestApi, type TestApi } from '../support/api.ts';
import type { BackendSet, Backends } from '../support/backends.ts';

/** Runs `test` against a real API server on fresh backends of the set, closing both afterwards. */
export async function withApi(set: BackendSet, test: (api: TestApi, backends: Backends) => Promise<void>) {
  const backends = await set.open();
  const api = await startTestApi(backends);
  try {
    await test(api, backends);
  } finally {
    await api.close();
    await backends.close();
  }
}
