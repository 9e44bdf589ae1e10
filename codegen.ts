import type { CodegenConfig } from '@graphql-codegen/cli';

/** Resolver types generated from the SDL, so the resolvers are checked against the schema. */
const config: CodegenConfig = {
  schema: 'schema/*.graphql',
  generates: {
    'src/graphql/generated/resolvers-types.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        contextType: '../../context.ts#Context',
        mappers: {
          CreditCard: '../../cards/card.ts#Card',
          TransitKey: '../../field-encryption/index.ts#KeyInfo',
          RevealEvent: '../../field-encryption/index.ts#RevealEventRow',
        },
        scalars: { PAN: 'string', CardholderName: 'string', DateTime: 'Date' },
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        maybeValue: 'T | null',
      },
    },
  },
};

export default config;
