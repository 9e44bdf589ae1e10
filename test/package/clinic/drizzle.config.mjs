export default { dialect: 'postgresql', schema: './schema.mjs', out: './drizzle' };
