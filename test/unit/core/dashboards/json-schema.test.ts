import { SchemaValidator } from '../../../../core/dashboards/json-schema';

describe('JSON Schema subset validator', () => {
  it('refuses a schema keyword it does not check, so the published schema cannot promise more than is checked', () => {
    expect(() => new SchemaValidator({ type: 'object', properties: { a: { type: 'string', format: 'email' } } })).toThrow('schema keyword "format" at #/properties/a is not supported');
    expect(() => new SchemaValidator({ $ref: '#/$defs/nothing' })).toThrow('does not name an entry of $defs');
  });

  const schema = new SchemaValidator({
    type: 'object',
    required: ['items'],
    additionalProperties: false,
    properties: {
      items: { type: 'array', maxItems: 2, items: { $ref: '#/$defs/item' } },
      'odd key': { type: 'boolean' },
    },
    $defs: {
      item: {
        oneOf: [
          { type: 'object', required: ['kind', 'n'], additionalProperties: false, properties: { kind: { const: 'a' }, n: { type: 'integer', minimum: 1 } } },
          { type: 'object', required: ['kind'], additionalProperties: false, properties: { kind: { const: 'b' }, s: { type: 'string', minLength: 2 } } },
        ],
      },
    },
  });

  it.each<[unknown, { path: string; expected: string }[]]>([
    [{ items: [{ kind: 'a', n: 1 }, { kind: 'b', s: 'xy' }] }, []],
    [{ items: [{ kind: 'a', n: 0 }] }, [{ path: '$.items[0].n', expected: 'a number ≥ 1, got 0' }]],
    [{ items: [{ kind: 'b', n: 1 }] }, [{ path: '$.items[0].n', expected: 'no property "n" here (known: kind, s)' }]],
    [{ items: [{ kind: 'c' }] }, [{ path: '$.items[0].kind', expected: 'one of "a", "b"' }]],
    [{ items: [3] }, [{ path: '$.items[0]', expected: 'an object, got the integer 3' }]],
    [{ items: [], 'odd key': 1 }, [{ path: '$["odd key"]', expected: 'a boolean, got the integer 1' }]],
    [{ items: [{ kind: 'a', n: 1 }, { kind: 'a', n: 1 }, { kind: 'a', n: 1.5 }] }, [
      { path: '$.items', expected: 'at most 2 items, got 3' },
      { path: '$.items[2].n', expected: 'an integer, got the number 1.5' },
    ]],
    [[], [{ path: '$', expected: 'an object, got an array' }]],
    [{}, [{ path: '$.items', expected: 'a required property "items"' }]],
  ])('%j → %j', (value, expected) => {
    expect(schema.validate(value)).toEqual(expected);
  });
});
