/**
 * A refused sign-in as `spotpipe` shows it, against a loopback server that echoes the user name and
 * password in its error: the server's message is withheld whole in every output mode (the password hidden, and
 * nothing left around it to tell it by), and the user name is still named by spotpipe's own line. The first sign-in runs as a process (the password in its environment), the others
 * in-process, where everything the CLI prints is captured.
 */
import * as NodeHttp from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"

let server: NodeHttp.Server
let url: string

beforeAll(async () => {
  server = NodeHttp.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (c: Buffer) => chunks.push(c))
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, string>
      const debug = `bad password '${body.password}' for user ${body.username}`
      response
        .writeHead(401, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message: { code: 10097, debug } } }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())))

describe("a refused sign-in echoing the user name and password", () => {
  it("shows the user name whole and never the password", { timeout: 60_000 }, async () => {
    for (const [username, password] of [
      ["john.smith2024", "smith2024!x"],
      ["ts.admin", "admin"]
    ] as const) {
      for (const mode of [[], ["--log-format", "json"], ["--verbose"]]) {
        const options = {
          env: { THOUGHTSPOT_HOST: url, THOUGHTSPOT_USERNAME: username, THOUGHTSPOT_PASSWORD: password }
        }
        const args = ["metadata", "--out", "-", ...mode]
        // The first as a process: the password in its environment, everything it and Node print checked.
        const asProcess = username === "john.smith2024" && mode.length === 0
        const run = await (asProcess ? runCli(args, options) : runCliInProcess(args, options))
        const label = `${username} ${mode.join(" ")}`
        expect(run.code, label).toBe(1)
        expect(run.stdout, label).toBe("")
        expect(run.stderr, label).toContain(`refused the credentials for ${username}`)
        expect(run.stderr, label).toContain("[withheld: it held text equal to a secret")
        expect(run.stderr, label).not.toContain("bad password")
        expect(run.stderr, label).not.toContain(`'${password}'`)
        if (password.length >= 8) expect(run.stderr, label).not.toContain(password)
      }
    }
  })
})
