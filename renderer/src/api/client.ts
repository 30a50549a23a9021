// A typed client generated from the contract's route table: method, path and types all come from
// '@contract/routes', so nothing about an endpoint is written twice.
import {
  routes,
  type BodyOf,
  type ParamsOf,
  type QueryOf,
  type ResponseOf,
  type RouteName,
} from '@contract/routes';
import type { Connection } from './connection';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Part<K extends string, T, Optional extends boolean> = [T] extends [undefined]
  ? { [P in K]?: never }
  : Optional extends true
    ? { [P in K]?: T }
    : { [P in K]: T };

export type CallInput<N extends RouteName> = Part<'params', ParamsOf<N>, false> &
  Part<'query', QueryOf<N>, true> &
  Part<'body', BodyOf<N>, false>;

export interface ApiClient {
  call<N extends RouteName>(name: N, input: CallInput<N>): Promise<ResponseOf<N>>;
}

function fillPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:(\w+)/g, (_, key: string) => {
    const value = params?.[key];
    if (value === undefined || value === null) throw new Error(`missing path parameter '${key}' for ${path}`);
    return encodeURIComponent(String(value));
  });
}

function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

async function errorFrom(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown[] } };
    if (body.error?.message) {
      return new ApiError(
        res.status,
        body.error.code ?? 'error',
        body.error.message,
        body.error.details ?? [],
      );
    }
  } catch {
    // Not the API's JSON error envelope; fall through to a generic message.
  }
  return new ApiError(
    res.status,
    'http_error',
    `The local API answered ${res.status} ${res.statusText}`.trim(),
  );
}

export function createApiClient(connection: Connection): ApiClient {
  async function request(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { Authorization: `Bearer ${connection.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(connection.apiUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network', 'Cannot reach the local Agent Inbox service.');
    }
    if (!res.ok) throw await errorFrom(res);
    if (res.status === 204) return null;
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : null;
  }

  return {
    call(name, input) {
      const route = routes[name];
      const { params, query, body } = input as {
        params?: Record<string, unknown>;
        query?: Record<string, unknown>;
        body?: unknown;
      };
      const path = fillPath(route.path, params) + queryString(query);
      return request(route.method, path, body) as Promise<ResponseOf<typeof name>>;
    },
  };
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const detail = error.details
      .map((d) =>
        typeof d === 'object' && d && 'message' in d ? String((d as { message: unknown }).message) : '',
      )
      .filter(Boolean)
      .join('; ');
    return detail ? `${error.message} (${detail})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
