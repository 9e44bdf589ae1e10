import { type App, startApp } from './app.ts';
import { ROLE_DESCRIPTIONS, ROLES } from './auth/roles.ts';
import { loadConfig } from './config.ts';
import { exitWithStartupError } from './startup-error.ts';

/** Entry point: `npm start`. */
async function main(): Promise<void> {
  const config = loadConfig();
  const app: App = await startApp(config);
  const transit = await app.transit.describe();
  const database = await app.database.describe();
  console.log(`transitql listening on ${app.url}`);
  console.log(`  database: ${database}`);
  console.log(`  transit:  ${transit}`);
  if (config.graphiql) console.log(`  GraphiQL: open ${app.url} in a browser (example tabs for each role)`);
  // Logs are kept and shipped: they get the way to a token, never a token.
  if (config.auth.kind === 'secret') {
    console.log(`  tokens:   npm run token -- <role>   (roles: ${ROLES.join(', ')})`);
    for (const role of ROLES) console.log(`    ${role.padEnd(9)} ${ROLE_DESCRIPTIONS[role]}`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} received, shutting down`);
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch(exitWithStartupError);
