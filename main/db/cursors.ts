// Keyset page cursors for the inbox and a conversation's messages (not the sync cursors: syncState.ts).

/** Opaque to clients: base64url of the sort key and id of the page's last row. */
export const encodeCursor = (key: string, id: number) => Buffer.from(`${key}|${id}`).toString('base64url');

export function decodeCursor(c: string | undefined): { key: string; id: number } | null {
  if (!c) return null;
  const [key, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  const n = Number(id);
  return key && Number.isSafeInteger(n) ? { key, id: n } : null;
}
