import { blindIndexDirective } from './blind-index.ts';
import { decryptForDirective } from './decrypt-for.ts';
import { encryptedDirective } from './encrypted.ts';

const none = () => {
  throw new Error('only the type definitions are used here');
};

/** The SDL of the field-encryption directives, as the factories define them (schema/directives.graphql is generated from it). */
export function fieldEncryptionDirectivesSdl(): string {
  return [
    encryptedDirective({ cipher: none }).typeDefs,
    blindIndexDirective().typeDefs,
    decryptForDirective({ cipher: none, roles: none }).typeDefs,
  ].join('\n');
}
