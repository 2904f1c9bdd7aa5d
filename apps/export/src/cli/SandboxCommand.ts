/**
 * `spotpipe sandbox`: the `@spotpipe/sandbox` server in the foreground. Its flags are the sandbox package's own
 * (`@spotpipe/sandbox/flags`, the same definitions as its `spotpipe-sandbox` bin), so they cannot drift apart.
 * Only those definitions load at start-up; the server is loaded when the command runs, so exports from a real
 * cluster never pay for it.
 */
import type { SandboxOptions } from "@spotpipe/sandbox"
import { makeSandboxCommand } from "@spotpipe/sandbox/flags"
import { Console, Effect } from "effect"
import { loadSandbox } from "../cluster/CoreCluster.ts"
import { isLoopbackHost } from "../cluster/HostUrl.ts"
import { ExportError } from "../ExportError.ts"

/**
 * The URL the start-up line's example connects to: a sandbox listening on every address (`--host 0.0.0.0`, `::`)
 * is reached on this machine through loopback, which plain http:// may use without `--allow-insecure-http`.
 */
const tryUrl = (listening: string): string => {
  const url = new URL(listening)
  if (url.hostname === "0.0.0.0") url.hostname = "127.0.0.1"
  else if (url.hostname === "[::]") url.hostname = "[::1]"
  return url.origin
}

/**
 * What `spotpipe sandbox` prints at start-up: where it listens and the credentials it accepts. These are the
 * sandbox's own fixed test users and its (local, throw-away) trusted-auth key, so they are printed in full.
 */
export const sandboxStartupLines = (
  sandbox: {
    readonly url: string
    readonly rows: number
    readonly timezone: string
    readonly seed: number
    readonly secretKey: string
  },
  users: {
    readonly user: { readonly username: string; readonly password: string }
    readonly limitedUser: { readonly username: string; readonly password: string }
  }
): ReadonlyArray<string> => [
  `spotpipe sandbox listening on ${sandbox.url} (API ${sandbox.url}/api/rest/2.0)`,
  `rows ${sandbox.rows}, time zone ${sandbox.timezone}, seed ${sandbox.seed}`,
  `user ${users.user.username} / ${users.user.password} (full access)`,
  `user ${users.limitedUser.username} / ${users.limitedUser.password} (limited: the Orders model, "Revenue by Month", "Order Details", "Sales Overview")`,
  `trusted-auth secret key: ${sandbox.secretKey}`,
  "(sandbox-only test credentials)",
  `try: THOUGHTSPOT_HOST=${tryUrl(sandbox.url)} THOUGHTSPOT_USERNAME=${users.user.username} THOUGHTSPOT_PASSWORD='${users.user.password}' spotpipe metadata --out -${isLoopbackHost(new URL(tryUrl(sandbox.url)).hostname) ? "" : " --allow-insecure-http"}`,
  "Ctrl-C stops it."
]

/** Starts the sandbox with `options` and serves until interrupted (Ctrl-C), then closes it. */
export const runSandbox = (options: SandboxOptions) =>
  Effect.gen(function* () {
    const { fixtures, startSandbox } = yield* loadSandbox
    const sandbox = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => startSandbox({ ...options, log: (line) => process.stderr.write(`${line}\n`) }),
        catch: (cause) =>
          new ExportError({
            kind: "Io",
            message: `cannot start the sandbox: ${cause instanceof Error ? cause.message : String(cause)}`,
            cause
          })
      }),
      (s) => Effect.promise(() => s.close())
    )
    yield* Console.log(sandboxStartupLines(sandbox, fixtures).join("\n"))
    return yield* Effect.never
  }).pipe(Effect.scoped)

/**
 * `spotpipe sandbox [flags]`: the sandbox's flags, checked by effect/cli like every other command's. The
 * secret key comes from SPOTPIPE_SANDBOX_SECRET_KEY only (spotpipe refuses secrets as flag values).
 */
export const sandboxCommand = makeSandboxCommand(
  "sandbox",
  { invocation: "spotpipe sandbox", hideSecretKey: true },
  runSandbox
)
