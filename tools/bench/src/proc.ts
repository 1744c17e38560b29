import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

/** The process's user + system CPU time in µs (Linux: /proc/<pid>/stat, clock ticks of 10 ms). */
export function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** A memory field of a process's `/proc/<pid>/status` (`VmRSS`, `VmHWM`…), MiB; 0 when absent. */
export function statusMiB(pid: number, field: string): number {
  const kib = new RegExp(`${field}:\\s+(\\d+) kB`).exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return Number(kib?.[1] ?? 0) / 1024;
}

/**
 * The CPU time of every process of this name on the machine (`comm`, e.g. `postgres`: the server
 * and all its backends, whoever they serve), µs. Processes that end meanwhile are skipped.
 */
export function cpuMicrosOfAll(comm: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === comm) {
        total += cpuMicros(Number(entry));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

/** A Redis server's own CPU time (`INFO cpu`: used_cpu_user + used_cpu_sys), µs. */
export function redisCpuMicros(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setTimeout(2_000, () => {
      socket.destroy();
      reject(new Error('INFO cpu: no answer from Redis'));
    });
    socket.once('error', reject);
    socket.once('connect', () => socket.write('INFO cpu\r\n'));
    socket.on('data', (data) => {
      text += data.toString();
      // A bulk string: `$<length>\r\n<body>\r\n`.
      const header = /^\$(\d+)\r\n/.exec(text);
      if (!header || Buffer.byteLength(text) < header[0].length + Number(header[1])) return;
      socket.destroy();
      const user = /used_cpu_user:([\d.]+)/.exec(text)?.[1];
      const sys = /used_cpu_sys:([\d.]+)/.exec(text)?.[1];
      if (user === undefined || sys === undefined) return reject(new Error('INFO cpu: no figures'));
      resolve((Number(user) + Number(sys)) * 1e6);
    });
  });
}
