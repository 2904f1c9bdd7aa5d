/**
 * `spotpipe config` and `spotpipe auth status` end to end: the packed CLI against a loopback sandbox, with a
 * config file of the test's own (SPOTPIPE_CONFIG). A profile set up by `config set` signs in; flags override it
 * field by field, and so do the THOUGHTSPOT_* variables unless `--profile` named it; a profile's secret never goes
 * to another host, nor the environment's to another host than THOUGHTSPOT_HOST's (a loopback server that records
 * what it is sent shows it); the status says where each setting came from; refused credentials end with exit 1,
 * ThoughtSpot's reason and where they came from, never the secret. Runs are real processes, since most check that
 * no secret reaches what the process prints, except the config file's set-up and two usage errors, in-process.
 */
import * as NodeFs from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { formatSpan } from "../src/cli/AuthCommand.ts"
import { runCliInProcess } from "./support/inProcess.ts"
import { noConfig, runCli } from "./support/runCli.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-auth-")

const timeout = { timeout: 60_000 }

let sandbox: RunningSandbox
let configFile: string
/** Another "cluster" on loopback: records every request (path and body) and refuses it. */
let recorder: { readonly url: string; readonly seen: Array<{ path: string; body: string }>; close: () => void }

const startRecorder = async (): Promise<typeof recorder> => {
  const seen: Array<{ path: string; body: string }> = []
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      seen.push({ path: req.url ?? "", body: Buffer.concat(chunks).toString("utf8") })
      res.writeHead(401, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: { message: { debug: "Incorrect credentials" } } }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => {
      server.closeAllConnections()
      server.close()
    }
  }
}

/** The CLI with the test's config file and `env`. */
const spotpipe = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  runCli(args, { env: { SPOTPIPE_CONFIG: configFile, ...env } })

/** The same in-process, where what is tested is not what the process prints (no secret is in play). */
const spotpipeInProcess = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  runCliInProcess(args, { env: { SPOTPIPE_CONFIG: configFile, ...env } })

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 })
  recorder = await startRecorder()
  configFile = NodePath.join(tempDir(), "config.json")
  for (const [key, value] of [
    ["host", sandbox.url],
    ["username", fixtures.user.username],
    ["secret", "env:TS_PW"]
  ] as const) {
    const run = await spotpipeInProcess(["config", "set", key, value, "--profile", "prod"])
    if (run.code !== 0) throw new Error(`config set ${key} failed: ${run.stderr}`)
  }
  const run = await spotpipeInProcess(["config", "set", "host", sandbox.url, "--profile", "trusted"])
  if (run.code !== 0) throw new Error(run.stderr)
  await spotpipeInProcess(["config", "set", "username", fixtures.user.username, "--profile", "trusted"])
  await spotpipeInProcess(["config", "set", "auth", "secret-key", "--profile", "trusted"])
  await spotpipeInProcess(["config", "set", "secret", "env:TS_KEY", "--profile", "trusted"])
  for (const [key, value] of [
    ["host", recorder.url],
    ["username", "rec-user"],
    ["secret", "env:REC_PW"]
  ] as const) {
    const set = await spotpipeInProcess(["config", "set", key, value, "--profile", "recorded"])
    if (set.code !== 0) throw new Error(`config set ${key} failed: ${set.stderr}`)
  }
})

afterAll(async () => {
  await sandbox?.close()
  recorder?.close()
})

describe("spotpipe auth status", () => {
  it("auth-status-json-from-the-default-profile", timeout, async () => {
    const run = await spotpipe(["auth", "status", "--json"], { TS_PW: fixtures.user.password })
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const status = JSON.parse(run.stdout)
    expect(status).toMatchObject({
      host: sandbox.url,
      profile: { name: "prod", chosen_by: "the config file's default", file: configFile },
      auth: "password",
      user: { name: fixtures.user.username },
      org: { id: 0, name: "Primary" },
      sources: { host: 'profile "prod"', username: 'profile "prod"', secret: 'profile "prod" (env:TS_PW)' }
    })
    expect(status.user.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(typeof status.user.display_name).toBe("string")
    expect(status.cluster.version).toMatch(/^\d+\.\d+/)
    expect(status.cluster.time_zone).toBe(sandbox.timezone)
    expect(run.stdout).not.toContain(fixtures.user.password)
  })

  it("auth-status-a-profile-named-by-flag-beats-the-variables-whose-host-gets-nothing", timeout, async () => {
    recorder.seen.length = 0
    const devPassword = "Dev-Pw-3391"
    const run = await spotpipe(["auth", "status", "--profile", "prod"], {
      THOUGHTSPOT_HOST: recorder.url,
      THOUGHTSPOT_USERNAME: fixtures.limitedUser.username,
      THOUGHTSPOT_PASSWORD: devPassword,
      TS_PW: fixtures.user.password
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain(`host      ${sandbox.url}  (profile "prod")`)
    expect(run.stdout).toContain(`user      ${fixtures.user.username} (`)
    expect(run.stdout).toContain('sign-in   password  (profile "prod" (env:TS_PW))')
    expect(run.stdout).toContain(`profile   prod  (--profile, ${configFile})`)
    // Neither prod's secret went to THOUGHTSPOT_HOST's host, nor (it signed in as prod's user) dev's to prod.
    expect(recorder.seen).toEqual([])
    expect(run.stdout + run.stderr).not.toContain(devPassword)
  })

  it("a-profile-named-by-flag-signs-in-with-its-own-secret-not-the-environments", timeout, async () => {
    recorder.seen.length = 0
    const run = await spotpipe(["auth", "status", "--profile", "recorded"], {
      THOUGHTSPOT_USERNAME: "dev-user",
      THOUGHTSPOT_PASSWORD: "Dev-Pw-3391",
      REC_PW: "Rec-Pw-5170"
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`ThoughtSpot refused the credentials for rec-user at ${recorder.url}`)
    const signIns = recorder.seen.filter((r) => r.path.endsWith("/auth/token/full"))
    expect(signIns.length).toBeGreaterThan(0)
    for (const { body } of signIns)
      expect(JSON.parse(body)).toMatchObject({ username: "rec-user", password: "Rec-Pw-5170" })
    expect(recorder.seen.map((r) => r.body).join("\n")).not.toContain("Dev-Pw-3391")
  })

  it("auth-status-flags-still-beat-a-profile-named-by-flag-field-by-field", timeout, async () => {
    const passwordFile = NodePath.join(tempDir(), "pw")
    NodeFs.writeFileSync(passwordFile, `${fixtures.limitedUser.password}\n`)
    const run = await spotpipe(
      [
        "auth",
        "status",
        "--profile",
        "prod",
        "--org-id",
        "0",
        "--username",
        fixtures.limitedUser.username,
        "--password-file",
        passwordFile
      ],
      { THOUGHTSPOT_USERNAME: "someone-else", THOUGHTSPOT_PASSWORD: "unused-Pw-1", TS_PW: "unused-Pw-2" }
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain(`user      ${fixtures.limitedUser.username} (`)
    expect(run.stdout).toContain("(--username)")
    expect(run.stdout).toContain("sign-in   password  (--password-file)")
    expect(run.stdout).toContain("org       Primary (id 0)  (--org-id)")
    expect(run.stdout).toContain(`host      ${sandbox.url}  (profile "prod")`)
    expect(run.stdout).not.toContain(fixtures.limitedUser.password)
  })

  it("auth-status-variables-beat-a-profile-chosen-by-thoughtspot-profile-field-by-field", timeout, async () => {
    const run = await spotpipe(["auth", "status"], {
      THOUGHTSPOT_PROFILE: "prod",
      THOUGHTSPOT_USERNAME: fixtures.limitedUser.username,
      THOUGHTSPOT_PASSWORD: fixtures.limitedUser.password,
      TS_PW: "unused-Pw-1"
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain(`user      ${fixtures.limitedUser.username} (`)
    expect(run.stdout).toContain("(THOUGHTSPOT_USERNAME)")
    expect(run.stdout).toContain("sign-in   password  (THOUGHTSPOT_PASSWORD)")
    expect(run.stdout).toContain(`host      ${sandbox.url}  (profile "prod")`)
    expect(run.stdout).toContain(`profile   prod  (THOUGHTSPOT_PROFILE, ${configFile})`)
    expect(run.stdout).not.toContain(fixtures.limitedUser.password)
  })

  it("thoughtspot-profile-set-but-empty-uses-no-profile-not-the-default-exit-2-saying-so", timeout, async () => {
    // prod is the config file's default; an exported but empty THOUGHTSPOT_PROFILE names no profile at all.
    const run = await spotpipeInProcess(["auth", "status"], { THOUGHTSPOT_PROFILE: "", TS_PW: fixtures.user.password })
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).toContain("no ThoughtSpot host: THOUGHTSPOT_PROFILE is set but empty; ")
    expect(run.stdout).toBe("")
  })

  it("a-profiles-secret-never-goes-to-another-host-exit-2-and-no-request", timeout, async () => {
    recorder.seen.length = 0
    const password = fixtures.user.password
    const [flagged, variable, exported] = await Promise.all([
      spotpipe(["auth", "status", "--host", recorder.url, "--profile", "prod"], { TS_PW: password }),
      spotpipe(["auth", "status"], { THOUGHTSPOT_HOST: recorder.url, TS_PW: password }),
      spotpipe(["metadata", "--type", "TAG", "--out", "-", "--quiet"], {
        THOUGHTSPOT_HOST: recorder.url,
        TS_PW: password
      })
    ])
    expect(flagged.code).toBe(2)
    expect(flagged.stderr.trim()).toBe(
      `spotpipe: the host in effect is ${recorder.url} (from --host), but profile "prod" keeps its password (env:TS_PW) for its own host ${sandbox.url}: give a secret for ${recorder.url} (pass --username and --password-file or set THOUGHTSPOT_USERNAME and one of THOUGHTSPOT_PASSWORD, THOUGHTSPOT_SECRET_KEY or THOUGHTSPOT_TOKEN), or drop --host to connect to ${sandbox.url}`
    )
    for (const run of [variable, exported]) {
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(`the host in effect is ${recorder.url} (from THOUGHTSPOT_HOST), but profile "prod"`)
      expect(run.stderr).toContain(`or unset THOUGHTSPOT_HOST to connect to ${sandbox.url}`)
    }
    for (const run of [flagged, variable, exported]) expect(run.stdout + run.stderr).not.toContain(password)
    expect(recorder.seen).toEqual([])
  })

  it(
    "the-environments-secret-never-goes-to-another-host-than-thoughtspot-hosts-exit-2-and-no-request",
    timeout,
    async () => {
      recorder.seen.length = 0
      const devPassword = "Dev-Pw-8830"
      // No profile: the common CI setup, with THOUGHTSPOT_HOST exported beside the secret.
      const exported = {
        ...noConfig,
        THOUGHTSPOT_HOST: sandbox.url,
        THOUGHTSPOT_USERNAME: "rec-user",
        THOUGHTSPOT_PASSWORD: devPassword
      }
      const dir = tempDir()
      const job = NodePath.join(dir, "job.json")
      NodeFs.writeFileSync(
        job,
        JSON.stringify({
          connection: { host: recorder.url },
          exports: [{ type: "metadata", metadataTypes: ["TAG"], output: "tags" }]
        })
      )
      const [flagged, fromJob] = await Promise.all([
        runCli(["auth", "status", "--host", recorder.url], { env: exported }),
        runCli(["run", job, "--out", NodePath.join(dir, "out"), "--quiet"], { env: exported })
      ])
      expect(flagged.code).toBe(2)
      expect(flagged.stderr.trim()).toBe(
        `spotpipe: the host in effect is ${recorder.url} (from --host), but THOUGHTSPOT_PASSWORD is kept for THOUGHTSPOT_HOST's host ${sandbox.url}: give a secret for ${recorder.url} (pass --username and --password-file), unset THOUGHTSPOT_HOST to send THOUGHTSPOT_PASSWORD there, or drop --host to connect to ${sandbox.url}`
      )
      expect(fromJob.code).toBe(2)
      expect(fromJob.stderr).toContain(
        `the host in effect is ${recorder.url} (from the job file's "host"), but THOUGHTSPOT_PASSWORD is kept for THOUGHTSPOT_HOST's host ${sandbox.url}`
      )
      for (const run of [flagged, fromJob]) expect(run.stdout + run.stderr).not.toContain(devPassword)
      expect(recorder.seen).toEqual([])

      // A secret of its own for the other host is sent there, the environment's not.
      const passwordFile = NodePath.join(dir, "pw")
      NodeFs.writeFileSync(passwordFile, "Rec-Pw-2291\n")
      const own = await runCli(["auth", "status", "--host", recorder.url, "--password-file", passwordFile], {
        env: exported
      })
      expect(own.code, own.stderr).toBe(1)
      const signIns = () => recorder.seen.filter((r) => r.path.endsWith("/auth/token/full"))
      expect(signIns().length).toBeGreaterThan(0)
      for (const { body } of signIns())
        expect(JSON.parse(body)).toMatchObject({ username: "rec-user", password: "Rec-Pw-2291" })
      expect(recorder.seen.map((r) => r.body).join("\n")).not.toContain(devPassword)

      // Without THOUGHTSPOT_HOST the environment's secret goes to the host in effect, as it always did.
      recorder.seen.length = 0
      const { THOUGHTSPOT_HOST: _, ...hostless } = exported
      const unset = await runCli(["auth", "status", "--host", recorder.url], { env: hostless })
      expect(unset.code, unset.stderr).toBe(1)
      expect(signIns().length).toBeGreaterThan(0)
      for (const { body } of signIns())
        expect(JSON.parse(body)).toMatchObject({ username: "rec-user", password: devPassword })
    }
  )

  it("auth-status-secret-key-profile-chosen-by-variable", timeout, async () => {
    const run = await spotpipe(["auth", "status", "--json"], {
      THOUGHTSPOT_PROFILE: "trusted",
      TS_KEY: sandbox.secretKey
    })
    expect(run.code).toBe(0)
    const status = JSON.parse(run.stdout)
    expect(status.auth).toBe("secret-key")
    expect(status.profile.chosen_by).toBe("THOUGHTSPOT_PROFILE")
    expect(status.sources.secret).toBe('profile "trusted" (env:TS_KEY)')
    expect(run.stdout).not.toContain(sandbox.secretKey)
  })

  it("auth-status-refused-password-exit-1-with-reason-and-source", timeout, async () => {
    const wrong = "Wrong-Pw-8412"
    const run = await spotpipe(["auth", "status"], { TS_PW: wrong })
    expect(run.code).toBe(1)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain(`ThoughtSpot refused the credentials for ${fixtures.user.username} at ${sandbox.url}`)
    expect(run.stderr).toContain('check the user from profile "prod" and the password from profile "prod" (env:TS_PW)')
    expect(run.stderr).not.toContain(wrong)
  })

  it("an-export-refused-names-where-the-credentials-came-from-as-auth-status-does", timeout, async () => {
    const dir = tempDir()
    const passwordFile = NodePath.join(dir, "pw")
    NodeFs.writeFileSync(passwordFile, "Wrong-Pw-5521\n", { mode: 0o600 })
    const flags = ["--host", sandbox.url, "--username", fixtures.user.username, "--password-file", passwordFile]
    const [exported, status] = await Promise.all([
      spotpipe(["answer", "Revenue by Month", "--out", NodePath.join(dir, "out"), ...flags]),
      spotpipe(["auth", "status", ...flags])
    ])
    for (const run of [exported, status]) {
      expect(run.code).toBe(1)
      const line = run.stderr.trimEnd()
      expect(line).toMatch(
        new RegExp(
          `^spotpipe: ThoughtSpot refused the credentials for ${fixtures.user.username} at ${sandbox.url}: .*; check the user from --username and the password from --password-file$`
        )
      )
      expect(line).not.toContain("THOUGHTSPOT_")
      expect(line.match(/credentials/g)).toHaveLength(1) // the reason said once
      expect(line).not.toContain("Wrong-Pw-5521")
    }
  })

  it("sandbox-wins-over-exported-thoughtspot-variables-and-gets-none-of-their-credentials", timeout, async () => {
    const run = await spotpipe(["auth", "status", "--sandbox", "--json"], {
      THOUGHTSPOT_HOST: "https://real.example.com",
      THOUGHTSPOT_USERNAME: "someone-real",
      THOUGHTSPOT_PASSWORD: "Real-Pw-7731"
    })
    expect(run.code, run.stderr).toBe(0)
    const status = JSON.parse(run.stdout)
    expect(status.user.name).toBe(fixtures.user.username)
    expect(status.sources).toEqual({ host: "--sandbox", username: "--sandbox", secret: "--sandbox", org_id: null })
    expect(status.host).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(run.stdout + run.stderr).not.toContain("Real-Pw-7731")
  })

  it("auth-status-issued-token-expiry-absolute-and-relative", timeout, async () => {
    const minted = await fetch(`${sandbox.url}/api/rest/2.0/auth/token/full`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        username: fixtures.user.username,
        password: fixtures.user.password,
        validity_time_in_sec: 7200
      })
    })
    const { token, expiration_time_in_millis: expiry } = (await minted.json()) as {
      token: string
      expiration_time_in_millis: number
    }
    const env = { THOUGHTSPOT_HOST: sandbox.url, THOUGHTSPOT_TOKEN: token, SPOTPIPE_CONFIG: "/nonexistent/config.json" }
    const json = await runCli(["auth", "status", "--json"], { env })
    expect(json.code).toBe(0)
    const status = JSON.parse(json.stdout)
    expect(status.auth).toBe("token")
    expect(status.sources).toEqual({
      host: "THOUGHTSPOT_HOST",
      username: null,
      secret: "THOUGHTSPOT_TOKEN",
      org_id: null
    })
    expect(status.token.kind).toBe("issued")
    expect(status.token.expires_at).toBe(new Date(expiry).toISOString())
    expect(status.token.expires_in_seconds).toBeGreaterThan(3600)
    expect(status.token.expires_in_seconds).toBeLessThanOrEqual(7200)
    expect(json.stdout).not.toContain(token)
    const text = await runCli(["auth", "status"], { env })
    expect(text.stdout).toMatch(
      new RegExp(
        `token +issued elsewhere, cannot be renewed; expires ${new Date(expiry).toISOString()} \\(in 1 h \\d+ min\\)`
      )
    )
    // A password sign-in's token is spotpipe's own.
    const minted2 = await spotpipe(["auth", "status", "--json"], { TS_PW: fixtures.user.password })
    expect(JSON.parse(minted2.stdout).token).toEqual({ kind: "minted" })
  })

  it("auth-status-missing-secret-variable-exit-2", timeout, async () => {
    const run = await spotpipeInProcess(["auth", "status"])
    expect(run.code).toBe(2)
    expect(run.stderr.trim()).toBe(
      'spotpipe: the profile "prod" names TS_PW for the password, but it is not set: set TS_PW, or change what profile "prod" names (spotpipe config set secret … --profile prod)'
    )
  })

  it("an-export-connects-through-the-profile", timeout, async () => {
    const run = await spotpipe(["metadata", "--type", "TAG", "--out", "-", "--quiet"], {
      TS_PW: fixtures.user.password
    })
    expect(run.code).toBe(0)
    expect(run.stdout.split("\r\n")[0]).toBe(
      "type,id,name,subtype,description,author,created,modified,tags,created_ms,modified_ms"
    )
  })
})

describe("token expiry for people", () => {
  it("format-span", () => {
    expect([12, 299, 3_599, 7_199, 90_000, -300].map(formatSpan)).toEqual([
      "12 s",
      "4 min 59 s",
      "59 min 59 s",
      "1 h 59 min",
      "1 d 1 h",
      "5 min 0 s"
    ])
  })
})
