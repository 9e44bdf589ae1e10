import http from 'node:http';
import https from 'node:https';
import nodeVault from 'node-vault';
import pLimit from 'p-limit';
import type { Config } from '../config.ts';
import {
  createTransit,
  itemsPerRequest,
  type Transit,
  tlsOptions,
  type VaultTransitConfig,
} from '../field-encryption/index.ts';

/** A stored value as the ciphertext list returns it: the ciphertext and the record it is bound to. */
export interface StoredValue {
  ciphertext: string;
  recordId: string;
}

/**
 * The physical limit of decrypting values, with no API in between: the bench sends the values
 * straight to the backend the way the API's adapter sends them (Vault/OpenBao: node-vault requests over
 * keep-alive connections, batch_input of TRANSIT_BATCH_SIZE items or as many as fit the server's
 * cap on JSON strings, TRANSIT_CONCURRENCY in flight; embedded: the engine's own decrypt, in this process), and checks that
 * every value opened.
 */
export interface TransitFloor {
  /** The values in batches, as the batched API sends them. */
  batched(values: readonly StoredValue[]): Promise<void>;
  /** One call per value: all at once (`concurrent`), or one after another. */
  oneByOne(values: readonly StoredValue[], concurrent: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function openTransitFloor(config: Config, key: string): Promise<TransitFloor> {
  return config.transit.kind === 'vault'
    ? openVaultFloor(config.transit, key)
    : openEmbeddedFloor(createTransit(config.transit), key);
}

async function openVaultFloor(config: VaultTransitConfig, key: string): Promise<TransitFloor> {
  const tls = tlsOptions(config);
  const agents = {
    httpAgent: new http.Agent({ keepAlive: true }),
    httpsAgent: new https.Agent({ keepAlive: true, ...tls }),
  };
  const client = nodeVault({ apiVersion: 'v1', endpoint: config.address, namespace: config.namespace });
  client.token =
    config.auth.method === 'token'
      ? config.auth.token
      : (
          (await client.approleLogin({
            mount_point: config.approleMount,
            role_id: config.auth.roleId,
            secret_id: config.auth.secretId,
          })) as { auth: { client_token: string } }
        ).auth.client_token;
  const path = `/${config.mount}/decrypt/${key}`;
  const send = async (chunk: readonly StoredValue[]) => {
    const batch_input = chunk.map((value) => ({
      ciphertext: value.ciphertext,
      context: Buffer.from(value.recordId, 'utf8').toString('base64'),
    }));
    const answer = (await client.request({ method: 'POST', path, json: { batch_input }, ...agents })) as {
      data: { batch_results: Array<{ plaintext?: string; error?: string }> };
    };
    const results = answer.data.batch_results;
    if (results.length !== chunk.length || results.some((result) => result.plaintext === undefined)) {
      throw new Error(`raw transit: vault did not open every value of a batch of ${chunk.length}`);
    }
  };
  // Bound values carry a context (two fields per item), so the adapter's chunks fit fewer of them.
  const chunkSize = itemsPerRequest(config.batching.batchSize, config.maxRequestJsonStrings, 2);
  return {
    batched: async (values) => {
      const limit = pLimit(config.batching.concurrency);
      const chunks: StoredValue[][] = [];
      for (let start = 0; start < values.length; start += chunkSize)
        chunks.push(values.slice(start, start + chunkSize));
      await Promise.all(chunks.map((chunk) => limit(() => send(chunk))));
    },
    oneByOne: async (values, concurrent) => {
      if (concurrent) await Promise.all(values.map((value) => send([value])));
      else for (const value of values) await send([value]);
    },
    close: async () => {
      agents.httpAgent.destroy();
      agents.httpsAgent.destroy();
    },
  };
}

function openEmbeddedFloor(transit: Transit, key: string): TransitFloor {
  const decrypt = async (values: readonly StoredValue[]) => {
    const results = await transit.decrypt(
      key,
      values.map((value) => ({ ciphertext: value.ciphertext, context: Buffer.from(value.recordId, 'utf8') })),
    );
    if (results.some((result) => !result.ok))
      throw new Error('raw transit: the embedded engine did not open every value');
  };
  return {
    batched: decrypt,
    oneByOne: async (values, concurrent) => {
      if (concurrent) await Promise.all(values.map((value) => decrypt([value])));
      else for (const value of values) await decrypt([value]);
    },
    close: () => transit.close(),
  };
}
