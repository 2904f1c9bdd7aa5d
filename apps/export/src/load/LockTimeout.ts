/**
 * How long a load waits for a lock another process or session holds (`spotpipe load --lock-timeout SECONDS`, a job
 * file's `"load": {"lockTimeoutSeconds": …}`): a DuckDB database file open in another process of this machine, a
 * PostgreSQL lock (the load's session gets it as its `lock_timeout`). Whole seconds, as `--timeout` takes them;
 * 0 waits without limit. Not given: DuckDB waits without limit, PostgreSQL as the session's own `lock_timeout` says.
 */

/** The longest limit that can be given (a day, as `--deadline`'s). */
export const maxLockTimeoutSeconds = 86_400

/** A load's limit on lock waits, and where it was set (for messages that say how to change it). */
export interface LockTimeout {
  /** Whole seconds, 0 without limit; `undefined`: not given. */
  readonly seconds: number | undefined
  /** `flag`: `--lock-timeout`; `job`: the job file's `"load"` block. */
  readonly setting: "flag" | "job"
}

/** Not given, on the command line: what a load without the flag has. */
export const noLockTimeout: LockTimeout = { seconds: undefined, setting: "flag" }

/** The limit in milliseconds, `undefined` when the load waits without limit. */
export const lockTimeoutMillis = (limit: LockTimeout): number | undefined =>
  limit.seconds === undefined || limit.seconds === 0 ? undefined : limit.seconds * 1000

/** The limit with the setting as it was written: `5 s (--lock-timeout 5)`, `5 s ("lockTimeoutSeconds": 5)`. */
export const lockTimeoutShown = (limit: LockTimeout): string =>
  `${limit.seconds} s (${limit.setting === "flag" ? `--lock-timeout ${limit.seconds}` : `"lockTimeoutSeconds": ${limit.seconds}`})`

/** How to wait longer next time (the rest of a sentence). */
export const waitLonger = (limit: LockTimeout): string => {
  const given = limit.seconds !== undefined
  const how =
    limit.setting === "flag"
      ? given
        ? "give a longer --lock-timeout"
        : "give --lock-timeout SECONDS to wait longer"
      : given
        ? `set a longer "lockTimeoutSeconds" in the job file's "load"`
        : `set "lockTimeoutSeconds" in the job file's "load" to wait longer`
  return `${how} (0 waits without limit)`
}

/** How to bound a wait that has no limit yet (the rest of a sentence). */
export const boundWait = (limit: LockTimeout): string =>
  limit.setting === "flag"
    ? "give --lock-timeout SECONDS to bound such a wait"
    : `set "lockTimeoutSeconds" in the job file's "load" to bound such a wait`
