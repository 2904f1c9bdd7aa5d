// @ts-check
/**
 * The start-up settings the CLI's defaults and memory figures were measured with, and the re-launch that gives
 * them to a process started without them (an installed `spotpipe`, `node bin/spotpipe.js`). Two of them are V8
 * flags (V8 sizes its heap at start-up, and Node refuses one of them in `NODE_OPTIONS`) and one is an
 * environment variable that glibc reads at start-up: no process can give them to itself. So the launcher replaces
 * its own process with the same Node binary, the same script and arguments, and the settings added
 * (`process.execve`: same process id, same stdio, so signals, exit codes and pipes behave exactly as without it).
 * The values mirror `src/NodeFlags.ts` (`leanMemory`, `leanMemoryEnv`; a test checks they agree).
 *
 * Nothing is overridden: a flag or variable the caller set, to any value, is kept as it is (the caller's value
 * then decides, e.g. the worker default is off without the exact mmap threshold). The marker variable makes the
 * re-launched process run on even if a setting is still missing, so this never loops; `SPOTPIPE_RELAUNCHED=1`
 * set by the caller turns the re-launch off. Where `process.execve` does not exist (Windows) the CLI runs in
 * the process it was started in, with Node's defaults.
 *
 * Plain JavaScript with no static import: it is loaded before anything else.
 */

/** V8 flags, as `node` arguments (`NodeFlags.leanMemory`). */
export const leanFlags = ["--max-semi-space-size=32", "--heap-growing-percent=25"]

/** Environment read by the C library at start-up (`NodeFlags.leanMemoryEnv`). */
export const leanEnv = { MALLOC_MMAP_THRESHOLD_: "1048576" }

/** Set in the re-launched process's environment, so that it never re-launches again. */
export const relaunchMarker = "SPOTPIPE_RELAUNCHED"

/**
 * What a re-launch adds: the flags whose name appears neither in `execArgv` nor in `NODE_OPTIONS`, and the
 * variables `env` does not set. Empty when the process already has them all (or the caller set its own values).
 * @param {ReadonlyArray<string>} execArgv
 * @param {Readonly<Record<string, string | undefined>>} env
 * @returns {{ flags: Array<string>, env: Record<string, string> }}
 */
export const missingSettings = (execArgv, env) => {
  const given = [...execArgv, ...(env["NODE_OPTIONS"] ?? "").split(/\s+/)].map((arg) => arg.split("=")[0])
  const flags = leanFlags.filter((flag) => !given.includes(flag.split("=")[0]))
  /** @type {Record<string, string>} */
  const vars = {}
  for (const [name, value] of Object.entries(leanEnv)) if (env[name] === undefined) vars[name] = value
  return { flags, env: vars }
}

/**
 * Commands that read or write no export data (their figures do not depend on the settings): they skip the
 * re-launch, whose second start costs ~40 ms — most of a `spotpipe load` of a small run beside the engine's own.
 */
export const quickCommands = ["load", "ls", "api", "config", "auth", "merge"]

/**
 * Whether the command line `args` (after the script) runs an export, i.e. wants the settings: its first word that is
 * not a flag is not one of {@link quickCommands} (a flag's value may come first: then it re-launches, the safe side).
 * @param {ReadonlyArray<string>} args
 */
export const wantsLeanSettings = (args) => {
  const command = args.find((arg) => !arg.startsWith("-"))
  return command === undefined || !quickCommands.includes(command)
}

/**
 * Replaces this process with one that has the settings, when some are missing, the command wants them and the
 * marker is absent; returns only when it does not (settings present, a quick command, re-launched already, or no
 * `process.execve`).
 * @param {string} script the launcher's own path
 */
export const relaunchWithLeanSettings = (script) => {
  if (process.env[relaunchMarker] !== undefined) {
    // Not handed on to what this process starts (a child `spotpipe` must get its own settings).
    delete process.env[relaunchMarker]
    return
  }
  if (!wantsLeanSettings(process.argv.slice(2))) return
  const missing = missingSettings(process.execArgv, process.env)
  if (missing.flags.length === 0 && Object.keys(missing.env).length === 0) return
  if (typeof process.execve !== "function") return
  const env = /** @type {Record<string, string>} */ ({ ...process.env, ...missing.env, [relaunchMarker]: "1" })
  process.execve(
    process.execPath,
    [process.execPath, ...process.execArgv, ...missing.flags, script, ...process.argv.slice(2)],
    env
  )
}
