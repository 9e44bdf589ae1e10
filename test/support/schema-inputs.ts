import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';

type Operation = 'query' | 'mutation';

/** A place where a root field takes a string: the field, its operation type and the path of argument and input field names. */
export interface InputSlot {
  operation: Operation;
  field: GraphQLField<unknown, unknown>;
  path: string[];
}

/**
 * Every place a root field of `operations` takes a string-valued scalar (any scalar not in `notStrings`),
 * in nested inputs and lists too, found by walking the schema, so that a field added later is found too.
 * `skip` leaves out an argument or input field and what is inside it.
 */
export function stringInputSlots(
  schema: GraphQLSchema,
  operations: readonly Operation[],
  notStrings: ReadonlySet<string>,
  skip: (node: GraphQLArgument | GraphQLInputField) => boolean = () => false,
): InputSlot[] {
  const slots: InputSlot[] = [];
  const walk = (slot: Omit<InputSlot, 'path'>, type: GraphQLInputType, path: string[], seen: Set<string>) => {
    const named = getNamedType(type);
    if (isInputObjectType(named)) {
      if (seen.has(named.name)) return;
      for (const field of Object.values(named.getFields())) {
        if (!skip(field)) walk(slot, field.type, [...path, field.name], new Set([...seen, named.name]));
      }
    } else if (isScalarType(named) && !notStrings.has(named.name)) {
      slots.push({ ...slot, path });
    }
  };
  const roots: Record<Operation, GraphQLObjectType | null | undefined> = {
    query: schema.getQueryType(),
    mutation: schema.getMutationType(),
  };
  for (const operation of operations) {
    for (const field of Object.values(roots[operation]?.getFields() ?? {})) {
      for (const argument of field.args) {
        if (!skip(argument)) walk({ operation, field }, argument.type, [argument.name], new Set());
      }
    }
  }
  return slots;
}

/** A valid value for an input type; `text(scalar)` gives the value of each string-valued scalar. */
export function sampleInput(type: GraphQLInputType, text: (scalar: string) => string): unknown {
  if (isNonNullType(type)) return sampleInput(type.ofType, text);
  if (isListType(type)) return [sampleInput(type.ofType, text)];
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields()).map((field) => [field.name, sampleInput(field.type, text)]),
    );
  }
  if (isEnumType(type)) return type.getValues()[0]?.value;
  if (type.name === 'Int' || type.name === 'Float') return 1;
  if (type.name === 'Boolean') return true;
  return text(type.name);
}

/**
 * The document calling the slot's field with `args` passed as variables (sample values from `text`),
 * and `value` at the slot's place (in the first item where the place is a list).
 */
export function requestWithValueAt(
  { operation, field, path }: InputSlot,
  args: readonly GraphQLArgument[],
  value: string,
  text: (scalar: string) => string,
): { query: string; variables: Record<string, unknown> } {
  const variables: Record<string, unknown> = Object.fromEntries(
    args.map((arg) => [arg.name, sampleInput(arg.type, text)]),
  );
  let holder = variables;
  for (const [index, name] of path.entries()) {
    if (index === path.length - 1) {
      holder[name] = Array.isArray(holder[name]) ? [value] : value;
    } else {
      const next = holder[name];
      holder = (Array.isArray(next) ? next[0] : next) as Record<string, unknown>;
    }
  }
  const declarations = args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const argumentsText = args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const selection = isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
  return { query: `${operation} (${declarations}) { ${field.name}(${argumentsText})${selection} }`, variables };
}
