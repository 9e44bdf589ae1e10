/** The API could not be reached, or did not answer like a GraphQL server. */
export class ApiUnreachableError extends Error {
  override name = 'ApiUnreachableError';
}

/** The API refused the token (UNAUTHENTICATED) or the role it carries (FORBIDDEN). */
export class ApiAccessError extends Error {
  override name = 'ApiAccessError';
  constructor(
    readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN',
    message: string,
  ) {
    super(message);
  }
}

/** The operation failed as a whole for another reason (e.g. BAD_USER_INPUT, INTERNAL_SERVER_ERROR). */
export class ApiOperationError extends Error {
  override name = 'ApiOperationError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface GraphQLFieldError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string };
}

/** A successful answer; `errors` lists fields that failed while the rest of the data stands. */
export interface GraphQLResult<T> {
  data: T;
  errors: GraphQLFieldError[];
}

export type GraphQLClient = <T>(query: string, variables?: Record<string, unknown>) => Promise<GraphQLResult<T>>;

const REQUEST_TIMEOUT_MS = 30_000;

/** A minimal GraphQL client over fetch that turns transport and access failures into typed errors. */
export function createGraphQLClient(url: string, token: string): GraphQLClient {
  return async <T>(query: string, variables: Record<string, unknown> = {}) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ApiUnreachableError(`cannot reach the API at ${url}: ${reasonOf(error)}`);
    }
    let body: { data?: T | null; errors?: GraphQLFieldError[] };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new ApiUnreachableError(`the API at ${url} answered HTTP ${response.status} without a GraphQL response`);
    }
    const errors = body.errors ?? [];
    const denied = errors.find(
      (error) => error.extensions?.code === 'UNAUTHENTICATED' || error.extensions?.code === 'FORBIDDEN',
    );
    if (denied !== undefined) {
      throw new ApiAccessError(denied.extensions?.code as ApiAccessError['code'], denied.message);
    }
    if (body.data === null || body.data === undefined) {
      const [first] = errors;
      throw new ApiOperationError(
        first?.extensions?.code ?? `HTTP_${response.status}`,
        first?.message ?? `the API answered HTTP ${response.status} without data`,
      );
    }
    return { data: body.data, errors };
  };
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code !== undefined) return cause.code;
  if ((error as Error).name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return cause?.message ?? (error as Error).message;
}
