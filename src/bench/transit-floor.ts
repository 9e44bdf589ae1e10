import fs from 'node:fs';
import pLimit from 'p-limit';
import type { Config } from '../config.ts';
import { createTransit } from '../field-encryption/transit/create-transit.ts';
import type { Transit } from '../field-encryption/transit/transit.ts';
import { VaultHttp } from '../field-encryption/transit/vault/vault-http.ts';

/** A stored value as the ciphertext list returns it: the ciphertext and the record it is bound to. */
export interface StoredValue {
  ciphertext: string;
  recordId: string;
}

/**
 * The physical limit of decrypting values, with no API in between: the bench sends the values
 * straight to the backend the way the API's adapter sends them (Vault/OpenBao: batch_input requests
 * of TRANSIT_BATCH_SIZE items, halved for bound values, TRANSIT_CONCURRENCY in flight; embedded: the
 * engine's own decrypt, in this process), and checks that every value opened.
 */
export interface TransitFloor {
  /** The values in batches, as the batched API sends them. */
  batched(values: readonly StoredValue[]): Promise<void>;
  /** One call per value: all at once (`concurrent`), or one after another. */
  oneByOne(values: readonly StoredValue[], concurrent: boolean): Promise<void>;
  close(): Promise<void>;
}

type VaultTransitConfig = Extract<Config['transit'], { kind: 'vault' }>;

export async function openTransitFloor(config: Config, key: string): Promise<TransitFloor> {
  return config.transit.kind === 'vault'
    ? openVaultFloor(config.transit, key)
    : openEmbeddedFloor(createTransit(config.transit), key);
}

async function openVaultFloor(config: VaultTransitConfig, key: string): Promise<TransitFloor> {
  const read = (file: string | undefined) => (file === undefined ? undefined : fs.readFileSync(file));
  const tls = Object.fromEntries(
    Object.entries({
      ca: read(config.tls.caCertFile),
      cert: read(config.tls.clientCertFile),
      key: read(config.tls.clientKeyFile),
    }).filter(([, value]) => value !== undefined),
  );
  const http = new VaultHttp({ timeoutMs: config.timeoutMs, namespace: config.namespace, tls });
  const address = config.address;
  const token =
    config.auth.method === 'token'
      ? config.auth.token
      : (
          await http.send<{ auth: { client_token: string } }>(
            address,
            'POST',
            `/auth/${config.approleMount}/login`,
            undefined,
            { role_id: config.auth.roleId, secret_id: config.auth.secretId },
          )
        ).auth.client_token;
  const path = `/${config.mount}/decrypt/${key}`;
  const send = async (chunk: readonly StoredValue[]) => {
    const batch_input = chunk.map((value) => ({
      ciphertext: value.ciphertext,
      context: Buffer.from(value.recordId, 'utf8').toString('base64'),
    }));
    const answer = await http.send<{ data: { batch_results: Array<{ plaintext?: string; error?: string }> } }>(
      address,
      'POST',
      path,
      token,
      { batch_input },
    );
    const results = answer.data.batch_results;
    if (results.length !== chunk.length || results.some((result) => result.plaintext === undefined)) {
      throw new Error(`raw transit: vault did not open every value of a batch of ${chunk.length}`);
    }
  };
  // Bound values carry a context: the adapter halves its chunks for OpenBao's cap on JSON strings.
  const chunkSize = Math.max(1, Math.floor(config.batching.batchSize / 2));
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
    close: async () => http.close(),
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
