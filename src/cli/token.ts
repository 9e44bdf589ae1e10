import { ROLES } from '../auth/roles.ts';
import { exitWithUsageError, parseCommandArgs } from './args.ts';

const SPEC = {
  command: 'npm run token --',
  usage: '<role> [<role>...] [--subject name] [--ttl 1h]',
  help: [
    'Prints a bearer token (JWT) holding the given roles, signed with AUTH_JWT_SECRET or the development secret.',
    `roles: ${ROLES.join(', ')}`,
    '  --subject name  the token subject (default dev-<roles>)',
    '  --ttl 1h        lifetime (default AUTH_TOKEN_TTL)',
  ].join('\n'),
  allowPositionals: true,
  options: { subject: { type: 'string' }, ttl: { type: 'string' } },
} as const;

/** `npm run token -- <role> [<role>...] [--subject name] [--ttl 1h]`: prints a bearer token for development. */
async function main(): Promise<void> {
  const { positionals, values } = parseCommandArgs(SPEC);
  if (positionals.length === 0) exitWithUsageError(SPEC, `name at least one role: ${ROLES.join(', ')}`);
  const unknown = positionals.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0)
    exitWithUsageError(SPEC, `unknown role(s): ${unknown.join(', ')}; roles: ${ROLES.join(', ')}`);
  // Loaded once the arguments are known to be good: --help and usage errors answer without them.
  const [{ loadConfig }, { issueToken }] = await Promise.all([
    import('../config.ts'),
    import('../auth/token-issuer.ts'),
  ]);
  const config = loadConfig();
  const token = await issueToken(
    config.auth,
    positionals,
    values.subject ?? `dev-${positionals.join('+')}`,
    values.ttl,
  ).catch((error: unknown) => {
    // jose refuses a lifetime it cannot read ("Invalid time period format") with a TypeError.
    if (error instanceof TypeError) exitWithUsageError(SPEC, `--ttl ${values.ttl}: use a period like 30m, 1h or 7d`);
    throw error;
  });
  console.log(token);
}

main().catch(async (error: unknown) => (await import('../startup-error.ts')).exitWithStartupError(error));
