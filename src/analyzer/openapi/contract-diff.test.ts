import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { graphFromSources } from '../../model/index.js';
import { contractChanges } from './contract-diff.js';
import { openApiDocuments, type OpenApiDocument } from './documents.js';
import type { ContractChange } from './types.js';

/** A small but real OpenAPI 3.0 document: shared schemas through $ref, a path template, enums. */
const FLIGHTS_30 = `openapi: 3.0.3
info: { title: Flights, version: 1.0.0 }
paths:
  /flights:
    get:
      parameters:
        - name: status
          in: query
          schema: { type: string, enum: [scheduled, boarding, departed] }
        - name: limit
          in: query
          schema: { type: integer }
      responses:
        '200':
          description: The flights
          content:
            application/json:
              schema:
                type: array
                items: { $ref: '#/components/schemas/Flight' }
    post:
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/NewFlight' }
      responses:
        '201':
          description: Created
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Flight' }
  /flights/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    get:
      responses:
        '200':
          description: The flight
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Flight' }
    delete:
      responses:
        '204': { description: Deleted }
components:
  schemas:
    Flight:
      type: object
      required: [id, number, status]
      properties:
        id: { type: string }
        number: { type: string }
        status: { type: string, enum: [scheduled, boarding, departed] }
        gate: { type: string, nullable: true }
        seats: { type: integer }
    NewFlight:
      type: object
      required: [number]
      properties:
        number: { type: string }
        seats: { type: number }
        cabin: { type: string, enum: [economy, business] }
        note: { type: string, nullable: true }
        code: { type: string }
`;

/** The same API written for OpenAPI 3.1: type lists instead of nullable, const. */
const FLIGHTS_31 = `openapi: 3.1.0
info: { title: Flights, version: 1.0.0 }
paths:
  /flights:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [number]
              properties:
                number: { type: string }
                note: { type: [string, 'null'] }
                kind: { const: passenger }
      responses:
        '201':
          description: Created
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: { type: string }
                  gate: { type: [string, 'null'] }
  /flights/{id}:
    delete:
      responses:
        '204': { description: Deleted }
`;

type Doc = Record<string, any>;

/** The document with a change made to it, written back as YAML. */
function variant(text: string, change: (doc: Doc) => void): string {
  const doc = parse(text) as Doc;
  change(doc);
  return stringify(doc);
}

const file = (text: string): OpenApiDocument => ({ ok: true, source: 'specs/flights.yaml', text });

function changes(before: string, after: string): ContractChange[] {
  return contractChanges(new Map([['apps/flights', file(before)]]), new Map([['apps/flights', file(after)]]));
}

const brief = (list: readonly ContractChange[]) => list.map(({ kind, breaking, operation, message }) => ({ kind, breaking, operation, message }));

const schemas = (doc: Doc) => doc.components.schemas;
const flightsGet = (doc: Doc) => doc.paths['/flights'].get;
const newFlight = (doc: Doc) => schemas(doc).NewFlight;
const flight = (doc: Doc) => schemas(doc).Flight;

interface Case {
  readonly name: string;
  readonly base?: string;
  readonly change: (doc: Doc) => void;
  readonly expected: readonly Omit<ContractChange, 'api' | 'location'>[];
}

const CASES: readonly Case[] = [
  // Operations
  {
    name: 'an operation removed',
    change: (doc) => delete doc.paths['/flights/{id}'].delete,
    expected: [{ kind: 'operation-removed', breaking: true, operation: 'DELETE /flights/{id}', message: 'operation DELETE /flights/{id} was removed' }],
  },
  {
    name: 'a whole path removed',
    change: (doc) => delete doc.paths['/flights/{id}'],
    expected: [
      { kind: 'operation-removed', breaking: true, operation: 'GET /flights/{id}', message: 'operation GET /flights/{id} was removed' },
      { kind: 'operation-removed', breaking: true, operation: 'DELETE /flights/{id}', message: 'operation DELETE /flights/{id} was removed' },
    ],
  },
  {
    name: 'an operation added',
    change: (doc) => (doc.paths['/flights/{id}'].put = { responses: { '204': { description: 'Replaced' } } }),
    expected: [{ kind: 'operation-added', breaking: false, operation: 'PUT /flights/{id}', message: 'operation PUT /flights/{id} was added' }],
  },
  {
    name: 'a path variable renamed (the same operations)',
    change: (doc) => {
      doc.paths['/flights/{flightId}'] = doc.paths['/flights/{id}'];
      delete doc.paths['/flights/{id}'];
      doc.paths['/flights/{flightId}'].parameters[0].name = 'flightId';
    },
    expected: [],
  },
  // Parameters
  {
    name: 'a new required parameter',
    change: (doc) => flightsGet(doc).parameters.push({ name: 'X-Tenant', in: 'header', required: true, schema: { type: 'string' } }),
    expected: [{ kind: 'parameter-required', breaking: true, operation: 'GET /flights', message: 'new required header parameter "X-Tenant"' }],
  },
  {
    name: 'a new optional parameter',
    change: (doc) => flightsGet(doc).parameters.push({ name: 'after', in: 'query', schema: { type: 'string' } }),
    expected: [{ kind: 'parameter-added', breaking: false, operation: 'GET /flights', message: 'new optional query parameter "after"' }],
  },
  {
    name: 'an optional parameter made required',
    change: (doc) => (flightsGet(doc).parameters[1].required = true),
    expected: [{ kind: 'parameter-required', breaking: true, operation: 'GET /flights', message: 'query parameter "limit" is now required' }],
  },
  {
    name: 'a new required path-level parameter, once per operation',
    change: (doc) => doc.paths['/flights/{id}'].parameters.push({ name: 'X-Tenant', in: 'header', required: true, schema: { type: 'string' } }),
    expected: [
      { kind: 'parameter-required', breaking: true, operation: 'GET /flights/{id}', message: 'new required header parameter "X-Tenant"' },
      { kind: 'parameter-required', breaking: true, operation: 'DELETE /flights/{id}', message: 'new required header parameter "X-Tenant"' },
    ],
  },
  {
    name: 'a required parameter made optional, or removed',
    change: (doc) => {
      doc.paths['/flights/{id}'].parameters[0].required = true;
      flightsGet(doc).parameters.splice(1, 1);
    },
    expected: [],
  },
  // Request fields
  {
    name: 'a new required request field',
    change: (doc) => {
      newFlight(doc).properties.origin = { type: 'string' };
      newFlight(doc).required.push('origin');
    },
    expected: [{ kind: 'request-field-required', breaking: true, operation: 'POST /flights', message: 'new required field "origin" in the request body (application/json)' }],
  },
  {
    name: 'an optional request field made required',
    change: (doc) => newFlight(doc).required.push('seats'),
    expected: [{ kind: 'request-field-required', breaking: true, operation: 'POST /flights', message: 'field "seats" of the request body (application/json) is now required' }],
  },
  {
    name: 'a new optional request field',
    change: (doc) => (newFlight(doc).properties.origin = { type: 'string' }),
    expected: [{ kind: 'request-field-added', breaking: false, operation: 'POST /flights', message: 'new optional field "origin" in the request body (application/json)' }],
  },
  {
    name: 'a request field made optional, or removed',
    change: (doc) => {
      newFlight(doc).required = [];
      delete newFlight(doc).properties.code;
    },
    expected: [],
  },
  {
    name: 'a request body made required',
    change: (doc) => (doc.paths['/flights'].post.requestBody.required = true),
    expected: [{ kind: 'request-body-required', breaking: true, operation: 'POST /flights', message: 'the request body is now required' }],
  },
  // Response fields: Flight is returned by three operations, each is affected.
  {
    name: 'a response field removed',
    change: (doc) => delete flight(doc).properties.gate,
    expected: [
      { kind: 'response-field-removed', breaking: true, operation: 'GET /flights', message: 'field "[].gate" was removed from the 200 response (application/json)' },
      { kind: 'response-field-removed', breaking: true, operation: 'POST /flights', message: 'field "gate" was removed from the 201 response (application/json)' },
      { kind: 'response-field-removed', breaking: true, operation: 'GET /flights/{id}', message: 'field "gate" was removed from the 200 response (application/json)' },
    ],
  },
  {
    name: 'a required response field removed (reported as removed, not also as optional)',
    change: (doc) => {
      delete flight(doc).properties.number;
      flight(doc).required = ['id', 'status'];
    },
    expected: [
      { kind: 'response-field-removed', breaking: true, operation: 'GET /flights', message: 'field "[].number" was removed from the 200 response (application/json)' },
      { kind: 'response-field-removed', breaking: true, operation: 'POST /flights', message: 'field "number" was removed from the 201 response (application/json)' },
      { kind: 'response-field-removed', breaking: true, operation: 'GET /flights/{id}', message: 'field "number" was removed from the 200 response (application/json)' },
    ],
  },
  {
    name: 'a required response field made optional',
    change: (doc) => (doc.paths['/flights/{id}'].get.responses['200'].content['application/json'].schema = { ...flight(doc), required: ['id', 'number'] }),
    expected: [{ kind: 'response-field-optional', breaking: true, operation: 'GET /flights/{id}', message: 'field "status" of the 200 response (application/json) is no longer required' }],
  },
  {
    name: 'a new response field',
    change: (doc) => (doc.paths['/flights/{id}'].get.responses['200'].content['application/json'].schema = { ...flight(doc), properties: { ...flight(doc).properties, terminal: { type: 'string' } } }),
    expected: [{ kind: 'response-field-added', breaking: false, operation: 'GET /flights/{id}', message: 'new field "terminal" in the 200 response (application/json)' }],
  },
  // Types
  {
    name: 'a request type narrowed',
    change: (doc) => (newFlight(doc).properties.seats.type = 'integer'),
    expected: [{ kind: 'type-narrowed', breaking: true, operation: 'POST /flights', message: 'type of field "seats" of the request body (application/json) narrowed from number to integer' }],
  },
  {
    name: 'null no longer allowed in a request field',
    change: (doc) => delete newFlight(doc).properties.note.nullable,
    expected: [{ kind: 'type-narrowed', breaking: true, operation: 'POST /flights', message: 'type of field "note" of the request body (application/json) narrowed from null or string to string' }],
  },
  {
    name: 'a request type changed',
    change: (doc) => (newFlight(doc).properties.code.type = 'integer'),
    expected: [{ kind: 'type-changed', breaking: true, operation: 'POST /flights', message: 'type of field "code" of the request body (application/json) changed from string to integer' }],
  },
  {
    name: 'a request type widened',
    change: (doc) => (flightsGet(doc).parameters[1].schema.type = 'number'),
    expected: [{ kind: 'type-widened', breaking: false, operation: 'GET /flights', message: 'type of query parameter "limit" widened from integer to number' }],
  },
  {
    name: 'a response type widened',
    change: (doc) => (flight(doc).properties.seats.type = 'number'),
    expected: [
      { kind: 'type-widened', breaking: true, operation: 'GET /flights', message: 'type of field "[].seats" of the 200 response (application/json) widened from integer to number' },
      { kind: 'type-widened', breaking: true, operation: 'POST /flights', message: 'type of field "seats" of the 201 response (application/json) widened from integer to number' },
      { kind: 'type-widened', breaking: true, operation: 'GET /flights/{id}', message: 'type of field "seats" of the 200 response (application/json) widened from integer to number' },
    ],
  },
  {
    name: 'a response type narrowed',
    change: (doc) => delete flight(doc).properties.gate.nullable,
    expected: [
      { kind: 'type-narrowed', breaking: false, operation: 'GET /flights', message: 'type of field "[].gate" of the 200 response (application/json) narrowed from null or string to string' },
      { kind: 'type-narrowed', breaking: false, operation: 'POST /flights', message: 'type of field "gate" of the 201 response (application/json) narrowed from null or string to string' },
      { kind: 'type-narrowed', breaking: false, operation: 'GET /flights/{id}', message: 'type of field "gate" of the 200 response (application/json) narrowed from null or string to string' },
    ],
  },
  // Enums
  {
    name: 'a parameter enum narrowed',
    change: (doc) => (flightsGet(doc).parameters[0].schema.enum = ['scheduled', 'boarding']),
    expected: [{ kind: 'enum-narrowed', breaking: true, operation: 'GET /flights', message: 'query parameter "status" no longer allows "departed"' }],
  },
  {
    name: 'a parameter enum widened',
    change: (doc) => flightsGet(doc).parameters[0].schema.enum.push('cancelled'),
    expected: [{ kind: 'enum-widened', breaking: false, operation: 'GET /flights', message: 'query parameter "status" now also allows "cancelled"' }],
  },
  {
    name: 'a request field restricted to a list',
    change: (doc) => (newFlight(doc).properties.code.enum = ['AF', 'KL']),
    expected: [{ kind: 'enum-narrowed', breaking: true, operation: 'POST /flights', message: 'field "code" of the request body (application/json) is now restricted to "AF", "KL"' }],
  },
  {
    name: 'a request enum value replaced',
    change: (doc) => (newFlight(doc).properties.cabin.enum = ['economy', 'first']),
    expected: [
      { kind: 'enum-narrowed', breaking: true, operation: 'POST /flights', message: 'field "cabin" of the request body (application/json) no longer allows "business"' },
      { kind: 'enum-widened', breaking: false, operation: 'POST /flights', message: 'field "cabin" of the request body (application/json) now also allows "first"' },
    ],
  },
  {
    name: 'a response enum widened',
    change: (doc) => flight(doc).properties.status.enum.push('cancelled'),
    expected: [
      { kind: 'enum-widened', breaking: true, operation: 'GET /flights', message: 'field "[].status" of the 200 response (application/json) now also allows "cancelled"' },
      { kind: 'enum-widened', breaking: true, operation: 'POST /flights', message: 'field "status" of the 201 response (application/json) now also allows "cancelled"' },
      { kind: 'enum-widened', breaking: true, operation: 'GET /flights/{id}', message: 'field "status" of the 200 response (application/json) now also allows "cancelled"' },
    ],
  },
  {
    name: 'a response enum lifted',
    change: (doc) => delete doc.paths['/flights'].get.parameters[0].schema.enum,
    expected: [{ kind: 'enum-widened', breaking: false, operation: 'GET /flights', message: 'query parameter "status" is no longer restricted to a list of values' }],
  },
  {
    name: 'a request body schema made of allOf parts, one with a new required field',
    change: (doc) => {
      schemas(doc).Audited = { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } };
      doc.paths['/flights'].post.requestBody.content['application/json'].schema = { allOf: [{ $ref: '#/components/schemas/NewFlight' }, { $ref: '#/components/schemas/Audited' }] };
    },
    expected: [{ kind: 'request-field-required', breaking: true, operation: 'POST /flights', message: 'new required field "reason" in the request body (application/json)' }],
  },
  {
    name: 'a required request body added',
    change: (doc) => (doc.paths['/flights/{id}'].delete.requestBody = { required: true, content: { 'application/json': { schema: { type: 'object' } } } }),
    expected: [{ kind: 'request-body-required', breaking: true, operation: 'DELETE /flights/{id}', message: 'a required request body was added' }],
  },
  {
    name: 'a header parameter whose name changed case, a media type with parameters, a status code range',
    change: (doc) => {
      doc.paths['/flights'].post.parameters = [{ name: 'x-request-id', in: 'header', required: true, schema: { type: 'string' } }];
      const body = doc.paths['/flights'].post.requestBody.content;
      body['application/json; charset=utf-8'] = body['application/json'];
      delete body['application/json'];
      newFlight(doc).required.push('seats');
    },
    base: variant(FLIGHTS_30, (doc) => (doc.paths['/flights'].post.parameters = [{ name: 'X-Request-ID', in: 'header', required: true, schema: { type: 'string' } }])),
    expected: [{ kind: 'request-field-required', breaking: true, operation: 'POST /flights', message: 'field "seats" of the request body (application/json; charset=utf-8) is now required' }],
  },
  // What is not a contract change
  {
    name: 'a type written out that properties or items implied',
    change: (doc) => {
      doc.paths['/flights'].get.responses['200'].content['application/json'].schema.type = 'array';
      newFlight(doc).type = 'object';
    },
    base: variant(FLIGHTS_30, (doc) => {
      delete doc.paths['/flights'].get.responses['200'].content['application/json'].schema.type;
      delete newFlight(doc).type;
    }),
    expected: [],
  },
  {
    name: 'a schema written inline instead of through $ref, the other fields unchanged',
    change: (doc) => (doc.paths['/flights/{id}'].get.responses['200'].content['application/json'].schema = structuredClone(flight(doc))),
    expected: [],
  },
  {
    name: 'an inline schema moved into components, one field removed on the way',
    change: (doc) => {
      const inline = doc.paths['/flights/{id}'].get.responses['200'].content['application/json'];
      inline.schema = structuredClone(flight(doc));
      delete flight(doc).properties.seats;
      schemas(doc).FlightDetails = inline.schema;
      inline.schema = { $ref: '#/components/schemas/FlightDetails' };
    },
    expected: [
      { kind: 'response-field-removed', breaking: true, operation: 'GET /flights', message: 'field "[].seats" was removed from the 200 response (application/json)' },
      { kind: 'response-field-removed', breaking: true, operation: 'POST /flights', message: 'field "seats" was removed from the 201 response (application/json)' },
    ],
  },
  {
    name: 'descriptions, titles and examples changed',
    change: (doc) => {
      doc.info.title = 'Flights API';
      doc.info.description = 'All the flights';
      flightsGet(doc).summary = 'List flights';
      flight(doc).properties.number.example = 'AF1234';
    },
    expected: [],
  },
  // OpenAPI 3.1
  {
    name: '3.1: null no longer allowed in a request field',
    base: FLIGHTS_31,
    change: (doc) => (doc.paths['/flights'].post.requestBody.content['application/json'].schema.properties.note.type = 'string'),
    expected: [{ kind: 'type-narrowed', breaking: true, operation: 'POST /flights', message: 'type of field "note" of the request body (application/json) narrowed from null or string to string' }],
  },
  {
    name: '3.1: null added to a response field type list',
    base: FLIGHTS_31,
    change: (doc) => (doc.paths['/flights'].post.responses['201'].content['application/json'].schema.properties.id.type = ['string', 'null']),
    expected: [{ kind: 'type-widened', breaking: true, operation: 'POST /flights', message: 'type of field "id" of the 201 response (application/json) widened from string to null or string' }],
  },
  {
    name: '3.1: a const changed',
    base: FLIGHTS_31,
    change: (doc) => (doc.paths['/flights'].post.requestBody.content['application/json'].schema.properties.kind.const = 'cargo'),
    expected: [
      { kind: 'enum-narrowed', breaking: true, operation: 'POST /flights', message: 'field "kind" of the request body (application/json) no longer allows "passenger"' },
      { kind: 'enum-widened', breaking: false, operation: 'POST /flights', message: 'field "kind" of the request body (application/json) now also allows "cargo"' },
    ],
  },
  {
    name: '3.1: an operation removed, a required field and a response field removed',
    base: FLIGHTS_31,
    change: (doc) => {
      delete doc.paths['/flights/{id}'];
      const body = doc.paths['/flights'].post.requestBody.content['application/json'].schema;
      body.properties.airline = { type: 'string' };
      body.required.push('airline');
      delete doc.paths['/flights'].post.responses['201'].content['application/json'].schema.properties.gate;
    },
    expected: [
      { kind: 'request-field-required', breaking: true, operation: 'POST /flights', message: 'new required field "airline" in the request body (application/json)' },
      { kind: 'response-field-removed', breaking: true, operation: 'POST /flights', message: 'field "gate" was removed from the 201 response (application/json)' },
      { kind: 'operation-removed', breaking: true, operation: 'DELETE /flights/{id}', message: 'operation DELETE /flights/{id} was removed' },
    ],
  },
];

describe('contractChanges: one class of change at a time', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, { base = FLIGHTS_30, change, expected }) => {
    expect(brief(changes(base, variant(base, change)))).toEqual(expected);
  });
});

describe('contractChanges: schemas used more than once', () => {
  /** A tree of categories (recursive), and an order with two addresses (one schema used twice). */
  const SHOP = `openapi: 3.1.0
info: { title: Shop, version: 1.0.0 }
paths:
  /categories:
    get:
      responses:
        '200':
          description: The category tree
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Category' }
  /orders:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                billing: { $ref: '#/components/schemas/Address' }
                shipping: { $ref: '#/components/schemas/Address' }
      responses:
        '201': { description: Created }
components:
  schemas:
    Category:
      type: object
      properties:
        name: { type: string }
        icon: { type: string }
        children: { type: array, items: { $ref: '#/components/schemas/Category' } }
    Address:
      type: object
      properties:
        street: { type: string }
        country: { type: string, maxLength: 2 }
`;

  it('reports a change in a recursive schema once, at its shallowest place', () => {
    const after = variant(SHOP, (doc) => delete schemas(doc).Category.properties.icon);
    expect(brief(changes(SHOP, after))).toEqual([
      { kind: 'response-field-removed', breaking: true, operation: 'GET /categories', message: 'field "icon" was removed from the 200 response (application/json)' },
    ]);
  });

  it('reports a change in a schema used twice in one body once, at the first place', () => {
    const after = variant(SHOP, (doc) => {
      schemas(doc).Address.required = ['country'];
      schemas(doc).Address.properties.country = { $ref: '#/components/schemas/Country', maxLength: 3 };
      schemas(doc).Country = { type: 'string', enum: ['FR', 'NL'] };
    });
    expect(brief(changes(SHOP, after))).toEqual([
      { kind: 'request-field-required', breaking: true, operation: 'POST /orders', message: 'field "billing.country" of the request body (application/json) is now required' },
      { kind: 'enum-narrowed', breaking: true, operation: 'POST /orders', message: 'field "billing.country" of the request body (application/json) is now restricted to "FR", "NL"' },
    ]);
  });

  it('compares schemas that reference each other exponentially often in linear time', () => {
    // Each schema uses the next one twice: 2^40 paths reach the last one.
    const layered = (last: unknown) => {
      const all: Record<string, unknown> = { S40: last };
      for (let i = 0; i < 40; i++) all[`S${i}`] = { type: 'object', properties: { a: { $ref: `#/components/schemas/S${i + 1}` }, b: { $ref: `#/components/schemas/S${i + 1}` } } };
      return JSON.stringify({ openapi: '3.0.3', paths: { '/a': { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/S0' } } } }, responses: {} } } }, components: { schemas: all } });
    };
    const started = performance.now();
    const found = changes(layered({ type: 'string' }), layered({ type: 'string', enum: ['x'] }));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(brief(found)).toEqual([{ kind: 'enum-narrowed', breaking: true, operation: 'POST /a', message: `field "${Array(40).fill('a').join('.')}" of the request body (application/json) is now restricted to "x"` }]);
  });
});

describe('contractChanges: locations', () => {
  it('point into the head document through $refs, parameters by place and name', () => {
    const after = variant(FLIGHTS_30, (doc) => {
      delete flight(doc).properties.gate;
      flightsGet(doc).parameters[1].required = true;
      delete doc.paths['/flights/{id}'].delete;
    });
    expect(changes(FLIGHTS_30, after).map((c) => [c.operation, c.location])).toEqual([
      ['GET /flights', 'specs/flights.yaml#/paths/~1flights/get/parameters/query:limit/required'],
      ['GET /flights', 'specs/flights.yaml#/paths/~1flights/get/responses/200/content/application~1json/schema/items/properties/gate'],
      ['POST /flights', 'specs/flights.yaml#/paths/~1flights/post/responses/201/content/application~1json/schema/properties/gate'],
      ['GET /flights/{id}', 'specs/flights.yaml#/paths/~1flights~1{id}/get/responses/200/content/application~1json/schema/properties/gate'],
      ['DELETE /flights/{id}', 'specs/flights.yaml#/paths/~1flights~1{id}/delete'],
    ]);
  });
});

describe('contractChanges: documents that cannot be compared', () => {
  const readable = file(FLIGHTS_30);
  const run = (before: OpenApiDocument | undefined, after: OpenApiDocument) =>
    contractChanges(new Map(before === undefined ? [] : [['apps/flights', before]]), new Map([['apps/flights', after]]));

  it.each([
    ['broken YAML', 'openapi: 3.0.3\npaths:\n  /flights: [\n', 'is not valid YAML or JSON (line 4, column 1): Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['a duplicate key', 'openapi: 3.0.3\npaths: {}\npaths: {}\n', 'is not valid YAML or JSON (line 3, column 1): Map keys must be unique'],
    ['a Swagger 2.0 document', 'swagger: "2.0"\ninfo: { title: t, version: "1" }\npaths: {}\n', 'is a Swagger 2.0 document: gitgate compares OpenAPI 3.0 and 3.1 documents only'],
    ['an unknown version', 'openapi: 4.0.0\npaths: {}\n', '"openapi" must name version 3.0.x or 3.1.x (found "4.0.0")'],
    ['no version', 'paths: {}\n', '"openapi" must name version 3.0.x or 3.1.x (it is missing)'],
    ['a list at the top', '- openapi: 3.0.3\n', 'must be a map at the top level'],
    ['paths that are not a map', 'openapi: 3.0.3\npaths: [/flights]\n', '"paths" must be a map of paths to path items'],
    ['a path without a slash', 'openapi: 3.0.3\npaths: { flights: {} }\n', 'paths["flights"]: a path must start with "/"'],
    ['an operation that is not a map', 'openapi: 3.0.3\npaths: { /flights: { get: list } }\n', 'paths["/flights"].get must be a map (an operation)'],
    ['parameters that are not a list', 'openapi: 3.0.3\npaths: { /flights: { get: { parameters: { a: 1 } } } }\n', 'paths["/flights"].get.parameters must be a list of parameters'],
    ['an alias bomb', `openapi: 3.0.3\na: &a [x, x, x, x, x, x, x, x]\nb: &b [${'*a, '.repeat(30)}*a]\nc: &c [${'*b, '.repeat(30)}*b]\nd: [${'*c, '.repeat(60)}*c]\npaths: {}\n`, 'cannot be parsed: Excessive alias count indicates a resource exhaustion attack'],
  ])('reports %s in the head as document-invalid', (_name, text, error) => {
    expect(run(readable, file(text))).toEqual([
      { api: 'apps/flights', kind: 'document-invalid', breaking: false, location: 'specs/flights.yaml', message: `the OpenAPI document "specs/flights.yaml" ${error}; the contract was not compared` },
    ]);
  });

  it('reports a document that cannot be found in the head, naming the ConfigMap', () => {
    const missing: OpenApiDocument = { ok: false, source: 'flights-openapi/openapi.yaml', error: 'ConfigMap apps/flights-openapi has no key "openapi.yaml" in data' };
    expect(run({ ok: true, source: 'configmap:apps/flights-openapi/openapi.yaml', text: FLIGHTS_30 }, missing)).toEqual([
      {
        api: 'apps/flights',
        kind: 'document-invalid',
        breaking: false,
        location: 'flights-openapi/openapi.yaml',
        message: 'the OpenAPI document "flights-openapi/openapi.yaml" cannot be read: ConfigMap apps/flights-openapi has no key "openapi.yaml" in data; the contract was not compared',
      },
    ]);
  });

  it('reports a new API whose document is invalid, and nothing for a new API whose document is fine', () => {
    expect(brief(run(undefined, file('openapi: 2.0\n')))).toEqual([{ kind: 'document-invalid', breaking: false, operation: undefined, message: 'the OpenAPI document "specs/flights.yaml" "openapi" must name version 3.0.x or 3.1.x (found 2); the contract was not compared' }]);
    expect(run(undefined, readable)).toEqual([]);
  });

  it('reports nothing when the base had the same problem, or when only the base is broken', () => {
    const broken = file('openapi: 3.0.3\npaths: [\n');
    expect(run(broken, broken)).toEqual([]);
    const swagger = file('swagger: "2.0"\npaths: {}\n');
    expect(run(swagger, file('swagger: "2.0"\npaths: { /flights: {} }\n'))).toEqual([]);
    const missing: OpenApiDocument = { ok: false, source: 'specs/flights.yaml', error: 'no file "specs/flights.yaml" in this revision' };
    expect(run(missing, missing)).toEqual([]);
    expect(run(missing, readable)).toEqual([]);
    expect(run(broken, readable)).toEqual([]);
  });

  it('never throws on documents of odd shapes', () => {
    const odd = [
      'openapi: 3.0.3\npaths: { /a: { get: { responses: { "200": { content: { application/json: { schema: { properties: 5 } } } } } } } }\n',
      'openapi: 3.0.3\npaths: { /a: { get: { parameters: [{ $ref: "#/nowhere" }], responses: [] } } }\n',
      'openapi: 3.0.3\npaths: { /a: { get: { responses: { "200": { content: { application/json: { schema: { $ref: "#/components/schemas/A" } } } } } } } }\ncomponents: { schemas: { A: { $ref: "#/components/schemas/A" } } }\n',
      'openapi: 3.0.3\npaths: { /a: { post: { requestBody: { content: { application/json: { schema: { allOf: [5, { type: string }, { type: integer }] } } } } } } }\n',
      'openapi: 3.0.3\npaths: { /a: { get: { responses: { "200": { content: { application/json: { schema: { $ref: "../other.yaml#/A" } } } } } } } }\n',
      `openapi: 3.0.3\npaths: { /a: { get: { responses: { "200": { content: { application/json: { schema: ${'{ items: '.repeat(500)}{}${' }'.repeat(500)} } } } } } } }\n`,
    ];
    for (const before of odd) for (const after of odd) expect(() => changes(before, after)).not.toThrow();
  });
});

describe('contractChanges: order', () => {
  it('sorts by API, path, method (in the spec order), location, and is stable across runs', () => {
    const after = variant(FLIGHTS_30, (doc) => {
      delete doc.paths['/flights/{id}'].delete;
      delete flight(doc).properties.seats;
      doc.paths['/flights'].post.requestBody.required = true;
      flightsGet(doc).parameters[0].schema.enum = ['scheduled'];
    });
    const base = new Map([
      ['crm/flights', file(FLIGHTS_30)],
      ['apps/flights', file(FLIGHTS_30)],
    ]);
    const head = new Map([
      ['crm/flights', file(after)],
      ['apps/flights', file(after)],
    ]);
    const first = contractChanges(base, head);
    expect(first.map((c) => `${c.api} ${c.operation} ${c.kind}`)).toEqual([
      'apps/flights GET /flights enum-narrowed',
      'apps/flights GET /flights response-field-removed',
      'apps/flights POST /flights request-body-required',
      'apps/flights POST /flights response-field-removed',
      'apps/flights GET /flights/{id} response-field-removed',
      'apps/flights DELETE /flights/{id} operation-removed',
      'crm/flights GET /flights enum-narrowed',
      'crm/flights GET /flights response-field-removed',
      'crm/flights POST /flights request-body-required',
      'crm/flights POST /flights response-field-removed',
      'crm/flights GET /flights/{id} response-field-removed',
      'crm/flights DELETE /flights/{id} operation-removed',
    ]);
    expect(contractChanges(new Map([...base].reverse()), new Map([...head].reverse()))).toEqual(first);
  });

  it('reports nothing for the same text, without parsing it', () => {
    const unparsable = file('{{{');
    expect(contractChanges(new Map([['apps/flights', unparsable]]), new Map([['apps/flights', { ...unparsable }]]))).toEqual([]);
  });
});

describe('contract changes of two revisions of a repository', () => {
  const HUB = 'hub.traefik.io/v1alpha1';
  const api = (openapi: string) =>
    JSON.stringify({
      apiVersion: HUB,
      kind: 'API',
      metadata: { name: 'flights', namespace: 'apps', annotations: { 'gitgate.io/openapi': openapi } },
      spec: { pathPrefix: '/flights', service: { name: 'flights', port: { number: 80 } } },
    });
  const configMap = (text: string) => stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'flights-openapi', namespace: 'apps' }, data: { 'openapi.yaml': text } });
  const withoutDelete = variant(FLIGHTS_30, (doc) => delete doc.paths['/flights/{id}'].delete);

  it('compares a document held in a ConfigMap', () => {
    const revision = (text: string) => graphFromSources([{ path: 'apps/flights.yaml', content: `${api('flights-openapi/openapi.yaml')}\n---\n${configMap(text)}` }]);
    expect(contractChanges(openApiDocuments(revision(FLIGHTS_30)), openApiDocuments(revision(withoutDelete)))).toEqual([
      {
        api: 'apps/flights',
        kind: 'operation-removed',
        breaking: true,
        operation: 'DELETE /flights/{id}',
        location: 'configmap:apps/flights-openapi/openapi.yaml#/paths/~1flights~1{id}/delete',
        message: 'operation DELETE /flights/{id} was removed',
      },
    ]);
  });

  it('compares a document held in a file of each revision', () => {
    const graph = graphFromSources([{ path: 'apps/flights.yaml', content: api('specs/flights.yaml') }]);
    const revision = (text: string) => (path: string) => (path === 'specs/flights.yaml' ? text : undefined);
    expect(contractChanges(openApiDocuments(graph, revision(FLIGHTS_30)), openApiDocuments(graph, revision(withoutDelete)))).toEqual([
      {
        api: 'apps/flights',
        kind: 'operation-removed',
        breaking: true,
        operation: 'DELETE /flights/{id}',
        location: 'specs/flights.yaml#/paths/~1flights~1{id}/delete',
        message: 'operation DELETE /flights/{id} was removed',
      },
    ]);
  });

  it('reports a ConfigMap removed in the head as document-invalid', () => {
    const base = graphFromSources([{ path: 'apps/flights.yaml', content: `${api('flights-openapi/openapi.yaml')}\n---\n${configMap(FLIGHTS_30)}` }]);
    const head = graphFromSources([{ path: 'apps/flights.yaml', content: api('flights-openapi/openapi.yaml') }]);
    expect(brief(contractChanges(openApiDocuments(base), openApiDocuments(head)))).toEqual([
      {
        kind: 'document-invalid',
        breaking: false,
        operation: undefined,
        message: 'the OpenAPI document "flights-openapi/openapi.yaml" cannot be read: no ConfigMap "flights-openapi" in namespace "apps" and file "flights-openapi/openapi.yaml" cannot be read here; the contract was not compared',
      },
    ]);
  });
});
