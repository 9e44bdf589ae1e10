/** A GraphQL answer as the demo prints it. */
export interface DemoAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** Sends one operation to the API as the given role. */
export type DemoClient = (role: string, query: string, variables?: Record<string, unknown>) => Promise<DemoAnswer>;

/** A client over HTTP with a bearer token per role. */
export function httpDemoClient(url: string, tokenFor: (role: string) => Promise<string>): DemoClient {
  return async (role, query, variables = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(role)}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    try {
      return JSON.parse(text) as DemoAnswer;
    } catch {
      throw new Error(`${url} answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
  };
}
