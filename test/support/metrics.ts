/**
 * One metric of a running gateway, read from its `GET /metrics` (next to `graphqlUrl`): the sum of
 * the series named `name` whose labels contain `labels` (e.g. `state="open"`), 0 when there is none.
 */
export async function metricSum(graphqlUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(graphqlUrl.replace(/\/graphql$/, '/metrics'), { signal: AbortSignal.timeout(10_000) })).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m && m[1] === name && (m[2] ?? '').includes(labels)) sum += Number(m[3]);
  }
  return sum;
}

/** `metricSum` read every 20 ms until `done` holds of it, for at most `ms`: answers the last value read. */
export async function metricUntil(graphqlUrl: string, name: string, labels: string, done: (value: number) => boolean, ms = 10_000): Promise<number> {
  const end = Date.now() + ms;
  let value = await metricSum(graphqlUrl, name, labels);
  while (!done(value) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await metricSum(graphqlUrl, name, labels);
  }
  return value;
}
