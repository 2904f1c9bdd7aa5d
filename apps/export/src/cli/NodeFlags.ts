/**
 * V8 flags for a Node process that streams large data pages through the client (the `spotpipe` CLI).
 *
 * Why: a parsed 100 000-row page is tens of MB of small objects that survive until the page is handed on.
 * V8 reads that survival as "the young generation is too small" and grows it to its maximum (two 64 MB
 * semi-spaces on Node 24), and it lets the old generation grow well past the live data before a major GC. On
 * 10 M rows in 100 000-row pages that is about 400 MB peak RSS for about 30 MB of live data. With these flags the
 * young generation stays at 2 × 32 MB, which still lets most of a page die young (at 16 MB each page was copied
 * out and promoted: ~50 % more CPU), and the old generation is collected once it is 25 % above what survived the
 * last major GC: about 260–280 MB in the core bench, at about the default flags' speed.
 *
 * They are start-up flags: V8 sizes its heap when the process starts, and Node refuses
 * `--heap-growing-percent` in `NODE_OPTIONS`. Pass them on the command line, e.g. in the executable's
 * shebang: `#!/usr/bin/env -S node --max-semi-space-size=32 --heap-growing-percent=25`.
 */

/** The flags, as `node` command-line arguments. */
export const leanMemory: ReadonlyArray<string> = ["--max-semi-space-size=32", "--heap-growing-percent=25"]

/**
 * Environment for the same processes, set by whoever starts Node (glibc reads it at start-up, so a process cannot
 * set it for itself). Each page's body and its decoded text are large `malloc` blocks; after the first one is
 * freed, glibc raises its mmap threshold to that size and serves the next ones from its heap, which it keeps
 * (fragmented) after they are freed. A fixed 1 MiB threshold keeps large blocks in `mmap`, returned to the system
 * when freed: on 10 M rows in 100 000-row pages, lean peak RSS 296–317 → 249–260 MB in one measurement (the core
 * bench runs its lean readers with it). No effect on other C libraries.
 * In a shebang: `#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=1048576 node --max-semi-space-size=32 …`.
 */
export const leanMemoryEnv: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: "1048576" }

/** Whether this process was started with every flag of `flags` (reads `process.execArgv`). */
export const isRunningWith = (flags: ReadonlyArray<string> = leanMemory): boolean =>
  flags.every((flag) => process.execArgv.includes(flag))
