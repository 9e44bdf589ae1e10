import { operatorMain } from './operator/program.ts';
import { transitUsage } from './transit/usage.ts';

/** `npm run transit -- <command> [args]`: key management against Vault/OpenBao or the embedded engine. */
await operatorMain(transitUsage);
