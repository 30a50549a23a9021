// The renderer's one Content-Security-Policy. The page is always loaded over HTTP from the local API (in
// the browser and in the desktop window alike), so the API sends it as a header with every page, and the
// desktop shell sets the same policy on its session. Pure: no Node or Electron import.

export interface CspOptions {
  /** The local API's origin the page was loaded from ("http://127.0.0.1:PORT"). */
  apiOrigin: string;
}

const LOOPBACK_HOSTNAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * Scripts, styles, fonts and connections only from the local API (and its socket). Images may also come
 * over https because customers' photo attachments are provider URLs shown inline (an image cannot run
 * code; the cost is that the provider's CDN sees the request, as in any mail client). No inline script or
 * style and no eval: React sets style properties through the DOM, which the policy does not govern.
 */
export function contentSecurityPolicy({ apiOrigin }: CspOptions): string {
  const api = new URL(apiOrigin);
  if (api.protocol !== 'http:' || !LOOPBACK_HOSTNAMES.includes(api.hostname)) {
    throw new Error(`the local API must be on loopback http, got ${apiOrigin}`);
  }
  const self = api.origin;
  return [
    "default-src 'none'",
    `script-src ${self}`,
    `style-src ${self}`,
    `img-src ${self} data: blob: https:`,
    `font-src ${self}`,
    `connect-src ${self} ws://${api.host}`,
    `manifest-src ${self}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    `worker-src ${self}`,
  ].join('; ');
}
