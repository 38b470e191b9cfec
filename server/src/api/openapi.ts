// The OpenAPI 3 document of /api/v1, generated from the route table and its
// zod schemas (z.toJSONSchema, OpenAPI 3.0 target), so it cannot drift from
// what the router enforces. Served at GET /api/v1/openapi.json.
import { z } from 'zod';
import { errorBodySchema } from './errors.js';
import type { RouteSpec } from './routes.js';

export const API_VERSION = '1.0.0';

function toSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
}

function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}

function parameters(spec: RouteSpec): unknown[] {
  const out: unknown[] = [];
  for (const [where, schema] of [
    ['path', spec.params],
    ['query', spec.query],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: property });
    }
  }
  return out;
}

const ERROR_RESPONSE = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };

export function buildOpenApiDocument(routes: readonly RouteSpec[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const operation: Record<string, unknown> = {
      summary: spec.summary,
      operationId: `${spec.method}${spec.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      'x-nongbao-role': spec.access,
      security: spec.access === 'public' ? [] : [{ bearer: [] }],
      parameters: parameters(spec),
      responses: {
        [String(spec.success.status)]: spec.success.csv
          ? { description: spec.success.description, content: { 'text/csv': { schema: { type: 'string' } } } }
          : { description: spec.success.description, content: { 'application/json': { schema: spec.success.schema ? toSchema(spec.success.schema, 'output') : { type: 'object' } } } },
        '400': ERROR_RESPONSE,
        ...(spec.access === 'public' ? { '401': ERROR_RESPONSE, '429': ERROR_RESPONSE } : { '401': ERROR_RESPONSE, '403': ERROR_RESPONSE }),
        '404': ERROR_RESPONSE,
        '409': ERROR_RESPONSE,
        '413': ERROR_RESPONSE,
        '422': ERROR_RESPONSE,
      },
    };
    if (spec.bodyType === 'csv') {
      operation.requestBody = { required: true, content: { 'text/csv': { schema: { type: 'string' } } } };
    } else if (spec.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: toSchema(spec.body) } } };
    }
    (paths[openApiPath(spec.path)] ??= {})[spec.method] = operation;
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Nongbao office API',
      version: API_VERSION,
      description:
        'County office API of the rural residents pension scheme. Log in with POST /login, then send Authorization: Bearer <token>. ' +
        'Auditors may GET; operators may also POST. Money is integer fen. Errors: { error: { code, message, field?, details? } }. ' +
        'Every POST /runs/... is a dry run (reports, writes nothing) unless its body says "dryRun": false.',
    },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: toSchema(errorBodySchema) },
    },
    paths,
  };
}
