// Provider timestamps: whatever form a provider sends, one canonical ISO string, and nothing absurd.
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../main/providers/parse';

describe('isoTime', () => {
  it('keeps a canonical timestamp as it is, and writes every other form canonically', () => {
    expect(isoTime('2025-03-04T05:06:07.089Z')).toBe('2025-03-04T05:06:07.089Z');
    expect(isoTime('2025-03-30T05:06:07.089Z')).toBe('2025-03-30T05:06:07.089Z');
    expect(isoTime('2025-03-04T05:06:07Z')).toBe('2025-03-04T05:06:07.000Z');
    expect(isoTime('2025-03-04T07:06:07.089+02:00')).toBe('2025-03-04T05:06:07.089Z');
    expect(isoTime(1741064767)).toBe('2025-03-04T05:06:07.000Z');
    expect(isoTime(1741064767089)).toBe('2025-03-04T05:06:07.089Z');
    expect(isoTime('1741064767')).toBe('2025-03-04T05:06:07.000Z');
  });

  it('normalizes a date past the end of its month, as the provider’s clock would', () => {
    expect(isoTime('2025-02-30T00:00:00.000Z')).toBe('2025-03-02T00:00:00.000Z');
    expect(isoTime('2025-01-01T24:00:00.000Z')).toBe('2025-01-02T00:00:00.000Z');
  });

  it('replaces the absurd: before 2000, more than a day ahead, not a time', () => {
    const fallback = '2025-01-01T00:00:00.000Z';
    expect(isoTime('1999-12-31T23:59:59.999Z', fallback)).toBe(fallback);
    expect(isoTime(new Date(Date.now() + 2 * 86_400_000).toISOString(), fallback)).toBe(fallback);
    expect(isoTime('2025-13-01T00:00:00.000Z', fallback)).toBe(fallback);
    expect(isoTime('yesterday', fallback)).toBe(fallback);
    expect(isoTime(null, fallback)).toBe(fallback);
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    expect(isoTime(soon, fallback)).toBe(soon);
  });
});
