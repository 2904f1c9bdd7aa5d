/**
 * A host that cannot be a cluster's address (a flag where the value goes, a scheme without its ":", a name no DNS
 * server can answer for, whitespace inside) is a usage error before any request, never a failed name lookup.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { checkHostUrl } from "../src/cluster/HostUrl.ts"
import { runInProcess } from "./support/inProcess.ts"

const refusal = (host: string) => {
  const checked = checkHostUrl(host, true)
  return checked._tag === "Refused" ? checked.message : undefined
}

describe("a host that cannot be an address", () => {
  it("is-refused-with-what-is-wrong", () => {
    expect(refusal("-v")).toContain('the host starts with "-"')
    expect(refusal("-ts.example.com")).toContain('the host starts with "-"')
    expect(refusal("http//ts.example.com")).toContain('misses the ":" after its scheme')
    expect(refusal("https//ts.example.com")).toContain('misses the ":" after its scheme')
    expect(refusal("http://h:1 pw")).toContain("must not contain whitespace")
    expect(refusal("ts.exa\tmple.com")).toContain("must not contain whitespace")
    // Core calls it no URL: a space in the host name is one its URL parser refuses.
    expect(refusal("https://ts .example.com")).toContain("must not contain whitespace")
    expect(refusal("https://-ts.example.com")).toContain("the host name cannot be looked up")
    expect(refusal("https://ts-.example.com")).toContain("the host name cannot be looked up")
    expect(refusal("https://ts..example.com")).toContain("the host name cannot be looked up")
  })

  it("never-repeats-the-value", () => {
    for (const host of ["-secret-v", "http//secret.example.com", "http://h:1 secret", "https://-secret.example.com"]) {
      expect(refusal(host)).not.toContain("secret")
    }
  })

  it("leaves-real-names-and-addresses-alone", () => {
    for (const host of [
      "ts.example.com",
      "https://ts.example.com.",
      "https://my-company.thoughtspot.cloud/thoughtspot",
      "https://a_b.internal",
      "https://bücher.example",
      "http://127.0.0.1:4010",
      "http://[::1]:4010",
      "https://10.0.0.1"
    ]) {
      expect(checkHostUrl(host, true)._tag, host).toBe("Ok")
    }
  })

  it.live("given-as---host-is-a-usage-error-before-any-request", () =>
    Effect.gen(function* () {
      const env = { THOUGHTSPOT_USERNAME: "ana", THOUGHTSPOT_PASSWORD: "pw-Zx81" }
      for (const host of ["-v", "http//foo", "http://h:1 pw"]) {
        const run = yield* runInProcess(["metadata", "--host", host, "--dry-run"], env)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stderr).toMatch(/^spotpipe: --host: the host /)
        expect(run.stderr).not.toContain("cannot resolve")
      }
    })
  )
})
