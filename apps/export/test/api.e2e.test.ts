/**
 * `spotpipe api`, against sandboxes on port 0 and a loopback server that records what arrives: the answer on stdout
 * byte for byte (integers beyond 2^53 included), bodies from -f/-F/--input as they are meant to be sent, GET fields
 * as query parameters, --paginate giving every object exactly once, a renewed token in the middle of a paged read,
 * ThoughtSpot's errors as exit 1 with nothing on stdout, and secrets never shown. The CLI runs in-process, except
 * as a process for the answer on stdout (the command as installed), `--input -` (the process's stdin) and a refused
 * token from the environment (nothing Node itself prints shows it).
 */
import * as NodeFs from "node:fs"
import * as NodeHttp from "node:http"
import type { AddressInfo } from "node:net"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-api-")

const timeout = { timeout: 60_000 }

let sandbox: RunningSandbox
let revoking: RunningSandbox
/** Request lines of `sandbox` (method, path, status). */
const lines: Array<string> = []
/** Revokes every token once, when the first `metadata/search` page has been answered. */
let revokeNext = false

/** What the recording server saw, in order. */
interface Seen {
  readonly method: string
  readonly url: string
  readonly body: string
}
const seen: Array<Seen> = []
/** Statuses the recording server answers its next requests with, first to last (then 200). */
const script: Array<number> = []
let recorder: NodeHttp.Server
let recorderUrl: string

beforeAll(async () => {
  sandbox = await startSandbox({ log: (line) => lines.push(line) })
  revoking = await startSandbox({
    log: (line) => {
      if (revokeNext && line.includes("metadata/search")) {
        revokeNext = false
        revoking.revokeAllTokens()
      }
    }
  })
  recorder = NodeHttp.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (c: Buffer) => chunks.push(c))
    request.on("end", () => {
      seen.push({
        method: request.method ?? "",
        url: request.url ?? "",
        body: Buffer.concat(chunks).toString("utf8")
      })
      const status = script.shift() ?? 200
      response
        .writeHead(status, { "content-type": "application/json" })
        .end(status === 200 ? '{"ok":true}' : '{"error":{"message":"scripted failure"}}')
    })
  })
  await new Promise<void>((resolve) => recorder.listen(0, "127.0.0.1", resolve))
  recorderUrl = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`
})

afterAll(async () => {
  await Promise.all([sandbox?.close(), revoking?.close()])
  await new Promise<void>((resolve) => recorder?.close(() => resolve()))
})

/** What a run printed, in a process or in-process. */
type Run = { readonly code: number | null; readonly stdout: string; readonly stderr: string }

/** The recording server as the host, signed in with a bearer token (no token request to record). */
const recorderEnv = () => ({ THOUGHTSPOT_HOST: recorderUrl, THOUGHTSPOT_TOKEN: "recorder-token" })

/** The last request the recording server saw during `run`. */
const recorded = async (run: () => Promise<Run>): Promise<{ readonly run: Run; readonly request: Seen }> => {
  const before = seen.length
  const result = await run()
  expect(result.stderr).toBe("")
  expect(result.code).toBe(0)
  expect(seen.length).toBe(before + 1)
  return { run: result, request: seen[seen.length - 1]! }
}

/** The bytes a plain HTTP client gets for the same POST, with a token of its own. */
const fetched = async (target: RunningSandbox, path: string, body: string): Promise<Buffer> => {
  const headers = { "content-type": "application/json", "user-agent": "test" }
  const token = (await (
    await fetch(`${target.url}/api/rest/2.0/auth/token/full`, {
      method: "POST",
      headers,
      body: JSON.stringify({ username: fixtures.user.username, password: fixtures.user.password })
    })
  ).json()) as { readonly token: string }
  const response = await fetch(`${target.url}/api/rest/2.0/${path}`, {
    method: "POST",
    headers: { ...headers, authorization: `Bearer ${token.token}` },
    body
  })
  return Buffer.from(await response.arrayBuffer())
}

const tempFile = (name: string, content: string): string => {
  const dir = tempDir()
  const file = NodePath.join(dir, name)
  NodeFs.writeFileSync(file, content)
  return file
}

describe("spotpipe api: the answer", () => {
  it("goes to stdout byte for byte, integers beyond 2^53 as their digits", timeout, async () => {
    const run = await runCli(
      [
        "api",
        "POST",
        "metadata/answer/data",
        "-f",
        "metadata_identifier=Order Details",
        "-F",
        "record_offset=5000",
        "-F",
        "record_size=5"
      ],
      { env: sandboxEnv(sandbox) }
    )
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const expected = await fetched(
      sandbox,
      "metadata/answer/data",
      '{"metadata_identifier":"Order Details","record_offset":5000,"record_size":5}'
    )
    expect(run.stdoutBytes.equals(expected)).toBe(true)
    // Order IDs from row 5000 on are beyond 2^53 (9007199254740992): JSON.parse would round the odd ones.
    const ids = [...run.stdout.matchAll(/\[(9007199\d{9}),/g)].map((m) => m[1]!)
    expect(ids.length).toBe(5)
    expect(ids.every((id) => BigInt(id) > 2n ** 53n)).toBe(true)
    expect(ids.some((id) => String(Number(id)) !== id)).toBe(true)
  })

  it("takes a one-letter flag's value written against it, as gh does (-Fkey=value)", timeout, async () => {
    const run = await runCliInProcess(
      ["api", "POST", "metadata/answer/data", "-fmetadata_identifier=Order Details", "-Frecord_size=3"],
      { env: sandboxEnv(sandbox) }
    )
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const expected = await fetched(
      sandbox,
      "metadata/answer/data",
      '{"metadata_identifier":"Order Details","record_size":3}'
    )
    expect(Buffer.from(run.stdout).equals(expected)).toBe(true)
  })

  it(
    "is the same for every spelling of the path, and an absolute URL is refused before any request",
    timeout,
    async () => {
      const runs = await Promise.all(
        ["system", "/system", "/api/rest/2.0/system"].map((path) =>
          runCliInProcess(["api", "get", path], { env: sandboxEnv(sandbox) })
        )
      )
      for (const run of runs) {
        expect(run.code).toBe(0)
        expect(run.stdout).toBe(runs[0]!.stdout)
      }
      expect(JSON.parse(runs[0]!.stdout)).toMatchObject({ api_version: "v2" })
      const before = sandbox.stats().requests
      const refused = await runCliInProcess(["api", "GET", `${sandbox.url}/api/rest/2.0/system`], {
        env: sandboxEnv(sandbox)
      })
      expect(refused.code).toBe(2)
      expect(refused.stdout).toBe("")
      expect(refused.stderr).toContain("not a URL: the host comes from the connection")
      expect(sandbox.stats().requests).toBe(before)
    }
  )
})

describe("spotpipe api: what is sent", () => {
  it(
    "-f strings and -F typed values (numbers digit for digit, @file), nested objects and arrays of objects",
    timeout,
    async () => {
      const file = tempFile("tml.txt", 'guid: "x"\nname: Ünïcode\n')
      const { run, request } = await recorded(() =>
        runCliInProcess(
          [
            "api",
            "POST",
            "metadata/search",
            "-f",
            "name=tsUserA",
            "-f",
            "metadata[][type]=ANSWER",
            "-f",
            "metadata[][identifier]=Revenue by Month",
            "-f",
            "metadata[][type]=LIVEBOARD",
            "-f",
            "sort_options[field_name]=NAME",
            "-f",
            "tag_identifiers[]",
            "-f",
            "n=42",
            "-F",
            "big=12345678901234567890",
            "-F",
            "ratio=1.50",
            "-F",
            "yes=true",
            "-F",
            "no=false",
            "-F",
            "nothing=null",
            "-F",
            "word=abc",
            "-F",
            `tml=@${file}`
          ],
          { env: recorderEnv() }
        )
      )
      expect(run.stdout).toBe('{"ok":true}')
      expect(request.method).toBe("POST")
      expect(request.url).toBe("/api/rest/2.0/metadata/search")
      expect(request.body).toBe(
        '{"name":"tsUserA","metadata":[{"type":"ANSWER","identifier":"Revenue by Month"},{"type":"LIVEBOARD"}],' +
          '"sort_options":{"field_name":"NAME"},"tag_identifiers":[],"n":"42","big":12345678901234567890,' +
          '"ratio":1.50,"yes":true,"no":false,"nothing":null,"word":"abc","tml":"guid: \\"x\\"\\nname: Ünïcode\\n"}'
      )
    }
  )

  it("--input FILE and --input - send the JSON text as it is", timeout, async () => {
    const body = '{ "metadata_identifier": "Order Details",\n  "record_size": 12345678901234567890, "x": 1.50 }\n'
    const fromFile = await recorded(() =>
      runCliInProcess(["api", "POST", "/metadata/answer/data", "--input", tempFile("body.json", body)], {
        env: recorderEnv()
      })
    )
    expect(fromFile.request.body).toBe(body)
    const fromStdin = await recorded(() =>
      runCli(["api", "POST", "metadata/answer/data", "--input", "-"], { env: recorderEnv(), stdin: body })
    )
    expect(fromStdin.request.body).toBe(body)
  })

  it("GET sends the fields as query parameters, in order and encoded, and no body", timeout, async () => {
    const { request } = await recorded(() =>
      runCliInProcess(["api", "GET", "system/config?x=1", "-f", "a b=c&d", "-F", "n=5", "-F", "t=true"], {
        env: recorderEnv()
      })
    )
    expect(request.method).toBe("GET")
    expect(request.url).toBe("/api/rest/2.0/system/config?x=1&a%20b=c%26d&n=5&t=true")
    expect(request.body).toBe("")
  })

  it("refuses bodies it cannot send as meant, before any request (exit 2)", timeout, async () => {
    const before = seen.length
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--input", tempFile("a.json", "{}"), "-f", "a=b"], "--input sends the whole body, -f/-F build one"],
      [["--input", tempFile("b.json", '{"a":')], "is not JSON"],
      [["-f", "a=1", "-f", "a=2"], "given twice"],
      [["-f", "a[]=1", "-F", "a[]=2"], "a[] gets items from both -f and -F"],
      [["-f", "novalue"], "give key=value"],
      [["-F", "x=@/nonexistent/file"], "cannot read the file for -F x"]
    ]
    for (const [args, message] of cases) {
      const run = await runCliInProcess(["api", "POST", "metadata/search", ...args], { env: recorderEnv() })
      expect(run.code, args.join(" ")).toBe(2)
      expect(run.stdout).toBe("")
      expect(run.stderr).toContain(message)
    }
    // An argument without "=" (password:… typed the way a header is) may be a secret: named by place, not shown.
    const typo = await runCliInProcess(["api", "POST", "metadata/search", "-f", "a=1", "-f", "password:Hunter2-c4e1"], {
      env: recorderEnv()
    })
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain("the 2nd -f has no '=': give key=value")
    expect(typo.stderr).not.toContain("Hunter2-c4e1")
    const get = await runCliInProcess(["api", "GET", "system", "--input", tempFile("c.json", "{}")], {
      env: recorderEnv()
    })
    expect(get.code).toBe(2)
    expect(get.stderr).toContain("a GET has none")
    expect(seen.length).toBe(before)
  })
})

describe("spotpipe api --paginate", () => {
  const everything = async () => {
    const all = await runCliInProcess(["api", "POST", "metadata/search", "-F", "record_size=-1"], {
      env: sandboxEnv(sandbox)
    })
    expect(all.code).toBe(0)
    return (JSON.parse(all.stdout) as ReadonlyArray<unknown>).map((item) => JSON.stringify(item))
  }

  it(
    "writes every object exactly once, one per line, each element's own bytes, until a page brings no new one",
    timeout,
    async () => {
      const all = await everything()
      expect(all.length).toBeGreaterThan(10)
      const before = lines.filter((l) => l.includes("metadata/search")).length
      const run = await runCliInProcess(["api", "POST", "metadata/search", "--paginate", "-F", "record_size=4"], {
        env: sandboxEnv(sandbox)
      })
      expect(run.stderr).toBe("")
      expect(run.code).toBe(0)
      expect(run.stdout.endsWith("\n")).toBe(true)
      const got = run.stdout.slice(0, -1).split("\n")
      // The sandbox writes compact JSON, so each line is the element's text as sent.
      expect(got).toEqual(all)
      expect(new Set(got.map((line) => (JSON.parse(line) as { metadata_id: string }).metadata_id)).size).toBe(
        all.length
      )
      const pages = lines.filter((l) => l.includes("metadata/search")).length - before
      // As core reads every listing: each page after the first starts with the last item of the one before (3 new
      // items each), until a page brings nothing after that item.
      expect(pages).toBe(1 + Math.ceil((all.length - 4) / 3) + 1)
      // The default page size reads the same objects.
      const byDefault = await runCliInProcess(["api", "POST", "metadata/search", "--paginate"], {
        env: sandboxEnv(sandbox)
      })
      expect(byDefault.stdout).toBe(run.stdout)
    }
  )

  it("keeps the body's other fields and starts at its record_offset", timeout, async () => {
    const answers = await runCliInProcess(
      ["api", "POST", "metadata/search", "-f", "metadata[][type]=ANSWER", "-F", "record_size=-1"],
      { env: sandboxEnv(sandbox) }
    )
    const expected = (JSON.parse(answers.stdout) as ReadonlyArray<unknown>).slice(1).map((a) => JSON.stringify(a))
    const body = tempFile("search.json", '{"metadata":[{"type":"ANSWER"}],"record_offset":1,"record_size":2}')
    const run = await runCliInProcess(["api", "POST", "metadata/search", "--paginate", "--input", body], {
      env: sandboxEnv(sandbox)
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(expected.map((line) => `${line}\n`).join(""))
  })

  it("renews a token revoked between two pages and carries on", timeout, async () => {
    const issued = revoking.stats().tokensIssued
    revokeNext = true
    const run = await runCliInProcess(["api", "POST", "metadata/search", "--paginate", "-F", "record_size=3"], {
      env: sandboxEnv(revoking)
    })
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(revokeNext).toBe(false)
    expect(revoking.stats().tokensIssued - issued).toBe(2)
    expect(run.stdout.slice(0, -1).split("\n")).toEqual(await everything())
  })

  it(
    "reads every object exactly once from a server that fails now and then (503s, resets, bodies cut short)",
    timeout,
    async () => {
      const flaky = await startSandbox({
        faults: { routes: { "metadata/search": { truncate: 0.25, reset: 0.1, error503: 0.1 } } },
        seed: 3
      })
      try {
        const run = await runCliInProcess(["api", "POST", "metadata/search", "--paginate", "-F", "record_size=2"], {
          env: sandboxEnv(flaky)
        })
        expect(run.code).toBe(0)
        // Without --paginate too: a body cut short is never what reaches stdout.
        for (let i = 0; i < 4; i++) {
          const single = await runCliInProcess(["api", "POST", "metadata/search", "-F", "record_size=-1"], {
            env: sandboxEnv(flaky)
          })
          expect(single.code).toBe(0)
          expect((JSON.parse(single.stdout) as ReadonlyArray<unknown>).map((item) => JSON.stringify(item))).toEqual(
            await everything()
          )
        }
        const faults = flaky.stats().faultsInjected
        expect(faults.truncate).toBeGreaterThan(0)
        expect(faults.reset + faults.error503).toBeGreaterThan(0)
        expect(run.stdout.slice(0, -1).split("\n")).toEqual(await everything())
      } finally {
        await flaky.close()
      }
    }
  )

  /** A listing of `count` items `{"id":i}` that pages by record_offset/record_size as `serve` says. */
  const listing = async (serve: (offset: number, size: number) => ReadonlyArray<number>) => {
    const server = NodeHttp.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (c: Buffer) => chunks.push(c))
      request.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, number>
        const ids = serve(body["record_offset"] ?? 0, body["record_size"] ?? 10)
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(ids.map((id) => ({ id }))))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return { env: { THOUGHTSPOT_HOST: url, THOUGHTSPOT_TOKEN: "listing-token" }, close: () => server.close() }
  }
  const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i)

  it("reads past a short page: a server that caps its pages gives every item, exactly once", timeout, async () => {
    // At most 3 items a page, whatever record_size asks: the first page is short, and not the end.
    const capped = await listing((offset, size) => range(offset, Math.min(offset + Math.min(size, 3), 10)))
    try {
      const run = await runCliInProcess(["api", "POST", "metadata/search", "--paginate", "-F", "record_size=5"], {
        env: capped.env
      })
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toBe(
        range(0, 10)
          .map((id) => `{"id":${id}}\n`)
          .join("")
      )
    } finally {
      capped.close()
    }
  })

  it(
    "fails rather than end short when an item before the read position is deleted between two pages",
    timeout,
    async () => {
      // Items 0..9; once the first page is served, item 1 goes: every later item moves one place up.
      let calls = 0
      const shrinking = await listing((offset, size) => {
        const ids = calls++ === 0 ? range(0, 10) : range(0, 10).filter((id) => id !== 1)
        return ids.slice(offset, offset + size)
      })
      try {
        const run = await runCliInProcess(["api", "POST", "metadata/search", "--paginate", "-F", "record_size=4"], {
          env: shrinking.env
        })
        // Item 4 moved to position 3, behind the read position: without the overlap the read ended exit 0 without it.
        expect(run.code).toBe(1)
        expect(run.stderr).toContain("the listing changed while it was read")
      } finally {
        shrinking.close()
      }
    }
  )

  it("fails rather than drop items when the server filters a listing after paging", timeout, async () => {
    // The even ids of each page of the whole listing: pages are short before the end.
    const filtered = await listing((offset, size) =>
      range(offset, Math.min(offset + size, 10)).filter((id) => id % 2 === 0)
    )
    try {
      const run = await runCliInProcess(["api", "POST", "metadata/search", "--paginate", "-F", "record_size=4"], {
        env: filtered.env
      })
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("-F record_size=-1 without --paginate")
    } finally {
      filtered.close()
    }
  })

  it("refuses an answer that is not an array, with nothing on stdout", timeout, async () => {
    const run = await runCliInProcess(["api", "GET", "system", "--paginate"], { env: sandboxEnv(sandbox) })
    expect(run.code).toBe(1)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain(
      "--paginate reads a JSON array page by page, but the page at record_offset 0 is a JSON object"
    )
    const bad = await runCliInProcess(["api", "POST", "metadata/search", "--paginate", "-F", "record_size=-1"], {
      env: sandboxEnv(sandbox)
    })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("give a whole number 1 or more")
  })
})

describe("spotpipe api: failures", () => {
  it("ThoughtSpot's error is exit 1 with its message, nothing on stdout, no secret shown", timeout, async () => {
    const run = await runCliInProcess(
      ["api", "POST", "metadata/answer/data", "-f", "metadata_identifier=No Such Answer", "--verbose"],
      { env: sandboxEnv(sandbox) }
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain("POST metadata/answer/data failed: ThoughtSpot rejected the request (HTTP 400")
    // The reason's tag is in the full cause (`--verbose`), not in the line said to the user.
    const line = run.stderr.split("\n").find((l) => l.includes("failed:"))
    expect(line).not.toContain("BadRequest")
    expect(run.stderr).toContain("no ANSWER with id or name 'No Such Answer'")
    expect(run.stderr).not.toContain(fixtures.user.password)
  })

  it(
    "a call that changes something is not sent again when its outcome is unknown, and says to check it",
    timeout,
    async () => {
      const attempt = async (args: ReadonlyArray<string>, statuses: ReadonlyArray<number>) => {
        script.splice(0, script.length, ...statuses)
        const before = seen.length
        const run = await runCliInProcess(["api", ...args], { env: recorderEnv() })
        script.length = 0
        return { run, requests: seen.length - before }
      }
      const unknown = await attempt(["POST", "users/create", "-f", "name=ann"], [502])
      expect(unknown.requests).toBe(1)
      expect(unknown.run.code).toBe(1)
      expect(unknown.run.stdout).toBe("")
      expect(unknown.run.stderr).toContain(
        "ThoughtSpot may have carried out this POST before the answer was lost, so it was not sent again: check its effect"
      )
      // Turned away (429) it never ran: sent again, and done. A read is sent again after a 502 too.
      const limited = await attempt(["POST", "users/create", "-f", "name=ann"], [429])
      expect([limited.requests, limited.run.code, limited.run.stdout]).toEqual([2, 0, '{"ok":true}'])
      const read = await attempt(["POST", "metadata/search"], [502])
      expect([read.requests, read.run.code, read.run.stdout]).toEqual([2, 0, '{"ok":true}'])
    }
  )

  it(
    "a call answered 401 after a fresh sign-in says the call was refused, not the connection's credentials",
    timeout,
    async () => {
      // Signing in works; the call itself (a token for other, wrong credentials) is what ThoughtSpot refuses.
      const wrong = "Wrong-Pass-7c1d9e"
      const run = await runCliInProcess(
        ["api", "POST", "auth/token/full", "-f", `username=${fixtures.user.username}`, "-f", `password=${wrong}`],
        { env: sandboxEnv(sandbox) }
      )
      expect(run.code).toBe(1)
      expect(run.stdout).toBe("")
      expect(run.stderr).toContain("POST auth/token/full failed: ThoughtSpot refused this call (HTTP 401, code 10097)")
      expect(run.stderr).toContain("the credentials in the request's fields")
      // Not the connection's: those signed in (twice) without fault.
      expect(run.stderr).not.toContain("THOUGHTSPOT_PASSWORD")
      expect(run.stderr).not.toContain(wrong)
      expect(run.stderr).not.toContain(fixtures.user.password)
    }
  )

  it("a refused token is exit 1 naming what to check, the token never shown", timeout, async () => {
    const token = "not-a-valid-token-4f1c2e9a"
    const run = await runCli(["api", "GET", "system", "--verbose"], {
      env: { THOUGHTSPOT_HOST: sandbox.url, THOUGHTSPOT_TOKEN: token }
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain("ThoughtSpot refused the credentials")
    expect(run.stderr).not.toContain(token)
  })
})

describe("spotpipe api: secrets in the request's fields", () => {
  /** Answers every request 400 (a GET's first one 503, then retried), its error text echoing the request. */
  let echo: NodeHttp.Server
  let echoUrl: string
  const gets = new Set<string>()
  beforeAll(async () => {
    echo = NodeHttp.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (c: Buffer) => chunks.push(c))
      request.on("end", () => {
        const target = request.url ?? ""
        const echoed = `${target} ${Buffer.concat(chunks).toString("utf8")}`
        const first = request.method === "GET" && !gets.has(target)
        gets.add(target)
        // Short enough that every encoding fits in the 500 characters a message shows.
        const text = `echo ${echoed} | url ${encodeURIComponent(echoed)} | b64 ${Buffer.from(echoed).toString("base64")} | hex ${Buffer.from(echoed).toString("hex")}`
        response
          .writeHead(first ? 503 : 400, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { message: text } }))
      })
    })
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve))
    echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => echo?.close(() => resolve())))

  const env = () => ({ THOUGHTSPOT_HOST: echoUrl, THOUGHTSPOT_TOKEN: "echo-connection-token" })

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

  const expectHidden = (run: Run, secret: string) => {
    for (const form of forms(secret)) {
      expect(run.stderr, form).not.toContain(form)
      expect(run.stdout, form).not.toContain(form)
    }
  }

  it("a -f password is never shown, in any output mode", timeout, async () => {
    const secret = 'Hunter2 "q"/p+9'
    for (const mode of [[], ["--log-format", "json"], ["--verbose"], ["--log-level", "trace"]]) {
      const run = await runCliInProcess(["api", "POST", "users/create", "-f", `password=${secret}`, ...mode], {
        env: env()
      })
      expect(run.code, mode.join(" ")).toBe(1)
      expect(run.stdout).toBe("")
      // What the server said held the secret: withheld whole, the status kept.
      expect(run.stderr).toContain("HTTP 400")
      expect(run.stderr).toContain("[withheld: it held text equal to a secret")
      expectHidden(run, secret)
    }
    // `api` has no --json (its stdout is the answer): refused, the secret not repeated.
    const json = await runCliInProcess(["api", "POST", "users/create", "-f", `password=${secret}`, "--json"], {
      env: env()
    })
    expect(json.code).toBe(2)
    expectHidden(json, secret)
  })

  it(
    "a token in a GET's query, retried after a 503, is never shown in the retry log or the error",
    timeout,
    async () => {
      const secret = "Query-Token-5c1e"
      const run = await runCliInProcess(["api", "GET", "system", "-f", `token=${secret}`, "--verbose"], { env: env() })
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("retrying GET system")
      expect(run.stderr).toContain("HTTP 400")
      expect(run.stderr).toContain("[withheld: it held text equal to a secret")
      expectHidden(run, secret)
    }
  )

  it("a path refused before any request is named without its query or fragment", timeout, async () => {
    for (const path of ["system?token=Tok-In-Path-1#x", "https://me:Pw-In-Url-2@elsewhere.example/system"]) {
      const run = await runCliInProcess(["api", "GET", path], { env: env() })
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(/^spotpipe: (system|https:\/\/elsewhere\.example\/system)(\?…)?: /)
      expectHidden(run, "Tok-In-Path-1")
      expectHidden(run, "Pw-In-Url-2")
    }
  })

  it("passwords in an --input body and nested -F @file fields are never shown", timeout, async () => {
    const inBody = "New-Pa55word-7e2"
    const input = tempFile("body.json", JSON.stringify({ name: "ann", new_password: inBody }))
    const fromInput = await runCliInProcess(["api", "POST", "users/change-password", "--input", input], { env: env() })
    expect(fromInput.code).toBe(1)
    expect(fromInput.stderr).toContain("[withheld: it held text equal to a secret")
    expectHidden(fromInput, inBody)
    const inFile = "Warehouse-Pa55-31a"
    const file = tempFile("password.txt", inFile)
    const nested = await runCliInProcess(
      ["api", "POST", "connection/create", "-F", `data_warehouse_config[configuration][password]=@${file}`],
      { env: env() }
    )
    expect(nested.code).toBe(1)
    expect(nested.stderr).toContain("[withheld: it held text equal to a secret")
    expectHidden(nested, inFile)
  })

  it("a webhook's header values and a variable's values are never shown", timeout, async () => {
    const header = "Bearer Hook-Hdr-8c41"
    const param = "Hook-Param-2b9d"
    const webhook = await runCliInProcess(
      [
        "api",
        "POST",
        "webhooks/create",
        "-f",
        "name=orders",
        "-f",
        "url=https://hooks.example/in",
        "-f",
        "events[]=LIVEBOARD_SCHEDULE",
        "-f",
        "additional_headers[][key]=Authorization",
        "-f",
        `additional_headers[][value]=${header}`,
        "-f",
        `url_params[code]=${param}`
      ],
      { env: env() }
    )
    expect(webhook.code).toBe(1)
    expect(webhook.stderr).toContain("[withheld: it held text equal to a secret")
    expectHidden(webhook, header)
    expectHidden(webhook, param)
    const value = "Var-Pa55-e61f"
    const variable = await runCliInProcess(
      [
        "api",
        "POST",
        "template/variables/wh_password/update-values",
        "-f",
        "operation=REPLACE",
        "-f",
        `variable_assignment[][assigned_values][]=${value}`
      ],
      { env: env() }
    )
    expect(variable.code).toBe(1)
    expect(variable.stderr).toContain("[withheld: it held text equal to a secret")
    expectHidden(variable, value)
  })
})
