/**
 * The CLI as a process: how it ends when its reader closes stdout, when a signal stops it, and on a Node.js
 * that is too old; how it checks the output folder before any request, and the demo's own folder. The signal,
 * stdout, Node-version and hang-guarded runs are real `bin/spotpipe.js` processes; the folder, host and time-limit
 * checks run the CLI in-process, against sandboxes started here on port 0 or a host that is never reached.
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeHttp from "node:http"
import type { AddressInfo } from "node:net"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { minimumNode, unsupportedNode } from "../bin/nodeVersion.js"
import { shellWord } from "../src/Interruption.ts"
import { demoMarker } from "../src/output/OutputFolder.ts"
import { runCliInProcess } from "./support/inProcess.ts"
import { startRewritingProxy } from "./support/RenamingProxy.ts"
import { mainPath, runCli, runNode, startCli, waitFor } from "./support/runCli.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 60_000 }
const tempDir = tempFolders("spotpipe-process-")

let large: RunningSandbox
let slow: RunningSandbox
// Data requests the large sandbox answered, to see that a stopped export stops fetching.
const dataRequests: Array<string> = []

beforeAll(async () => {
  ;[large, slow] = await Promise.all([
    startSandbox({
      rows: 50_000,
      log: (line) => {
        if (line.includes("answer/data")) dataRequests.push(line)
      }
    }),
    startSandbox({ rows: 20_000, faults: { routes: { "*": { latencyMs: 150 } } } })
  ])
})

afterAll(async () => {
  await Promise.all([large?.close(), slow?.close()])
})

const passwordEnv = (sandbox: { readonly url: string }) => ({
  PATH: process.env["PATH"] ?? "",
  HOME: process.env["HOME"] ?? "/tmp",
  THOUGHTSPOT_HOST: sandbox.url,
  THOUGHTSPOT_USERNAME: fixtures.user.username,
  THOUGHTSPOT_PASSWORD: fixtures.user.password
})

const filesUnder = (dir: string): ReadonlyArray<string> =>
  NodeFs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()

describe("closed stdout", () => {
  it("a-reader-that-closes-stdout-ends-the-export-quietly-with-141-and-it-stops-fetching", timeout, async () => {
    dataRequests.length = 0
    const run = startCli(["answer", "Order Details", "--out", "-", "--page-size", "1000", "--concurrency", "1"], {
      ...passwordEnv(large)
    })
    // Like `| head -c 1`: take the first bytes, then close the pipe.
    await new Promise<void>((resolve) => run.child.stdout.once("data", () => resolve()))
    run.child.stdout.destroy()
    const code = await run.exited
    expect(run.stderr()).toBe("")
    expect(code).toBe(141)
    // 50 pages of 1000 rows: the export stopped long before the end.
    expect(dataRequests.length).toBeGreaterThan(0)
    expect(dataRequests.length).toBeLessThan(10)
  })
})

describe("signals", () => {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129]
  ] as const) {
    it(
      `${signal.toLowerCase()}-mid-export-says-nothing-was-published-removes-the-temp-file-and-exits-${code}`,
      timeout,
      async () => {
        const dir = tempDir()
        const run = startCli(["answer", "Order Details", "--page-size", "500", "--out", dir], passwordEnv(slow))
        // Mid-write: the partial file is in the state directory.
        const state = NodePath.join(dir, ".spotpipe-state")
        await waitFor(
          () => NodeFs.existsSync(state) && NodeFs.readdirSync(state).some((f) => f.endsWith(".partial")),
          () => run.stderr()
        )
        run.child.kill(signal)
        expect(await run.exited).toBe(code)
        expect(run.stderr()).toContain("spotpipe: interrupted; no partial file was published")
        expect(run.stderr()).not.toContain("--resume")
        expect(NodeFs.readdirSync(dir)).toEqual([])
      }
    )
  }

  it("sigint-mid-export-given-resume-names-the-same-command-which-continues-it", timeout, async () => {
    const dir = NodePath.join(tempDir(), "a folder")
    const args = ["answer", "Order Details", "--page-size", "500", "--out", dir, "--null-string", "-h", "--resume"]
    const run = startCli(args, passwordEnv(slow))
    // A checkpoint: the export has rows to continue from.
    await waitFor(
      () => NodeFs.existsSync(dir) && filesUnder(dir).some((f) => f.endsWith(".checkpoint.json")),
      () => run.stderr()
    )
    run.child.kill("SIGINT")
    expect(await run.exited).toBe(130)
    const hint = /^run "(.*)" to continue$/.exec(run.stderr().trimEnd().split("\n").at(-1) ?? "")?.[1]
    expect(hint).toBe(`spotpipe answer 'Order Details' --page-size 500 --out '${dir}' --null-string -h --resume`)
    const resumed = await runCliInProcess([...args, "--json"], { env: passwordEnv(slow) })
    expect(resumed.code, resumed.stderr).toBe(0)
    const report = JSON.parse(resumed.stdout) as { outputs: ReadonlyArray<{ status: string }> }
    expect(report.outputs.map((o) => o.status)).toEqual(["continued"])
  })

  it(
    "a-second-sigint-while-the-token-is-revoked-at-a-silent-cluster-ends-at-once-saying-what-it-cut-short",
    timeout,
    async () => {
      // The cluster takes the token's revocation and never answers: the first Ctrl-C's cleanup waits for it.
      let revoking = false
      const proxy = await startRewritingProxy(slow.url, {
        hold: (request) => {
          if (!request.url.includes("auth/token/revoke")) return false
          revoking = true
          return true
        }
      })
      try {
        const dir = tempDir()
        const args = ["answer", "Order Details", "--page-size", "500", "--out", dir, "--resume"]
        const run = startCli(args, { ...passwordEnv(slow), THOUGHTSPOT_HOST: proxy.url })
        const state = NodePath.join(dir, ".spotpipe-state")
        await waitFor(
          () => NodeFs.existsSync(state) && NodeFs.readdirSync(state).some((f) => f.endsWith(".partial")),
          () => run.stderr()
        )
        run.child.kill("SIGINT")
        const first = Date.now()
        await waitFor(
          () => revoking,
          () => run.stderr()
        )
        // Pressed again as a person does: the same signal within half a second is the first one delivered twice.
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, first + 600 - Date.now())))
        run.child.kill("SIGINT")
        expect(await run.exited).toBe(130)
        // It says what it left, then (given --resume, as after one signal) the command that continues.
        expect(run.stderr().trimEnd().split("\n").slice(-2)).toEqual([
          "spotpipe: stopped at once (a second SIGINT), its cleanup cut short: no partial file was published, and a token this run signed in with stays valid until it expires",
          `run "spotpipe ${args.map(shellWord).join(" ")}" to continue`
        ])
        expect(NodeFs.readdirSync(dir).filter((f) => !f.startsWith("."))).toEqual([])
      } finally {
        await proxy.close()
      }
    }
  )

  it("ctrl-c-stops-a-foreground-sandbox-with-130-and-no-export-message", timeout, async () => {
    const run = startCli(["sandbox", "--port", "0", "--rows", "10"], { PATH: process.env["PATH"] ?? "" })
    let stdout = ""
    run.child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
    await waitFor(
      () => stdout.includes("listening on"),
      () => stdout + run.stderr()
    )
    run.child.kill("SIGINT")
    expect(await run.exited).toBe(130)
    expect(run.stderr()).not.toContain("interrupted")
  })

  it("sigint-with-json-logs-is-one-json-line-with-the-resume-hint", timeout, async () => {
    const dir = tempDir()
    const out = NodePath.join(dir, "landing")
    const job = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "answer", id: "Order Details", pageSize: 500 }] }))
    const run = startCli(["run", job, "--out", out, "--log-format", "json"], passwordEnv(slow))
    await waitFor(
      () => NodeFs.existsSync(out) && filesUnder(out).some((f) => f.endsWith(".checkpoint.json")),
      () => run.stderr()
    )
    run.child.kill("SIGINT")
    expect(await run.exited).toBe(130)
    const last = JSON.parse(run.stderr().trimEnd().split("\n").at(-1) ?? "")
    expect(last.message).toBe("spotpipe: interrupted; no partial file was published")
    expect(last.hint).toBe(`spotpipe run ${job} --out ${out} --resume`)
  })

  it("sigint-mid-batch-run-says-how-to-resume-and-exits-130", timeout, async () => {
    const dir = tempDir()
    const out = NodePath.join(dir, "landing")
    const job = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "answer", id: "Order Details", pageSize: 500 }] }))
    const run = startCli(["run", job, "--out", out], passwordEnv(slow))
    // A checkpointed partial file in the state folder: the run is mid-export.
    await waitFor(
      () =>
        NodeFs.existsSync(out) &&
        filesUnder(out).some((f) => f.includes(".spotpipe-state") && f.endsWith(".checkpoint.json")),
      () => run.stderr()
    )
    run.child.kill("SIGINT")
    expect(await run.exited).toBe(130)
    const lines = run.stderr().trimEnd().split("\n")
    expect(lines.slice(-2)).toEqual([
      "spotpipe: interrupted; no partial file was published",
      `run "spotpipe run ${job} --out ${out} --resume" to continue`
    ])
    // Nothing at the final path; the partial output stays in the state folder for --resume.
    expect(NodeFs.readdirSync(out).filter((f) => !f.startsWith("."))).toEqual([])
  })
})

describe("a stdout that cannot be written (a full disk)", () => {
  /** Runs `spotpipe args…` with stdout on /dev/full, where every write fails with ENOSPC. */
  const toFullDisk = (args: ReadonlyArray<string>, env: Record<string, string>) =>
    new Promise<{ readonly code: number | null; readonly stderr: string }>((resolve) => {
      const full = NodeFs.openSync("/dev/full", "w")
      const child = spawn(process.execPath, [mainPath, ...args], { env, stdio: ["ignore", full, "pipe"] })
      NodeFs.closeSync(full)
      let stderr = ""
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8")
      })
      child.on("close", (code) => resolve({ code, stderr }))
    })

  for (const args of [
    ["ls", "answers", "--json"],
    ["metadata", "--out", "DIR", "--json"],
    ["config", "list", "--json"]
  ]) {
    it(`fails-the-run-that-lost-its-output-instead-of-exit-0: ${args.slice(0, 2).join(" ")}`, timeout, async () => {
      const run = await toFullDisk(
        args.map((arg) => (arg === "DIR" ? tempDir() : arg)),
        { ...passwordEnv(large), SPOTPIPE_CONFIG: NodePath.join(tempDir(), "config.json") }
      )
      expect(run.code, run.stderr).toBe(1)
      expect(run.stderr).toContain("spotpipe: cannot write to stdout (ENOSPC")
    })
  }
})

describe("the resume hint of an interrupted batch run", () => {
  it("carries-the-flags-that-shape-the-files-and-the-connection-so-it-continues-them", timeout, async () => {
    const dir = tempDir()
    const out = NodePath.join(dir, "landing")
    const job = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "answer", id: "Order Details", pageSize: 500 }] }))
    // In the order the hint writes them: connection, then how files are written, then time and rate.
    const flags = ["--org-id", "0", "--newline", "lf", "--escape-formulae", "--rate-limit", "50", "--concurrency", "2"]
    const run = startCli(["run", job, "--out", out, ...flags], passwordEnv(slow))
    await waitFor(
      () => NodeFs.existsSync(out) && filesUnder(out).some((f) => f.endsWith(".checkpoint.json")),
      () => run.stderr()
    )
    run.child.kill("SIGINT")
    expect(await run.exited).toBe(130)
    const hint = /^run "(.*)" to continue$/.exec(run.stderr().trimEnd().split("\n").at(-1) ?? "")?.[1]
    expect(hint).toBe(`spotpipe run ${job} --out ${out} ${flags.join(" ")} --resume`)
    // Run as printed (its words hold no space here): it continues the partial file instead of writing it again
    // with other settings.
    const resumed = await runCliInProcess([...hint!.split(" ").slice(1), "--json"], { env: passwordEnv(slow) })
    expect(resumed.code, resumed.stderr).toBe(0)
    const report = JSON.parse(resumed.stdout) as { outputs: ReadonlyArray<{ file: string; status: string }> }
    expect(report.outputs.map((o) => o.status)).toEqual(["continued"])
    expect(NodeFs.readFileSync(NodePath.join(out, report.outputs[0]!.file), "latin1")).not.toContain("\r\n")
  })
})

// No request may happen: nothing listens here, so reaching it would fail with exit 1, not 2.
const unreachable = {
  THOUGHTSPOT_HOST: "http://127.0.0.1:9",
  THOUGHTSPOT_USERNAME: "ana",
  THOUGHTSPOT_PASSWORD: "pw-Zx81"
}

describe.concurrent("output folder", () => {
  it("an-out-path-that-is-a-file-is-a-usage-error-naming-it-before-any-request", timeout, async () => {
    const file = NodePath.join(tempDir(), "landing")
    NodeFs.writeFileSync(file, "keep me")
    for (const args of [
      ["metadata", "--out", file],
      ["answer", "A", "--out", file]
    ]) {
      const run = await runCliInProcess(args, { env: unreachable })
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toBe(`spotpipe: cannot write to ${file}: it is a file, not a folder; pass a folder to --out\n`)
    }
    expect(NodeFs.readFileSync(file, "utf8")).toBe("keep me")
  })

  it("an-out-path-below-a-file-names-that-file", timeout, async () => {
    const file = NodePath.join(tempDir(), "landing")
    NodeFs.writeFileSync(file, "keep me")
    const run = await runCliInProcess(
      ["search", "--table", "T", "--query", "[Q]", "--out", NodePath.join(file, "day", "1")],
      {
        env: unreachable
      }
    )
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).toContain(`${file} is a file, not a folder; pass a folder to --out`)
  })

  it("a-batch-run-checks-its-out-folder-the-same-way", timeout, async () => {
    const dir = tempDir()
    const file = NodePath.join(dir, "landing")
    NodeFs.writeFileSync(file, "keep me")
    const job = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "metadata", metadataTypes: ["ANSWER"] }] }))
    const run = await runCliInProcess(["run", job, "--out", file], { env: unreachable })
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).toBe(`spotpipe: cannot write to ${file}: it is a file, not a folder; pass a folder to --out\n`)
  })

  it("an-out-folder-that-cannot-be-created-fails-at-once-instead-of-spinning", timeout, async () => {
    // Under /proc no folder can be made, and Node's recursive mkdir loops there forever: the guard ends a hang.
    // The embedded sandbox answers every request, so only the folder can stop these runs.
    for (const args of [
      ["metadata", "--sandbox"],
      ["run", "job-is-read-first.json", "--sandbox"]
    ]) {
      const dir = tempDir()
      const job = NodePath.join(dir, "job-is-read-first.json")
      NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "metadata", metadataTypes: ["ANSWER"] }] }))
      const run = await runCli([...args, "--out", "/proc/spotpipe-out/day"], {
        cwd: dir,
        timeoutMillis: 20_000
      })
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toContain("cannot create the folder /proc/spotpipe-out/day: /proc does not accept new folders")
    }
  })

  it("a-file-or-folder-in-the-way-of-an-output-is-named-with-what-to-do", timeout, async () => {
    // A file where the liveboard's folder goes, and a folder where the answer's file goes.
    const first = tempDir()
    NodeFs.writeFileSync(NodePath.join(first, "liveboard-Order Operations"), "keep me")
    const blocked = await runCliInProcess(["liveboard", "Order Operations", "--sandbox", "--out", first])
    expect(blocked.code, blocked.stderr).toBe(1)
    expect(blocked.stderr).toContain(
      `cannot write to ${NodePath.join(first, "liveboard-Order Operations")}/Order Timeline.csv: a part of that path is a file, not a folder`
    )
    const second = tempDir()
    NodeFs.mkdirSync(NodePath.join(second, "answer-Order Details.csv"))
    const shadowed = await runCliInProcess(["answer", "Order Details", "--sandbox", "--out", second, "--force"])
    expect(shadowed.code, shadowed.stderr).toBe(1)
    expect(shadowed.stderr).toContain("answer-Order Details.csv: a folder of that name is in the way; move it away")
    for (const run of [blocked, shadowed]) expect(run.stderr).not.toMatch(/BadResource|FileSystem\./)
  })

  it("a-new-nested-out-folder-is-created", timeout, async () => {
    const out = NodePath.join(tempDir(), "a", "b", "c")
    const run = await runCliInProcess(["metadata", "--sandbox", "--out", out, "--quiet"])
    expect(run.code, run.stderr).toBe(0)
    expect(NodeFs.readdirSync(out)).toContain("metadata.csv")
  })
})

describe.concurrent("demo folder", () => {
  it("demo-refuses-a-folder-holding-files-it-did-not-write-and-leaves-them-alone", timeout, async () => {
    const dir = tempDir()
    NodeFs.writeFileSync(NodePath.join(dir, "metadata.csv"), "my own file")
    const run = await runCliInProcess(["demo", "--out", dir])
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).toContain(`${dir} already holds files that spotpipe demo did not write`)
    expect(run.stderr).toContain("pass --out with a new or empty folder")
    expect(NodeFs.readdirSync(dir)).toEqual(["metadata.csv"])
    expect(NodeFs.readFileSync(NodePath.join(dir, "metadata.csv"), "utf8")).toBe("my own file")
  })

  it("demo-marks-the-folder-it-creates-and-replaces-its-own-output-next-time", timeout, async () => {
    const out = NodePath.join(tempDir(), "demo")
    const first = await runCliInProcess(["demo", "--out", out, "--quiet"])
    expect(first.code, first.stderr).toBe(0)
    expect(NodeFs.existsSync(NodePath.join(out, demoMarker))).toBe(true)
    const before = NodeFs.readFileSync(NodePath.join(out, "metadata.csv"))
    const second = await runCliInProcess(["demo", "--out", out, "--quiet"])
    expect(second.code, second.stderr).toBe(0)
    expect(NodeFs.readFileSync(NodePath.join(out, "metadata.csv")).equals(before)).toBe(true)
    // An empty folder is the demo's to mark, too.
    const empty = tempDir()
    const third = await runCliInProcess(["demo", "--out", empty, "--quiet"])
    expect(third.code, third.stderr).toBe(0)
    expect(NodeFs.readdirSync(empty)).toContain(demoMarker)
  })
})

/**
 * A reverse proxy that serves the sandbox under `/thoughtspot` only (as a company proxy might), and answers 404
 * to anything else; it records every path asked for.
 */
const startPrefixProxy = async (target: string) => {
  const seen: Array<string> = []
  const server = NodeHttp.createServer((request, response) => {
    const path = request.url ?? "/"
    seen.push(path)
    if (!path.startsWith("/thoughtspot/")) {
      response.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not here"}}')
      return
    }
    const upstream = NodeHttp.request(
      new URL(path.slice("/thoughtspot".length), target),
      { method: request.method ?? "GET", headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      }
    )
    upstream.on("error", () => response.destroy())
    request.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/thoughtspot/`
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

describe("host with a path", () => {
  it("a-host-under-a-path-prefix-is-reached-there-by-a-single-command-and-by-a-job-file", timeout, async () => {
    const proxy = await startPrefixProxy(large.url)
    try {
      const dir = tempDir()
      const single = await runCliInProcess(
        ["metadata", "--type", "ANSWER", "--out", NodePath.join(dir, "single"), "--quiet"],
        {
          env: { ...passwordEnv(large), THOUGHTSPOT_HOST: proxy.url }
        }
      )
      expect(single.code, single.stderr).toBe(0)
      const job = NodePath.join(dir, "job.json")
      NodeFs.writeFileSync(
        job,
        JSON.stringify({
          connection: { host: proxy.url },
          exports: [{ type: "metadata", metadataTypes: ["ANSWER"], output: "answers" }]
        })
      )
      // The job's host, with the environment's secret: THOUGHTSPOT_HOST is not set (it would keep the secret).
      const { THOUGHTSPOT_HOST: _, ...secretOnly } = passwordEnv(large)
      const batch = await runCliInProcess(["run", job, "--out", NodePath.join(dir, "batch"), "--quiet"], {
        env: secretOnly
      })
      expect(batch.code, batch.stderr).toBe(0)
      expect(NodeFs.readFileSync(NodePath.join(dir, "batch", "answers.csv"), "utf8")).toBe(
        NodeFs.readFileSync(NodePath.join(dir, "single", "metadata.csv"), "utf8")
      )
      expect(proxy.seen.length).toBeGreaterThan(2)
      for (const path of proxy.seen) expect(path).toMatch(/^\/thoughtspot\/api\/rest\/2\.0\//)
    } finally {
      await proxy.close()
    }
  })
})

/** A loopback server that takes every request and never answers it. */
const startSilentServer = async () => {
  let requests = 0
  const server = NodeHttp.createServer(() => {
    requests++
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

describe("time limits", () => {
  it("a-server-that-never-answers-fails-within-the-deadline-naming-the-flags", timeout, async () => {
    const silent = await startSilentServer()
    try {
      const dir = tempDir()
      const env = { ...unreachable, THOUGHTSPOT_HOST: silent.url }
      // With the defaults (120 s per attempt) the test's timeout would end these runs: only the flags can.
      const single = await runCliInProcess(["metadata", "--timeout", "1", "--deadline", "2", "--out", dir], { env })
      expect(single.code, single.stderr).toBe(1)
      expect(single.stderr).toContain("--timeout")
      expect(single.stderr).toContain("--deadline")
      const job = NodePath.join(dir, "job.json")
      NodeFs.writeFileSync(
        job,
        JSON.stringify({
          client: { timeoutSeconds: 1, deadlineSeconds: 2 },
          exports: [{ type: "metadata", metadataTypes: ["ANSWER"] }]
        })
      )
      const batch = await runCliInProcess(["run", job, "--out", NodePath.join(dir, "batch")], { env })
      expect(batch.code, batch.stderr).toBe(1)
      expect(batch.stderr).toContain("--timeout")
      expect(silent.requests()).toBeGreaterThan(1)
    } finally {
      await silent.close()
    }
  })

  it("job-file-time-limits-are-checked-with-the-rest-of-the-file", timeout, async () => {
    const dir = tempDir()
    const job = NodePath.join(dir, "job.json")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        client: { timeoutSeconds: 0, deadlineSeconds: 1.5 },
        exports: [{ type: "metadata", metadataTypes: ["ANSWER"] }]
      })
    )
    const run = await runCliInProcess(["run", job, "--out", dir], { env: unreachable })
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).toContain("client.timeoutSeconds: must be whole seconds from 1 to 3600")
    expect(run.stderr).toContain("client.deadlineSeconds")
  })
})

describe("node version", () => {
  it("the-version-check-accepts-the-minimum-and-later-and-refuses-older", () => {
    expect(minimumNode).toBe("22.19.0")
    for (const ok of ["22.19.0", "22.20.1", "23.0.0", "24.21.0", "30.0.0"]) expect(unsupportedNode(ok)).toBeUndefined()
    for (const old of ["22.18.9", "22.0.0", "20.20.2", "18.19.0"]) {
      expect(unsupportedNode(old)).toContain(`Node.js ${minimumNode} or later is needed, but this is Node.js ${old}`)
    }
  })

  it("an-older-node-gets-one-line-naming-the-needed-version-and-exit-2", timeout, async () => {
    // Node reports the old version before the launcher runs (its imports are all that differs on a real one).
    const old = `data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.1.0"})`
    const run = await runNode(["--import", old, mainPath, "--version"])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr).toBe(`spotpipe: ${unsupportedNode("20.1.0")}\n`)
  })

  it("the-machines-own-node-runs-the-launcher-or-names-the-version-it-needs", timeout, async () => {
    // The Node on PATH other than the pinned one (machines may have only Node 20): the launcher must parse on it.
    const pinned = NodeFs.realpathSync(process.execPath)
    const system = (process.env["PATH"] ?? "")
      .split(NodePath.delimiter)
      .map((dir) => NodePath.join(dir, "node"))
      .filter((file) => NodeFs.existsSync(file))
      .map((file) => NodeFs.realpathSync(file))
      .find((file) => file !== pinned)
    const node = system ?? pinned
    const version = await new Promise<string>((resolve, reject) => {
      const child = spawn(node, ["-p", "process.versions.node"], { stdio: ["ignore", "pipe", "inherit"] })
      let text = ""
      child.stdout.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8")
      })
      child.on("error", reject)
      child.on("close", () => resolve(text.trim()))
    })
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(node, [mainPath, "--version"], { stdio: ["ignore", "pipe", "pipe"] })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8")
      })
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8")
      })
      child.on("error", reject)
      child.on("close", (code) => resolve({ code, stdout, stderr }))
    })
    const refusal = unsupportedNode(version)
    if (refusal === undefined) {
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toContain("spotpipe")
    } else {
      expect(run.code).toBe(2)
      expect(run.stderr).toBe(`spotpipe: ${refusal}\n`)
    }
  })
})
