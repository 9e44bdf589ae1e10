import { fileURLToPath } from 'node:url';

/**
 * The repository root, for files the server reads at run time (schema/, migrations/, page scripts).
 * This file sits one level below the root, as does the bundle `npm run build` writes (dist/server.js),
 * so the same expression holds for the sources run by tsx and for the built server.
 */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
