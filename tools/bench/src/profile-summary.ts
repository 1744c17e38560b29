/**
 * `tsx src/profile-summary.ts <file.cpuprofile>… [--top N]`: where a `--cpu-prof` profile's time
 * went, as self time grouped by owner (a node_modules package, a workspace of this repository,
 * Node's own code, GC, idle) and the top functions by self time.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
  parent?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Who a frame's code belongs to: a package, a workspace of this repository, node, or V8. */
export function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const workspace = /\/(apps|packages|tools)\/([^/]+)\//.exec(url);
  if (workspace) return `${workspace[1]}/${workspace[2]}`;
  if (url.startsWith('node:')) return 'node';
  return url;
}

/**
 * Self time (µs) by owner and by function, and inclusive time by owner (samples with the owner
 * anywhere on the stack), over every profile given, skipping each profile's first `skipMs`.
 */
export function summarise(profiles: readonly Profile[], skipMs = 0) {
  const owners = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    for (const node of profile.nodes) {
      for (const child of node.children ?? []) byId.get(child)!.parent = node.id;
    }
    let elapsed = 0;
    profile.samples.forEach((id, i) => {
      const dt = profile.timeDeltas[i] ?? 0;
      elapsed += dt;
      if (elapsed < skipMs * 1000) return;
      const frame = byId.get(id)!.callFrame;
      const seen = new Set<string>();
      for (
        let node = byId.get(id);
        node;
        node = node.parent === undefined ? undefined : byId.get(node.parent)
      ) {
        seen.add(ownerOf(node.callFrame.url, node.callFrame.functionName));
      }
      for (const owner of seen) inclusive.set(owner, (inclusive.get(owner) ?? 0) + dt);
      const owner = ownerOf(frame.url, frame.functionName);
      total += dt;
      owners.set(owner, (owners.get(owner) ?? 0) + dt);
      const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(apps|packages)\//, '$1/')}:${frame.lineNumber + 1}`;
      functions.set(name, (functions.get(name) ?? 0) + dt);
    });
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    total,
    owners: sorted(owners),
    inclusive: sorted(inclusive),
    functions: sorted(functions),
  };
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
  const skipAt = args.indexOf('--skip-ms');
  const skip = skipAt >= 0 ? Number(args.splice(skipAt, 2)[1]) : 0;
  const { total, owners, inclusive, functions } = summarise(
    args.map((file) => JSON.parse(readFileSync(file, 'utf8')) as Profile),
    skip,
  );
  const busy = total - (owners.find(([o]) => o === '(idle)')?.[1] ?? 0);
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  process.stdout.write(`busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms\n`);
  for (const [owner, us] of owners)
    if (owner !== '(idle)') process.stdout.write(`${pct(us)}  ${owner}\n`);
  process.stdout.write('\ninclusive (on the stack):\n');
  for (const [owner, us] of inclusive.slice(0, top)) process.stdout.write(`${pct(us)}  ${owner}\n`);
  process.stdout.write('\n');
  for (const [name, us] of functions.slice(0, top)) process.stdout.write(`${pct(us)}  ${name}\n`);
}
