/**
 * `tsx dev/bench/profile-top.ts FILE.cpuprofile [N]`: the top N frames by self time of a V8 CPU
 * profile (from `node --cpu-prof`, one file per thread), so a profile can be read and compared
 * in a terminal. Frames are grouped by function name and source file.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const flag = (name: string) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? Number.NaN);
// --from/--to (µs, the profiler's monotonic clock; bench:approvals prints them with BENCH_PROFILE_WINDOWS=1): one window's samples.
const [from, to] = [flag('from'), flag('to')];
const [file, n = '25'] = args.filter((a) => !a.startsWith('--'));
if (!file) throw new Error('usage: profile-top.ts FILE.cpuprofile [N] [--from=µs --to=µs]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const frameOf = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
const selfUs = new Map<string, number>();
let totalUs = 0;
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  at += dt;
  if (at < from || at > to) return;
  const f = frameOf.get(id)!;
  const key = `${f.functionName || '(anonymous)'}  ${f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : ''}`;
  selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
  totalUs += dt;
});
const idleUs = [...selfUs].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
console.log(`${basename(file)}: ${(totalUs / 1e6).toFixed(1)} s sampled, ${((totalUs - idleUs) / 1e6).toFixed(1)} s busy`);
for (const [key, us] of [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, Number(n)))
  console.log(`${(us / 1000).toFixed(0).padStart(8)} ms  ${((100 * us) / (totalUs - idleUs || 1)).toFixed(1).padStart(5)}%  ${key}`);
