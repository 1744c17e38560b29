// Preloaded with NODE_OPTIONS="--import …/cpu-profile-preload.mjs" (Node 20 refuses --cpu-prof
// there): profiles the whole process with the inspector and writes
// CPU_PROFILE_DIR/<pid>.cpuprofile when it exits. Only for `BENCH_PROFILE_DIR` runs of the bench.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
process.once('exit', () => {
  session.post('Profiler.stop', (error, result) => {
    if (!error) {
      writeFileSync(
        join(process.env.CPU_PROFILE_DIR ?? '.', `${process.pid}.cpuprofile`),
        JSON.stringify(result.profile),
      );
    }
  });
});
