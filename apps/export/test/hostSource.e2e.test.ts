/**
 * A host that cannot be reached is named with where it came from (`--host`, THOUGHTSPOT_HOST, a profile, a job
 * file), for `auth status` and the exports alike: "check --host" sent a user whose host came from elsewhere looking
 * at a flag they never gave. In-process runs against a loopback port where nothing listens.
 */
import * as NodeFs from "node:fs"
import type { AddressInfo } from "node:net"
import { createServer } from "node:net"
import * as NodePath from "node:path"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-host-source-")
let dead: string
let configFile: string

/** A loopback URL where nothing listens: a port the OS handed out, closed again. */
const closedPort = async (): Promise<string> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

const credentials = { THOUGHTSPOT_USERNAME: fixtures.user.username, THOUGHTSPOT_PASSWORD: fixtures.user.password }

beforeAll(async () => {
  dead = await closedPort()
  configFile = NodePath.join(tempDir(), "config.json")
  const set = await runCliInProcess(["config", "set", "host", dead, "--profile", "dead"], {
    env: { SPOTPIPE_CONFIG: configFile }
  })
  if (set.code !== 0) throw new Error(set.stderr)
})

describe("an unreachable host is named with where it came from", () => {
  const listening = (where: string) => `nothing is listening at ${dead.replace("http://", "")}: check ${where}`

  it("host-from-the-environment-is-said-to-come-from-THOUGHTSPOT_HOST", async () => {
    for (const args of [
      ["auth", "status"],
      ["metadata", "--out", NodePath.join(tempDir(), "m")]
    ]) {
      const run = await runCliInProcess(args, { env: { THOUGHTSPOT_HOST: dead, ...credentials } })
      expect(run.code, args[0]).toBe(1)
      expect(run.stderr).toContain(`${listening("the host from THOUGHTSPOT_HOST")} and that ThoughtSpot is running`)
      expect(run.stderr).not.toContain("check --host")
    }
  })

  it("host-from-a-profile-is-said-to-come-from-that-profile", async () => {
    for (const args of [
      ["auth", "status"],
      ["metadata", "--out", NodePath.join(tempDir(), "p")]
    ]) {
      const run = await runCliInProcess([...args, "--profile", "dead"], {
        env: { SPOTPIPE_CONFIG: configFile, ...credentials }
      })
      expect(run.code, args[0]).toBe(1)
      expect(run.stderr).toContain(listening(`the host from profile "dead"`))
      expect(run.stderr).not.toContain("check --host")
    }
  })

  it("host-from-a-job-file-is-said-to-come-from-it-and-from-the-flag-as-the-flag", async () => {
    const job = NodePath.join(tempDir(), "job.json")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({ connection: { host: dead }, exports: [{ type: "metadata", metadataTypes: ["ANSWER"] }] })
    )
    const fromJob = await runCliInProcess(["run", job, "--out", NodePath.join(tempDir(), "j")], { env: credentials })
    expect(fromJob.code).toBe(1)
    expect(fromJob.stderr).toContain(listening(`the host from the job file's "host"`))
    const fromFlag = await runCliInProcess(["auth", "status", "--host", dead], { env: credentials })
    expect(fromFlag.code).toBe(1)
    expect(fromFlag.stderr).toContain(listening("--host"))
  })
})
