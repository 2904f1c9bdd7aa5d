import { describe, expect, it } from "@effect/vitest"
import { Redacted } from "effect"
import { checkHostUrl, isLoopbackHost, resolveConnection } from "../../src/cluster/JobConnection.ts"

describe("JobConnection", () => {
  it("plain-http-to-a-remote-host-is-refused-unless-allowed", () => {
    const refused = checkHostUrl("http://ts.example.com", false)
    expect(refused._tag).toBe("Refused")
    if (refused._tag === "Refused") expect(refused.message).toMatch(/--allow-insecure-http/)
    expect(checkHostUrl("http://ts.example.com/", true)).toEqual({ _tag: "Ok", url: "http://ts.example.com" })
    expect(checkHostUrl("https://ts.example.com/", false)).toEqual({ _tag: "Ok", url: "https://ts.example.com" })
  })

  it("plain-http-to-loopback-is-fine", () => {
    for (const host of ["http://127.0.0.1:4010", "http://localhost:4010", "http://[::1]:4010", "http://127.8.0.1"]) {
      expect(checkHostUrl(host, false)._tag, host).toBe("Ok")
    }
    expect(isLoopbackHost("127.0.0.1.example.com")).toBe(false)
    expect(checkHostUrl("http://127.0.0.1.evil.example", false)._tag).toBe("Refused")
  })

  it("credentials-in-the-url-and-other-schemes-are-refused-without-echo", () => {
    const withUser = checkHostUrl("https://me:s3cret@ts.example.com", false)
    expect(withUser._tag).toBe("Refused")
    if (withUser._tag === "Refused") expect(withUser.message).not.toContain("s3cret")
    expect(checkHostUrl("ftp://ts.example.com", false)._tag).toBe("Refused")
    expect(checkHostUrl("not a url", false)._tag).toBe("Refused")
  })

  it("secrets-come-from-the-named-variables", () => {
    const resolved = resolveConnection(
      { host: "https://ts.example.com", usernameEnv: "U", secretKeyEnv: "K" },
      { U: "svc", K: "key-value" }
    )
    expect(resolved._tag).toBe("Ok")
    if (resolved._tag === "Ok") {
      expect(resolved.connection.credential._tag).toBe("SecretKey")
      if (resolved.connection.credential._tag === "SecretKey") {
        expect(Redacted.value(resolved.connection.credential.secretKey)).toBe("key-value")
      }
      expect(JSON.stringify(resolved)).not.toContain("key-value")
    }
  })

  it("defaults-follow-the-cli-variables", () => {
    const resolved = resolveConnection(
      {},
      { THOUGHTSPOT_HOST: "http://127.0.0.1:9", THOUGHTSPOT_USERNAME: "u", THOUGHTSPOT_PASSWORD: "p" }
    )
    expect(resolved._tag === "Ok" && resolved.connection.credential._tag).toBe("Password")
    const token = resolveConnection({}, { THOUGHTSPOT_HOST: "https://h", THOUGHTSPOT_TOKEN: "t" })
    expect(token._tag === "Ok" && token.connection.credential._tag).toBe("Token")
  })

  it("a-missing-variable-is-named-in-the-error", () => {
    const resolved = resolveConnection({ hostEnv: "MY_HOST" }, {})
    expect(resolved._tag === "Error" && resolved.error.message).toMatch(/MY_HOST/)
    const secret = resolveConnection({ host: "https://h", username: "u", passwordEnv: "PW" }, {})
    expect(secret._tag === "Error" && secret.error.message).toMatch(/PW/)
  })

  it("the-command-line-can-allow-insecure-http-or-override-the-host", () => {
    const env = { THOUGHTSPOT_USERNAME: "u", THOUGHTSPOT_PASSWORD: "p" }
    expect(resolveConnection({ host: "http://ts.example.com" }, env)._tag).toBe("Error")
    expect(resolveConnection({ host: "http://ts.example.com" }, env, { allowInsecureHttp: true })._tag).toBe("Ok")
    const over = resolveConnection({ host: "https://a" }, env, { host: "https://b" })
    expect(over._tag === "Ok" && over.connection.host).toBe("https://b")
  })
})
