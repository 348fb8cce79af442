/**
 * List prices of some well-known models, in US dollars per million tokens, for `/stats`'s
 * cost estimate. An estimate only: prices change, providers discount cached input and
 * batches, and a self-hosted model costs what its hardware costs. A model not listed here
 * gets no estimate rather than a guess.
 */
const PRICES_PER_MILLION: Record<string, { input: number; output: number }> = {
  'claude-opus-4': { input: 15, output: 75 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-haiku-4': { input: 1, output: 5 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  o3: { input: 2, output: 8 },
  'o4-mini': { input: 1.1, output: 4.4 },
  // The offline provider costs nothing.
  echo: { input: 0, output: 0 },
};

/**
 * The estimated cost in US dollars of `input` and `output` tokens of `model`, or null when
 * its price is not known. A dated name (`claude-sonnet-4-20250514`, `gpt-4o-2024-08-06`)
 * takes the price of its longest listed prefix; a provider prefix (`openai/gpt-4o`) is
 * ignored.
 */
export function estimateCost(model: string, input: number, output: number): number | null {
  const name = model.toLowerCase().replace(/^[\w.-]+\//, '');
  let best: string | null = null;
  for (const known of Object.keys(PRICES_PER_MILLION)) {
    const matches = name === known || name.startsWith(`${known}-`);
    if (matches && (best === null || known.length > best.length)) best = known;
  }
  if (best === null) return null;
  const price = PRICES_PER_MILLION[best]!;
  return (input * price.input + output * price.output) / 1_000_000;
}
