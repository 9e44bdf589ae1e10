import { parseArgs } from 'node:util';
import { ROLES } from '../auth/roles.ts';
import { issueToken } from '../auth/token-issuer.ts';
import { loadConfig } from '../config.ts';
import { exitWithStartupError } from '../startup-error.ts';

/** `npm run token -- <role> [<role>...] [--subject name] [--ttl 1h]`: prints a bearer token for development. */
async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { subject: { type: 'string' }, ttl: { type: 'string' } },
  });
  if (positionals.length === 0) {
    console.error(`usage: npm run token -- <role> [<role>...] [--subject name] [--ttl 1h]\nroles: ${ROLES.join(', ')}`);
    process.exit(2);
  }
  const unknown = positionals.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0) {
    console.error(`unknown role(s): ${unknown.join(', ')}; roles: ${ROLES.join(', ')}`);
    process.exit(2);
  }
  const config = loadConfig();
  console.log(await issueToken(config.auth, positionals, values.subject ?? `dev-${positionals.join('+')}`, values.ttl));
}

main().catch(exitWithStartupError);
