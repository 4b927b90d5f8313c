import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A TypeScript app type-checking its analytics calls against the built declarations (dist: build
 * first), in a folder of its own whose node_modules links this package and the schemas it depends on,
 * as `npm install` of the tarballs leaves them. Every module setting apps use, ESM and CommonJS.
 */
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** The calls of the README and what apps write: `@ts-expect-error` marks what must not compile (unused, it is an error itself). */
const CONSUMER = `
import { createEventline, identify, init, track, type Client, type Properties } from '@eventline/sdk';
import { createEventline as nodeClient } from '@eventline/sdk/node';
import { createEventline as appClient } from '@eventline/sdk/react-native';

interface CartItem { sku: string; quantity: number; addedAt: Date }
interface CartViewed { items: CartItem[]; total: number; coupon?: string }
interface User { plan: 'free' | 'pro'; signedUpAt: Date }
declare const cart: CartViewed;
declare const user: User;

const client: Client = init({ writeKey: 'k', endpoint: 'https://ingest.example.com' });
track('af_purchase', { af_revenue: 19.99, af_currency: 'EUR', af_content_id: 'sku-42', note: 'any other key' });
track('cart_viewed', cart); // a value typed by an interface
identify('user-123', user);
client.page('Checkout', cart);
client.group('acme', user); // an interface for traits too
identify('user-123', { plan: 'pro', seats: 3 });
const props: Properties = { af_quantity: 2, shown: true };
createEventline({ writeKey: 'k', endpoint: 'https://x', autoPage: false }).screen('Home', props);
nodeClient({ writeKey: 'k', endpoint: 'https://x', closeTimeoutMs: 1000 }).track('signup', cart, { userId: 'user-123' });
void appClient;
// A union-typed value: every member checked (a conditional type inferred only the first, TS2345).
type Tapped = { kind: 'button'; label: string } | { kind: 'link'; href: string; af_revenue?: number };
declare const tapped: Tapped;
track('tapped', tapped);
identify('user-123', tapped);
// A generic wrapper: \`T extends object\` passes (the runtime refuses what is not a plain object's JSON).
function trackWith<T extends object>(name: string, properties: T): void {
  track(name, properties);
  client.group('acme', properties);
}
trackWith('cart_viewed', cart);
nodeClient({ writeKey: 'k', endpoint: 'https://x' }).track('signup', tapped, { userId: 'user-123' });

interface WrongRevenue { af_revenue: string }
declare const wrong: WrongRevenue;
// @ts-expect-error af_revenue is a number
track('af_purchase', { af_revenue: '19.99' });
// @ts-expect-error af_currency is a string
track('af_purchase', { af_currency: 978 });
// @ts-expect-error af_revenue is a number, through an interface too
track('af_purchase', wrong);
// @ts-expect-error properties are an object
track('af_purchase', 'sku-42');
// @ts-expect-error an array is not a set of properties
track('cart_viewed', cart.items);
// @ts-expect-error nor a Date
track('signed_up', user.signedUpAt);
// @ts-expect-error nor a function
track('clicked', () => cart);
// @ts-expect-error nor a Promise (a forgotten await)
track('cart_viewed', Promise.resolve(cart));
// @ts-expect-error nor a Map
track('cart_viewed', new Map([['total', 1]]));
// @ts-expect-error nor a Set
client.page('Checkout', new Set([1]));
// @ts-expect-error traits: an array neither
identify('user-123', ['pro']);
// @ts-expect-error traits: nor a Promise
client.group('acme', Promise.resolve(user));
// @ts-expect-error nor a string
identify('user-123', 'pro');
// @ts-expect-error a union with an array in it
track('cart_viewed', Math.random() > 0.5 ? cart : cart.items);
// @ts-expect-error the Node entry's track too
nodeClient({ writeKey: 'k', endpoint: 'https://x' }).track('signup', [1, 2], { userId: 'user-123' });
// Read back, values are unknown, never any: a typo is caught, no-unsafe-* lint stays quiet.
// @ts-expect-error unknown has no property
props.shown.toFixed();
const revenue: number | undefined = props.af_quantity;
void revenue;
// @ts-expect-error closeTimeoutMs is the Node entry's
createEventline({ writeKey: 'k', endpoint: 'https://x', closeTimeoutMs: 1000 });
`;

const SETTINGS: [string, ts.CompilerOptions, string][] = [
  ['nodenext, ESM', { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }, 'app.mts'],
  ['nodenext, CommonJS', { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }, 'app.cts'],
  ['node16, ESM', { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }, 'app.mts'],
  ['node16, CommonJS', { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }, 'app.cts'],
  ['bundler', { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }, 'app.ts'],
  ['node10, "module": "commonjs"', { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 }, 'app.ts'],
];

let app = '';
beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'eventline-ts-consumer-'));
  mkdirSync(join(app, 'node_modules', '@eventline'), { recursive: true });
  symlinkSync(packageDir, join(app, 'node_modules', '@eventline', 'sdk'), 'dir');
  symlinkSync(join(packageDir, '..', 'schemas'), join(app, 'node_modules', '@eventline', 'schemas'), 'dir');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  for (const file of ['app.ts', 'app.mts', 'app.cts']) writeFileSync(join(app, file), CONSUMER);
});
afterAll(() => rmSync(app, { recursive: true, force: true }));

/** Every diagnostic of the app's program, as `file:line message`. */
function check(file: string, settings: ts.CompilerOptions): string[] {
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [], ...settings };
  return ts.getPreEmitDiagnostics(ts.createProgram([join(app, file)], options)).map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName.slice(app.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

describe('a TypeScript app type-checking against the built package', () => {
  // skipLibCheck as apps' templates set it (the declarations themselves are checked once, below): lib.dom costs seconds a program.
  it.each(SETTINGS)('%s: the README calls compile, interface-typed values too, and mistyped AppsFlyer keys do not', (_name, settings, file) => {
    expect(check(file, { ...settings, skipLibCheck: true })).toEqual([]);
  });

  it('the declarations themselves type-check (skipLibCheck off)', () => {
    expect(check('app.ts', { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: false })).toEqual([]);
  }, 60_000);
});
