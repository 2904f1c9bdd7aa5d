/**
 * `spotpipe api` and secrets it cannot know by a field's name: `--secret-env key=NAME` sends the environment
 * variable's value in that field (a query parameter for GET) and keeps it out of every output, in every encoding
 * a server echoes it in; a webhook's delivery URL keeps its host and hides its key; a known secret field written on
 * the command line is sent with a warning that names the field, never the value. Against a loopback server that
 * records each request and answers 400 with the request echoed in its error text. The CLI runs in-process, except
 * as a process for one run of each secret's path (from the environment, on the command line).
 */
import * as NodeFs from "node:fs"
import * as NodeHttp from "node:http"
import type { AddressInfo } from "node:net"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-api-secret-env-")
const timeout = { timeout: 60_000 }

/** What the echoing server received, in order. */
const seen: Array<{ readonly url: string; readonly body: string }> = []
let echo: NodeHttp.Server
let echoUrl: string

beforeAll(async () => {
  echo = NodeHttp.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (c: Buffer) => chunks.push(c))
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8")
      seen.push({ url: request.url ?? "", body })
      const echoed = `${request.url ?? ""} ${body}`
      const text = `echo ${echoed} | url ${encodeURIComponent(echoed)} | b64 ${Buffer.from(echoed).toString("base64")} | hex ${Buffer.from(echoed).toString("hex")}`
      response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: text } }))
    })
  })
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve))
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((resolve) => echo?.close(() => resolve())))

const env = (extra: Record<string, string> = {}) => ({
  THOUGHTSPOT_HOST: echoUrl,
  THOUGHTSPOT_TOKEN: "echo-connection-token",
  ...extra
})

/** `secret` as a server may echo it: as it is, JSON-escaped, URL-encoded, in hex and in base64 at any alignment. */
const forms = (secret: string): ReadonlyArray<string> => {
  const bytes = Buffer.from(secret)
  const base64 = [0, 1, 2].map((shift) =>
    Buffer.concat([Buffer.alloc(shift), bytes])
      .toString("base64")
      .slice(Math.ceil((8 * shift) / 6) + 1, Math.ceil((8 * shift) / 6) + 13)
  )
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), bytes.toString("hex"), ...base64]
}

/** What a run printed, in a process or in-process. */
type Run = { readonly code: number | null; readonly stdout: string; readonly stderr: string }

const expectHidden = (run: Run, secret: string) => {
  for (const form of forms(secret)) {
    expect(run.stderr, form).not.toContain(form)
    expect(run.stdout, form).not.toContain(form)
  }
}

/** Runs `spotpipe api args…` (in-process, or as a process) and returns the run and the requests it sent. */
const api = async (
  args: ReadonlyArray<string>,
  extra: Record<string, string> = {},
  as: "in-process" | "process" = "in-process"
): Promise<{ readonly run: Run; readonly sent: ReadonlyArray<{ readonly url: string; readonly body: string }> }> => {
  const before = seen.length
  const options = { env: env(extra) }
  const run = await (as === "process" ? runCli(["api", ...args], options) : runCliInProcess(["api", ...args], options))
  return { run, sent: seen.slice(before) }
}

describe("spotpipe api --secret-env", () => {
  it("sends the variable's value in the field and never shows it, in any output mode", timeout, async () => {
    const secret = 'Az-Key "q"/9+Wm$&7c'
    for (const mode of [[], ["--log-format", "json"], ["--verbose"]]) {
      const { run, sent } = await api(
        [
          "POST",
          "connection/create",
          "-f",
          "name=wh",
          "--secret-env",
          "data_warehouse_config[configuration][accountKey]=AZ_KEY",
          ...mode
        ],
        { AZ_KEY: secret },
        // The default output as a process: the secret comes from the process's environment.
        mode.length === 0 ? "process" : "in-process"
      )
      expect(run.code, mode.join(" ")).toBe(1)
      expect(sent.map((s) => JSON.parse(s.body))).toEqual([
        { name: "wh", data_warehouse_config: { configuration: { accountKey: secret } } }
      ])
      // What the server said held the secret: withheld whole; no warning: it was never on the command line.
      expect(run.stderr).toContain("HTTP 400")
      expect(run.stderr).toContain("[withheld: it held text equal to a secret")
      expect(run.stderr).not.toContain("command line")
      expectHidden(run, secret)
    }
  })

  it("is a query parameter of a GET", timeout, async () => {
    const secret = "Hook-Code-44e1b7"
    const { run, sent } = await api(["GET", "system", "-f", "x=1", "--secret-env", "code=HOOK_CODE"], {
      HOOK_CODE: secret
    })
    expect(run.code).toBe(1)
    expect(sent.map((s) => s.url)).toEqual([`/api/rest/2.0/system?x=1&code=${secret}`])
    expectHidden(run, secret)
  })

  it("refuses an unset, empty or malformed one before any request, never showing a value", timeout, async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, Record<string, string>, string]> = [
      [["--secret-env", "key=MISSING_VAR"], {}, "--secret-env key: the environment variable MISSING_VAR is not set"],
      [["--secret-env", "key=EMPTY_VAR"], { EMPTY_VAR: "" }, "the environment variable EMPTY_VAR is empty"],
      [["--secret-env", "Leaky-Value-1"], {}, "the 1st --secret-env is not key=NAME"],
      [["--secret-env", "key=Leaky-Value-2"], {}, "the 1st --secret-env is not key=NAME"],
      [
        ["-f", "items[]=a", "--secret-env", "items[]=ITEM"],
        { ITEM: "Leaky-Value-3" },
        "items[] gets items from both -f and --secret-env"
      ]
    ]
    for (const [args, extra, says] of cases) {
      const { run, sent } = await api(["POST", "metadata/search", ...args], extra)
      expect(run.code, says).toBe(2)
      expect(run.stderr).toContain(says)
      expect(sent).toEqual([])
      for (const n of [1, 2, 3]) expect(run.stderr).not.toContain(`Leaky-Value-${n}`)
    }
    const file = NodePath.join(tempDir(), "body.json")
    NodeFs.writeFileSync(file, "{}")
    const input = await api(["POST", "metadata/search", "--input", file, "--secret-env", "k=ITEM"], { ITEM: "v" })
    expect(input.run.code).toBe(2)
    expect(input.run.stderr).toContain("--input sends the whole body, -f/-F/--secret-env build one")
  })
})

describe("spotpipe api: secrets on the command line", () => {
  it("a known secret field's value written there is sent, with a warning naming the field", timeout, async () => {
    const secret = "Inline-Pa55-60d2f1"
    const { run, sent } = await api(
      ["POST", "users/create", "-f", "name=ann", "-f", `password=${secret}`],
      {},
      "process"
    )
    expect(run.code).toBe(1)
    expect(sent.map((s) => JSON.parse(s.body))).toEqual([{ name: "ann", password: secret }])
    expect(run.stderr).toContain(
      "spotpipe: warning: -f password: a secret on the command line, which other users of this machine can read (ps)"
    )
    expect(run.stderr).toContain("--secret-env key=VARIABLE or -F key=@FILE")
    expectHidden(run, secret)
    // In the path's query too, and never for a value read from a file.
    const inPath = await api(["GET", "system?token=Path-Tok-7a31"])
    expect(inPath.run.stderr).toContain("spotpipe: warning: the path's query: a secret on the command line")
    expectHidden(inPath.run, "Path-Tok-7a31")
    const file = NodePath.join(tempDir(), "password.txt")
    NodeFs.writeFileSync(file, secret)
    const fromFile = await api(["POST", "users/create", "-f", "name=ann", "-F", `password=@${file}`])
    expect(fromFile.run.code).toBe(1)
    expect(fromFile.run.stderr).not.toContain("command line")
    expectHidden(fromFile.run, secret)
    // A field that is no secret gives no warning.
    const plain = await api(["POST", "users/create", "-f", "name=ann"])
    expect(plain.run.stderr).not.toContain("command line")
  })

  it("a webhook's key in its delivery url is never shown: the server's echo of it is withheld", timeout, async () => {
    const key = "XoXb9kQ27LmN4pRt8sVw"
    const { run } = await api([
      "POST",
      "webhooks/create",
      "-f",
      "name=orders",
      "-f",
      `url=https://hooks.slack.com/services/T0A1/B0B2/${key}`,
      "-f",
      "events[]=LIVEBOARD_SCHEDULE"
    ])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("[withheld: it held text equal to a secret")
    expect(run.stderr).toContain("-f url: a secret on the command line")
    expectHidden(run, key)
  })
})
