/** A minimal GraphQL-over-HTTP client that fails on any error, so that no failed request counts as fast. */
export async function graphql<T>(url: string, token: string, query: string, variables: object = {}): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (!response.ok || body.errors !== undefined || body.data === undefined) {
    throw new Error(`GraphQL request failed (HTTP ${response.status}): ${body.errors?.[0]?.message ?? 'no data'}`);
  }
  return body.data;
}

/**
 * Sums the samples of each counter in a Prometheus text exposition, over all label sets; histograms
 * in seconds count too, as their `_seconds_sum` and `_seconds_count`.
 */
export async function scrapeCounters(metricsUrl: string): Promise<Map<string, number>> {
  const response = await fetch(metricsUrl);
  if (!response.ok) throw new Error(`GET ${metricsUrl} answered ${response.status}`);
  const totals = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*(?:_total|_seconds_sum|_seconds_count))(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] !== undefined) totals.set(match[1], (totals.get(match[1]) ?? 0) + Number(match[2]));
  }
  return totals;
}
