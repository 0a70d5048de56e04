import type { LogLevel } from './relay-options.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
/** Warn and error lines of one message text: this many at once, then one per second. */
const LINE_BURST = 10;
const LINES_PER_SECOND = 1;
const MAX_KEYS = 1000;

/**
 * Structured JSON-lines logger: one object per line on stderr, filtered by level. Warnings and
 * errors are rate-limited per message text, since clients can provoke some of them at will;
 * the next line that gets through says how many were suppressed.
 */
export class Logger {
  private readonly budget = new Map<string, { tokens: number; at: number; suppressed: number }>();

  constructor(private readonly level: LogLevel = 'info', private readonly write: (line: string) => void = (l) => process.stderr.write(l + '\n'), private readonly now: () => number = Date.now) {}

  debug(msg: string, fields?: Record<string, unknown>): void { this.log('debug', msg, fields); }
  info(msg: string, fields?: Record<string, unknown>): void { this.log('info', msg, fields); }
  warn(msg: string, fields?: Record<string, unknown>): void { this.log('warn', msg, fields); }
  error(msg: string, fields?: Record<string, unknown>): void { this.log('error', msg, fields); }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }

  private log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (!this.enabled(level)) return;
    let suppressed = 0;
    if (level === 'warn' || level === 'error') {
      const now = this.now();
      let b = this.budget.get(msg);
      if (!b) {
        if (this.budget.size >= MAX_KEYS) this.budget.clear();
        this.budget.set(msg, (b = { tokens: LINE_BURST, at: now, suppressed: 0 }));
      }
      b.tokens = Math.min(LINE_BURST, b.tokens + ((now - b.at) / 1000) * LINES_PER_SECOND);
      b.at = now;
      if (b.tokens < 1) {
        b.suppressed++;
        return;
      }
      b.tokens--;
      suppressed = b.suppressed;
      b.suppressed = 0;
    }
    this.write(JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }));
  }
}
