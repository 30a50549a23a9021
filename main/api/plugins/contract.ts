// Every route of the contract (main/contract/routes.ts), registered from it: params, query and body are
// validated against its schemas before the route's handler runs, and the answer goes out with its status.
// Plus the OpenAPI document generated from the same table.
import type { FastifyPluginAsync } from 'fastify';
import type { z } from 'zod';
import { openApiDocument, routes, type ResponseOf, type RouteName, type Routes } from '../../contract/routes';
import { ApiError } from '../errors';

type Parsed<T> = T extends z.ZodType ? z.output<T> : Record<string, never>;

/** What a handler receives: the validated input (defaults applied). */
export interface HandlerInput<K extends RouteName> {
  params: Routes[K] extends { params: infer P } ? Parsed<P> : Record<string, never>;
  query: Routes[K] extends { query: infer Q } ? Parsed<Q> : Record<string, never>;
  body: Routes[K] extends { body: infer B } ? Parsed<B> : undefined;
}

export type Handlers = {
  [K in RouteName]: (input: HandlerInput<K>) => Promise<ResponseOf<K>> | ResponseOf<K>;
};

export interface ContractRoutesOptions {
  handlers: Handlers;
  version: string;
}

export type Where = 'path' | 'query' | 'body';

export function parse(schema: z.ZodType | undefined, value: unknown, where: Where): unknown {
  if (!schema) return {};
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (r.success) return r.data;
  throw new ApiError(
    400,
    'invalid_input',
    `Invalid ${where}: ${r.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || where} ${i.message}`)
      .join('; ')}`,
    r.error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String), message: i.message })),
  );
}

export const contractRoutes: FastifyPluginAsync<ContractRoutesOptions> = async (app, o) => {
  for (const [name, r] of Object.entries(routes) as [RouteName, Routes[RouteName]][]) {
    const handler = o.handlers[name] as (input: unknown) => unknown;
    app.route({
      method: r.method,
      url: r.path,
      handler: async (req, reply) => {
        const input = {
          params: parse('params' in r ? r.params : undefined, req.params, 'path'),
          query: parse('query' in r ? r.query : undefined, req.query ?? {}, 'query'),
          body: 'body' in r && r.body ? parse(r.body, req.body, 'body') : undefined,
        };
        const out = await handler(input);
        // From the request's arrival to the handler's result (for a reply: committed to disk), for the
        // browser's network panel and the benchmark.
        reply.header('server-timing', `app;dur=${(performance.now() - req.arrivedAt).toFixed(3)}`);
        reply.code(r.status);
        return r.status === 204 ? reply.send() : reply.send(out);
      },
    });
  }

  app.get('/api/docs.json', async () => openApiDocument(o.version));
};
