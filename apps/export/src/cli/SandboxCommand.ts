/**
 * `spotpipe sandbox`: the `@spotpipe/sandbox` server in the foreground. Its flags are the sandbox package's own
 * (`@spotpipe/sandbox/flags`, the same definitions as its `spotpipe-sandbox` bin), so they cannot drift apart.
 * Only those definitions load at start-up; the server is loaded when the command runs, so exports from a real
 * cluster never pay for it. Its start-up example calls spotpipe as it is called where it runs: `spotpipe` when
 * installed, the checkout's pnpm script in a checkout.
 */
import { fileURLToPath } from "node:url"
import type { SandboxOptions } from "@spotpipe/sandbox"
import { makeSandboxCommand } from "@spotpipe/sandbox/flags"
import { Console, Effect, FileSystem } from "effect"
import { loadSandbox } from "../cluster/CoreCluster.ts"
import { isLoopbackHost } from "../cluster/HostUrl.ts"
import { ExportError } from "../ExportError.ts"
import { shellWord } from "../Interruption.ts"

/**
 * Whether this is a checkout's sources (`bin/dev.js`, which `pnpm spotpipe` runs) rather than the installed bundle:
 * only the sources are TypeScript files (the bundle in `dist/` is built from them).
 */
const runsFromCheckout = import.meta.url.endsWith(".ts")

/**
 * How another shell calls this spotpipe: `spotpipe` when installed; in a checkout, where no `spotpipe` is on the
 * PATH, its pnpm script through the pnpm the checkout pins (`packageManager` of its package.json), with `-C
 * <checkout>` so that it works from any folder (bin/dev.js then works in the folder it was typed in).
 */
export const spotpipeInvocation: Effect.Effect<string, never, FileSystem.FileSystem> = Effect.gen(function* () {
  if (!runsFromCheckout) return "spotpipe"
  // This file is apps/export/src/cli/SandboxCommand.ts in the checkout.
  const root = fileURLToPath(new URL("../../../../", import.meta.url)).replace(/\/$/, "")
  const fs = yield* FileSystem.FileSystem
  const pinned = yield* fs.readFileString(`${root}/package.json`).pipe(
    Effect.flatMap((text) => Effect.try(() => (JSON.parse(text) as { packageManager?: unknown }).packageManager)),
    Effect.orElseSucceed(() => undefined)
  )
  // Without a readable pin, the pnpm npx finds: the script still runs, on another pnpm.
  const pnpm = typeof pinned === "string" && /^pnpm@[\w.+-]+$/.test(pinned) ? pinned : "pnpm"
  return `npx -y ${pnpm} -C ${shellWord(root)} spotpipe`
})

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
 * sandbox's own fixed test users and its (local, throw-away) trusted-auth key, so they are printed in full. The
 * example calls spotpipe as `spotpipe` (see {@link spotpipeInvocation}).
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
  },
  spotpipe: string
): ReadonlyArray<string> => [
  `spotpipe sandbox listening on ${sandbox.url} (API ${sandbox.url}/api/rest/2.0)`,
  `rows ${sandbox.rows}, time zone ${sandbox.timezone}, seed ${sandbox.seed}`,
  `user ${users.user.username} / ${users.user.password} (full access)`,
  `user ${users.limitedUser.username} / ${users.limitedUser.password} (limited: the Orders model, "Revenue by Month", "Order Details", "Sales Overview")`,
  `trusted-auth secret key: ${sandbox.secretKey}`,
  "(sandbox-only test credentials)",
  `try: THOUGHTSPOT_HOST=${tryUrl(sandbox.url)} THOUGHTSPOT_USERNAME=${users.user.username} THOUGHTSPOT_PASSWORD='${users.user.password}' ${spotpipe} metadata --out -${isLoopbackHost(new URL(tryUrl(sandbox.url)).hostname) ? "" : " --allow-insecure-http"}`,
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
    yield* Console.log(sandboxStartupLines(sandbox, fixtures, yield* spotpipeInvocation).join("\n"))
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
