// A hub route registered from its entry in main/contract/hub.ts: who may call it, its input validated against
// the entry's schemas (400 and nothing done otherwise), and the answer sent with the entry's status.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { RouteDef } from '../../main/contract/routes';
import { parse } from '../../main/api/plugins/contract';
import type { Access } from './auth';

type Parsed<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface HubInput<R extends RouteDef> {
  params: Parsed<R['params']>;
  query: Parsed<R['query']>;
  body: Parsed<R['body']>;
  req: FastifyRequest;
  reply: FastifyReply;
}

export function hubRoute<R extends RouteDef>(
  app: FastifyInstance,
  r: R,
  access: Access,
  handler: (input: HubInput<R>) => Promise<z.input<R['response']>>,
): void {
  app.route({
    method: r.method,
    url: r.path,
    config: { access },
    handler: async (req, reply) => {
      const input = {
        params: r.params ? parse(r.params, req.params, 'path') : undefined,
        query: r.query ? parse(r.query, req.query ?? {}, 'query') : undefined,
        body: r.body ? parse(r.body, req.body, 'body') : undefined,
        req,
        reply,
      } as HubInput<R>;
      const out = await handler(input);
      reply.code(r.status);
      return r.status === 204 ? reply.send() : reply.send(out);
    },
  });
}
