import crypto from 'node:crypto';

const digest = (s: string) => crypto.createHash('sha256').update(s).digest();

/** Constant-time comparison of two secrets (hashed first, so lengths never leak). */
export function sameSecret(expected: string, given: unknown): boolean {
  return typeof given === 'string' && crypto.timingSafeEqual(digest(expected), digest(given));
}
