/**
 * `spotpipe-sandbox`: runs the sandbox in the foreground, prints its URL, both test users with their passwords
 * and the sandbox-only secret key (fixed, public test credentials of a local server), then one line per
 * request; Ctrl-C stops it.
 */
import { Result } from "effect"
import { fixtures } from "./Fixtures.ts"
import { parseSandboxArgs, SandboxOptionError, sandboxUsage } from "./Options.ts"
import { startSandbox } from "./Sandbox.ts"

const argv = process.argv.slice(2)
if (argv.includes("--help") || argv.includes("-h")) {
  process.stdout.write(
    `${sandboxUsage}\n\nExamples:\n  spotpipe-sandbox --port 4010 --rows 100000\n  spotpipe-sandbox --faults flaky --token-validity 5\n`
  )
  process.exit(0)
}
const parsed = parseSandboxArgs(argv, process.env)
if (Result.isFailure(parsed)) {
  process.stderr.write(`spotpipe-sandbox: ${parsed.failure.message}\n`)
  process.exit(2)
}
const options = parsed.success
try {
  const sandbox = await startSandbox({ ...options, log: (line) => process.stdout.write(`${line}\n`) })
  process.stdout.write(
    `spotpipe sandbox listening on ${sandbox.url} (API ${sandbox.url}/api/rest/2.0)\n` +
      `rows ${sandbox.rows}, time zone ${sandbox.timezone}, seed ${sandbox.seed}\n` +
      `user ${fixtures.user.username} / ${fixtures.user.password} (full access)\n` +
      `user ${fixtures.limitedUser.username} / ${fixtures.limitedUser.password} (limited: the Orders model, "Revenue by Month", "Order Details", "Sales Overview")\n` +
      `trusted-auth secret key: ${sandbox.secretKey}\n` +
      `(sandbox-only test credentials)\n`
  )
  const stop = () => {
    sandbox.close().then(() => process.exit(0))
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
} catch (e) {
  process.stderr.write(`spotpipe-sandbox: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(e instanceof SandboxOptionError ? 2 : 1)
}
