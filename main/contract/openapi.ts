import { z } from 'zod';
import type { RouteDef } from './routes';
import { ErrorBody } from './schemas';

const toOpenApiPath = (p: string) => p.replace(/:(\w+)/g, '{$1}');
const json = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any' });

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const js = json(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, sch]) => ({
    name,
    in: where,
    required: where === 'path' || (js.required ?? []).includes(name),
    schema: sch,
  }));
}

/** The OpenAPI 3.1 document of a route table (the local API's, the hub's). */
export function openApiOf(table: Record<string, RouteDef>, title: string, version: string) {
  const errorContent = { 'application/json': { schema: json(ErrorBody, 'output') } };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, r] of Object.entries(table)) {
    const op: Record<string, unknown> = {
      operationId: name,
      summary: r.summary,
      security: [{ bearer: [] }],
      parameters: [
        ...parameters('params' in r ? r.params : undefined, 'path'),
        ...parameters('query' in r ? r.query : undefined, 'query'),
      ],
      responses: {
        [r.status]:
          r.status === 204
            ? { description: 'No content' }
            : { description: 'OK', content: { 'application/json': { schema: json(r.response, 'output') } } },
        ...Object.fromEntries(
          (r.errors ?? []).map((e) => [
            e.status,
            { description: `${e.code}: ${e.description}`, content: errorContent },
          ]),
        ),
        default: { description: 'Error', content: errorContent },
      },
    };
    if ('body' in r && r.body)
      op.requestBody = { required: true, content: { 'application/json': { schema: json(r.body, 'input') } } };
    (paths[toOpenApiPath(r.path)] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title, version },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
