import { type App, type AppParts, startApp } from './app.ts';
import { ROLE_DESCRIPTIONS, ROLES } from './auth/roles.ts';
import { GENERATED_SECRET_HELP } from './auth/token-issuer.ts';
import { apiOperatorRunner } from './cli/operator/programs.ts';
import { loadConfig } from './config.ts';
import { takeOwnership } from './owner/data-dir-owner.ts';
import { needsOwnership } from './owner/needs-owner.ts';
import { serveOperatorCommands } from './owner/operator-channel.ts';
import { keepPrivate } from './owner/private-files.ts';

/** Starts the API as `npm start` does; `parts` only from code (the bench's unaudited run), never from configuration. */
export async function serve(parts: Pick<AppParts, 'withoutRevealRecord'> = {}): Promise<void> {
  const config = loadConfig();
  const ownership = needsOwnership(config) ? await takeOwnership(config.dataDir, { role: 'API' }) : undefined;
  if (ownership !== undefined) keepPrivate(config.dataDir);
  const app: App = await startApp(config, parts);
  if (ownership !== undefined) {
    ownership.publish({ url: app.url });
    await serveOperatorCommands(ownership, apiOperatorRunner(config, app.transit, app.database));
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} received, shutting down`);
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const transit = await app.transit.describe();
  const database = await app.database.describe();
  console.log(`transitql listening on ${app.url}`);
  console.log(`  database: ${database}`);
  console.log(`  transit:  ${transit}`);
  if (config.graphiql) console.log(`  GraphiQL: open ${app.url} in a browser (example tabs for each role)`);
  // Logs are kept and shipped: they get the way to a token, never a token.
  if (config.auth.kind === 'secret' && config.auth.origin === 'generated') {
    console.log(
      `  auth:     the published development secret works on a loopback HOST only; on HOST=${config.http.host} tokens are checked against a random secret this process made and holds alone, so none can be minted: ${GENERATED_SECRET_HELP}`,
    );
  } else if (config.auth.kind === 'secret') {
    console.log(`  tokens:   npm run token -- <role>   (roles: ${ROLES.join(', ')})`);
    for (const role of ROLES) console.log(`    ${role.padEnd(9)} ${ROLE_DESCRIPTIONS[role]}`);
  }
}
