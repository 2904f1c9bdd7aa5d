/**
 * What the CLI tests share about a sandbox and a run's folder: the environment that points the CLI at a sandbox
 * as its full-access test user, and every file a run left in a folder.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { fixtures } from "@spotpipe/sandbox"

/** THOUGHTSPOT_HOST, _USERNAME and _PASSWORD for `sandbox` and `user` (default: the full-access user). */
export const sandboxEnv = (
  sandbox: { readonly url: string },
  user: { readonly username: string; readonly password: string } = fixtures.user
): Record<string, string> => ({
  THOUGHTSPOT_HOST: sandbox.url,
  THOUGHTSPOT_USERNAME: user.username,
  THOUGHTSPOT_PASSWORD: user.password
})

/** Every file under `dir`, hidden ones included: relative path → bytes. */
export const filesIn = (dir: string): Map<string, Buffer> => {
  const files = new Map<string, Buffer>()
  const walk = (at: string) => {
    for (const entry of NodeFs.readdirSync(at, { withFileTypes: true })) {
      const full = NodePath.join(at, entry.name)
      if (entry.isDirectory()) walk(full)
      else files.set(NodePath.relative(dir, full), NodeFs.readFileSync(full))
    }
  }
  walk(dir)
  return files
}
