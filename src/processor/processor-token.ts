import { hostname } from 'node:os';
import { issueToken } from '../auth/token-issuer.ts';
import type { ProcessorConfig } from '../config.ts';

/** The configured token, or outside production one issued for this process (its own subject, short-lived). */
export async function processorToken(config: ProcessorConfig['token']): Promise<string> {
  if (config.kind === 'configured') return config.token;
  return issueToken(config.auth, ['processor'], `processor@${hostname()}:${process.pid}`);
}
