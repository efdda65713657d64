/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and sums time by function: self time
 * (samples whose top frame is the function) and, for packages, inclusive time (samples with any
 * frame of the package on the stack, counted once).
 *
 * Standalone: `tsx bench/profile.ts <file.cpuprofile> [top]`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  /** `functionName (url)`, url shortened to the path below the project or node_modules. */
  name: string;
  selfMs: number;
  /** Of all sampled time except idle. */
  share: number;
}

export interface ProfileSummary {
  file: string;
  wallMs: number;
  /** Sampled time minus `(idle)`: what the process spent on the CPU (program and GC included). */
  busyMs: number;
  idleMs: number;
  gcMs: number;
  top: FunctionTime[];
  /** Time by package (self), e.g. got, graphql, @apollo/server, dataloader, node: internals, the gateway's own code. */
  byPackage: { name: string; selfMs: number; share: number }[];
  /** Samples with any frame of the package on the stack (each sample counted once per package). */
  inclusiveByPackage: { name: string; ms: number; share: number }[];
  got: { selfMs: number; selfShare: number; inclusiveMs: number; inclusiveShare: number };
  /** Inclusive time of frames matching the `inclusive` predicates given to `summarize`. */
  inclusive: Record<string, { ms: number; share: number }>;
}

export type FramePredicate = (frame: { functionName: string; url: string }) => boolean;

const IDLE = new Set(['(idle)']);

function shortUrl(url: string): string {
  if (!url) return '';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const src = url.indexOf('/dist/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

export function packageOf(url: string): string {
  if (!url) return '(native/V8)';
  if (url.startsWith('node:')) return 'node: internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.includes('/dist/src/') || url.includes('/src/')) return 'gateway (src/)';
  return url.replace(/^file:\/\//, '');
}

const isGot = (url: string) => url.includes('/node_modules/got/');

export function summarize(file: string, topN = 10, predicates: Record<string, FramePredicate> = {}): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Self time per node: each sample lasts until the next one (the last gets the mean interval).
  const selfUs = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  const meanDelta = (profile.endTime - profile.startTime) / Math.max(1, samples.length);
  const gotStack = new Map<number, boolean>();
  const underGot = (id: number): boolean => {
    const known = gotStack.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const p = parent.get(id);
    const value = !!node && (isGot(node.callFrame.url) || (p !== undefined && underGot(p)));
    gotStack.set(id, value);
    return value;
  };
  let gotInclusiveUs = 0;
  for (let i = 0; i < samples.length; i++) {
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : meanDelta;
    const d = Math.max(0, dt);
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + d);
    if (underGot(samples[i])) gotInclusiveUs += d;
  }

  // Inclusive time per package and per predicate: walk each sampled node's stack once.
  const packageInclusive = new Map<string, number>();
  const predicateInclusive = new Map<string, number>(Object.keys(predicates).map((k) => [k, 0]));
  for (const [id, us] of selfUs) {
    if (IDLE.has(byId.get(id)!.callFrame.functionName)) continue;
    const packages = new Set<string>();
    const matched = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const frame = byId.get(n)!.callFrame;
      if (frame.url) packages.add(packageOf(frame.url));
      for (const [name, test] of Object.entries(predicates)) if (test(frame)) matched.add(name);
    }
    for (const p of packages) packageInclusive.set(p, (packageInclusive.get(p) ?? 0) + us);
    for (const m of matched) predicateInclusive.set(m, predicateInclusive.get(m)! + us);
  }

  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let idleUs = 0;
  let gcUs = 0;
  let totalUs = 0;
  let gotSelfUs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url } = byId.get(id)!.callFrame;
    totalUs += us;
    if (IDLE.has(functionName)) {
      idleUs += us;
      continue;
    }
    if (functionName === '(garbage collector)') gcUs += us;
    if (isGot(url)) gotSelfUs += us;
    const key = `${functionName || '(anonymous)'}${url ? ` (${shortUrl(url)})` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const pkg = functionName.startsWith('(') && !url ? functionName : packageOf(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const share = (us: number) => (busyUs > 0 ? us / busyUs : 0);
  return {
    file,
    wallMs: (profile.endTime - profile.startTime) / 1000,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    gcMs: gcUs / 1000,
    top: [...byFunction]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: share(us) })),
    byPackage: [...byPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: share(us) })),
    inclusiveByPackage: [...packageInclusive]
      .filter(([name]) => name !== 'node: internals')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })),
    got: { selfMs: gotSelfUs / 1000, selfShare: share(gotSelfUs), inclusiveMs: gotInclusiveUs / 1000, inclusiveShare: share(gotInclusiveUs) },
    inclusive: Object.fromEntries([...predicateInclusive].map(([name, us]) => [name, { ms: us / 1000, share: share(us) }])),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tsx bench/profile.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(summarize(file, Number(process.argv[3] ?? 20)), null, 2)}\n`);
}
