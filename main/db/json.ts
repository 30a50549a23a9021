// JSON columns: parse defensively so one bad row never breaks a list.
export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export const now = () => new Date().toISOString();
