import { expect } from 'vitest';
import { ProviderError } from '../../main/providers/http';

/** The ProviderError `p` rejects with (the test fails when it resolves or rejects with anything else). */
export async function caught(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}
