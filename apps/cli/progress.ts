/**
 * A one-line progress bar for long commands, drawn only on an interactive terminal: piped or
 * captured output (CI, tests, `> log`) stays clean. Hand-written: one line does not need a dependency.
 */
export interface Progress {
  update(label: string, done: number, total: number): void;
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stdout): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  return {
    update(label, done, total) {
      const now = Date.now();
      // Redraw at most ten times a second, and always at 100%.
      if (now - last < 100 && (total <= 0 || done < total)) return;
      last = now;
      if (total <= 0) {
        // Unknown total: a running count instead of a bar.
        stream.write(`\r${label} ${done}`);
        drawn = true;
        return;
      }
      const width = 30;
      const ratio = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(ratio * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      stream.write(`\r${label.padEnd(8)} ${bar} ${(ratio * 100).toFixed(0).padStart(3)}%`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
