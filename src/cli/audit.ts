import { auditUsage } from './audit/usage.ts';
import { operatorMain } from './operator/program.ts';

/** `npm run audit -- verify|tail|who-read <id>`: the reveal record, for auditors. */
await operatorMain(auditUsage);
