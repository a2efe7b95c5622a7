/**
 * `generate --watch`: generate, then again whenever a capability file, a file it imports
 * (consumes `location`, bind files) or the config changes. Changes are debounced into one run
 * and one summary line; a broken spec or config is reported and watching goes on. SIGINT and
 * SIGTERM end it with exit 0.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { CONFIG_NAMES, ConfigError, type LoadedConfig } from '../config/find.js';
import { isGlob } from '../config/glob.js';
import { generateOnce, type GenerateFlags } from './commands.js';
import { configFor, runContext } from './context.js';
import { InputError } from './inputs.js';
import type { Io } from './io.js';
import { Reporter } from './report.js';

const DEBOUNCE_MS = 100;

interface WatchSet {
  /** Exact files whose change triggers a run. */
  readonly files: Set<string>;
  /** Folders in which any new or changed YAML file triggers a run (input folders, glob roots). */
  readonly yamlDirs: Set<string>;
  /** Folders searched for a config file (when none is given with --config). */
  readonly configDirs: Set<string>;
}

const time = (): string => new Date().toTimeString().slice(0, 8);
const shown = (path: string): string => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel.split('\\').join('/') : path;
};

export async function watchCommand(args: readonly string[], flags: GenerateFlags, io: Io, stop?: AbortSignal): Promise<number> {
  const watchers = new Map<string, FSWatcher>();
  let set: WatchSet = { files: new Set(), yamlDirs: new Set(), configDirs: new Set() };
  let lastConfigFile: string | undefined;
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const lineFlags = { ...flags, jsonLines: true };

  const round = async (reason: string): Promise<void> => {
    const reporter = new Reporter(io, lineFlags);
    const next: WatchSet = { files: new Set(set.files), yamlDirs: new Set(set.yamlDirs), configDirs: new Set() };
    if (flags.config === undefined) next.configDirs.add(process.cwd());
    if (typeof flags.config === 'string') next.files.add(resolve(flags.config));
    let config: LoadedConfig | undefined;
    try {
      config = await configFor(flags);
      lastConfigFile = config ? resolve(config.dir, basename(config.file)) : undefined;
      const ctx = await runContext(args, flags, config);
      const outcome = await generateOnce(ctx, flags, reporter, false);
      next.files.clear();
      if (lastConfigFile) next.files.add(lastConfigFile);
      if (typeof flags.config === 'string') next.files.add(resolve(flags.config));
      next.yamlDirs.clear();
      for (const input of ctx.inputs) {
        const segments = input.split('/');
        // A glob's static root is watched for new files (not its sub-folders); matched files are watched exactly.
        if (isGlob(input)) next.yamlDirs.add(resolve(segments.slice(0, segments.findIndex(isGlob)).join('/') || '.'));
        else if (!/\.ya?ml$/i.test(input)) next.yamlDirs.add(resolve(input));
      }
      for (const file of ctx.files) next.files.add(resolve(file));
      for (const r of outcome.batch.results) for (const dep of r.dependencies ?? []) next.files.add(dep);
      // Watch first, then say so: a change made right after the line is seen.
      set = next;
      refreshWatchers();
      reporter.line(`${time()} ${reason}: ${outcome.summary}`);
    } catch (error) {
      if (error instanceof ConfigError) {
        reporter.diagnostics(error.diagnostics);
      } else if (error instanceof InputError) {
        reporter.error(`error: ${error.message}`);
      } else {
        throw error;
      }
      if (lastConfigFile) next.files.add(lastConfigFile);
      set = next;
      refreshWatchers();
      reporter.line(`${time()} ${reason}: ${error instanceof ConfigError ? 'the config has errors' : 'nothing to generate'}; waiting for a fix`);
    }
  };

  const relevant = (dir: string, name: string | null): string | undefined => {
    if (name === null) return set.yamlDirs.has(dir) ? dir : undefined;
    const full = resolve(dir, name);
    if (set.files.has(full)) return full;
    if (set.yamlDirs.has(dir) && /\.ya?ml$/i.test(name)) return full;
    if (set.configDirs.has(dir) && CONFIG_NAMES.includes(name)) return full;
    return undefined;
  };

  const refreshWatchers = (): void => {
    const dirs = new Set([...set.yamlDirs, ...set.configDirs, ...[...set.files].map((f) => dirname(f))]);
    for (const [dir, watcher] of watchers) {
      if (!dirs.has(dir)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: true }, (_event, name) => {
          const hit = relevant(dir, typeof name === 'string' ? name : null);
          if (!hit) return;
          pending.add(hit);
          clearTimeout(timer);
          timer = setTimeout(fire, DEBOUNCE_MS);
        });
        watcher.on('error', () => {
          watcher.close();
          watchers.delete(dir);
        });
        watchers.set(dir, watcher);
      } catch {
        // a folder that does not exist (yet): its parent's next change brings it back
      }
    }
  };

  let running = Promise.resolve();
  const fire = (): void => {
    const changed = [...pending].map(shown);
    pending = new Set();
    const reason = `${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ` and ${changed.length - 3} more` : ''} changed`;
    running = running.then(() => round(reason));
  };

  await round('watching');
  return new Promise<number>((resolveExit) => {
    const finish = (): void => {
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      void running.then(() => resolveExit(0), () => resolveExit(0));
    };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    stop?.addEventListener('abort', finish, { once: true });
  });
}
