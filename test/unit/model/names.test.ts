// The name planner: identifiers from spec names that are not identifiers, collisions, tool names.
import { describe, expect, it } from 'vitest';
import { camelCase, pascalCase, SymbolTable, ToolNamePlanner } from '../../../generator/model/names.js';
import { propertyAccess, propertyKey, stringLiteral, docComment } from '../../../generator/emit/escape.js';

describe('identifiers', () => {
  it.each([
    ['microsoftazureidentitygettoken', 'Microsoftazureidentitygettoken', 'microsoftazureidentitygettoken'],
    ['get-ship', 'GetShip', 'getShip'],
    ['api-version', 'ApiVersion', 'apiVersion'],
    ['$filter', 'Filter', 'filter'],
    ['attr:qualifiedName', 'AttrQualifiedName', 'attrQualifiedName'],
    ['certificate.name', 'CertificateName', 'certificateName'],
    ['x-ms-client-request-id', 'XMsClientRequestId', 'xMsClientRequestId'],
    ['2fa-settings', '2faSettings', '2faSettings'],
  ])('%s → %s / %s', (name, pascal, camel) => {
    expect(pascalCase(name)).toBe(pascal);
    expect(camelCase(name)).toBe(camel);
  });

  it('allocates unique, valid identifiers: collisions get suffixes, reserved words and digits are fixed', () => {
    const table = new SymbolTable(['Clients']);
    expect(table.allocate('certificateName')).toBe('certificateName');
    expect(table.allocate(camelCase('certificate.name'))).toBe('certificateName2');
    expect(table.allocate('certificateName2')).toBe('certificateName22');
    expect(table.allocate('default')).toBe('default_');
    expect(table.allocate('Clients')).toBe('Clients2');
    expect(table.allocate('2faSettings')).toBe('_2faSettings');
  });
});

describe('tool names', () => {
  it('keeps valid names, sanitises others, shortens long ones deterministically and uniquely', () => {
    const planner = new ToolNamePlanner(64);
    expect(planner.plan('get-ship')).toBe('get-ship');
    expect(planner.plan('get ship/now')).toBe('get-ship-now');
    const long = `microsoft-azure-${'configuration-profile-assignment-'.repeat(3)}create`;
    const a = planner.plan(long);
    expect(a.length).toBeLessThanOrEqual(64);
    expect(a).toMatch(/^microsoft-azure-configuration-.*-[0-9a-f]{8}$/);
    expect(new ToolNamePlanner(64).plan(long)).toBe(a);
    expect(planner.plan(`${long}-2`)).not.toBe(a);
    expect(planner.plan('get-ship')).toBe('get-ship-2');
  });
});

describe('escaping', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", '"it\'s"'],
    ['a\'b"c', "'a\\'b\"c'"],
    ['line\nbreak\u2028sep', "'line\\nbreak\\u2028sep'"],
    ['back\\slash ${x} `tick`', "'back\\\\slash ${x} `tick`'"],
    ['nul\u0000', "'nul\\u0000'"],
  ])('string literal of %j', (value, want) => {
    expect(stringLiteral(value)).toBe(want);
    expect(eval(want)).toBe(value);
  });

  it('keys and access quote what is not an identifier', () => {
    expect(propertyKey('resource')).toBe('resource');
    expect(propertyKey('api-version')).toBe("'api-version'");
    expect(propertyKey('$filter')).toBe('$filter');
    expect(propertyAccess('query', 'api-version')).toBe("query['api-version']");
  });

  it('doc comments cannot be closed early', () => {
    const doc = docComment('evil */ console.log(1); /* again\r\nsecond line');
    expect(doc.match(/\*\//g)).toHaveLength(1);
    expect(doc.endsWith('*/')).toBe(true);
    expect(doc).toContain('second line');
  });
});
