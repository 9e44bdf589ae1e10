import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { parseCommandArgs } from './args.ts';

/** `npm run demo [-- --url http://host:port/graphql]`: the walkthrough against a running server. */
async function main(): Promise<void> {
  const { values } = parseCommandArgs({
    command: 'npm run demo --',
    usage: '[--url http://host:port/graphql] [--key-admin-credentials creds.json]',
    help: [
      'Plays the walkthrough against a running server (start it first with `npm start`), printing each request and answer.',
      '  --url                    the API to talk to (default http://HOST:PORT/graphql from the environment)',
      '  --key-admin-credentials  the file `npm run transit -- setup --out` wrote: when the API runs on the',
      '                           least-privilege transitql-api AppRole, the rotation step runs',
      '                           `npm run transit -- rotate card-pan` on the transitql-key-admin pair instead',
    ].join('\n'),
    options: { url: { type: 'string' }, 'key-admin-credentials': { type: 'string' } },
  });
  // Loaded once the arguments are known to be good: --help and usage errors answer without them.
  const [{ issueToken }, { loadConfig }, { httpDemoClient }, { runWalkthrough }, { KEY_ADMIN_ROLE }] =
    await Promise.all([
      import('../auth/token-issuer.ts'),
      import('../config.ts'),
      import('../demo/demo-client.ts'),
      import('../demo/walkthrough.ts'),
      import('../field-encryption/index.ts'),
    ]);
  const keyAdminFile = values['key-admin-credentials'];
  const keyAdmin = keyAdminFile === undefined ? undefined : readKeyAdminPair(keyAdminFile, KEY_ADMIN_ROLE);
  const config = loadConfig();
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  const url = values.url ?? `http://${host}:${config.http.port}/graphql`;
  console.log(`transitql demo against ${url}`);
  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (role: string) => {
    const token = tokens.get(role) ?? issueToken(config.auth, [role], `demo-${role}`);
    tokens.set(role, token);
    return token;
  };
  await runWalkthrough({
    send: httpDemoClient(url, tokenFor),
    print: (text) => console.log(text),
    runProcessorOnce: () => npmRun(['run', '-s', 'processor', '--', '--once'], { PROCESSOR_API_URL: url }),
    ...(keyAdmin === undefined
      ? {}
      : {
          rotateWithKeyAdmin: () =>
            npmRun(['run', '-s', 'transit', '--', 'rotate', 'card-pan'], {
              VAULT_ROLE_ID: keyAdmin.roleId,
              VAULT_SECRET_ID: keyAdmin.secretId,
              VAULT_TOKEN: '',
            }),
        }),
  });
}

/** The transitql-key-admin role-id/secret-id pair from the file `transit setup --out` writes. */
function readKeyAdminPair(file: string, keyAdminRole: string): { roleId: string; secretId: string } {
  let pair: { roleId?: unknown; secretId?: unknown } | undefined;
  try {
    pair = (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, typeof pair>)[keyAdminRole];
  } catch (error) {
    throw new Error(`--key-admin-credentials ${file}: ${(error as Error).message}`);
  }
  if (typeof pair?.roleId !== 'string' || typeof pair.secretId !== 'string') {
    throw new Error(
      `--key-admin-credentials ${file} holds no ${keyAdminRole} roleId/secretId (written by transit setup --out)`,
    );
  }
  return { roleId: pair.roleId, secretId: pair.secretId };
}

/** Runs an npm script in this environment plus `env` (the processor must talk to the server the demo uses). */
function npmRun(args: string[], env: Record<string, string>): Promise<void> {
  console.log(`$ npm ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm ${args.join(' ')} exited ${code}`))));
  });
}

main().catch(async (error: unknown) => {
  const { ConfigError } = await import('../config.ts');
  if (error instanceof ConfigError) (await import('../startup-error.ts')).exitWithStartupError(error);
  const unreachable = error instanceof TypeError && error.message === 'fetch failed';
  console.error(
    `transitql demo: ${unreachable ? 'the server does not answer; start it with `npm start` (or pass --url)' : error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
