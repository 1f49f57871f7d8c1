#!/usr/bin/env node
// Checks a built rott-sync image's configuration (skopeo inspect --config / skopeo inspect output).
//   node check-image-config.mjs image-config.json image-inspect.json image-manifest.json
// Prints what it checked; exits 1 with the list of problems otherwise.
import { readFileSync } from "node:fs"

const config = JSON.parse(readFileSync(process.argv[2], "utf8"))
const inspect = JSON.parse(readFileSync(process.argv[3], "utf8"))
const manifest = JSON.parse(readFileSync(process.argv[4], "utf8"))
const c = config.config ?? {}
const env = Object.fromEntries((c.Env ?? []).map(e => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]))
const labels = c.Labels ?? {}
const problems = []
const expect = (ok, what) => { if (!ok) problems.push(what) }

expect(c.User === "185:0", `user is 185:0 (found ${c.User})`)
expect(env.PORT === "3030", `PORT=3030 (found ${env.PORT})`)
expect(env.DATA_DIR === "/data", `DATA_DIR=/data (found ${env.DATA_DIR})`)
expect(env.MANAGEMENT_PORT === "9000", `MANAGEMENT_PORT=9000 (found ${env.MANAGEMENT_PORT})`)
expect(env.HOST === "0.0.0.0", `HOST=0.0.0.0 (found ${env.HOST})`)
expect(/-XX:MaxRAMPercentage=\d+/.test(env.JAVA_TOOL_OPTIONS ?? ""), "JAVA_TOOL_OPTIONS sizes the heap as a percentage")
expect("3030/tcp" in (c.ExposedPorts ?? {}) && "9000/tcp" in (c.ExposedPorts ?? {}), "ports 3030 and 9000 exposed")
const entry = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])]
expect(entry[0] === "java" && entry.at(-2) === "-jar" && entry.at(-1) === "quarkus-run.jar",
  `entry point java … -jar quarkus-run.jar (found ${entry.join(" ")})`)
expect(c.WorkingDir === "/home/jboss", `working directory /home/jboss (found ${c.WorkingDir})`)
for (const label of ["title", "description", "version", "base.name"]) {
  expect(labels[`org.opencontainers.image.${label}`], `OCI label org.opencontainers.image.${label}`)
}
expect(config.os === "linux" && config.architecture === "amd64", `linux/amd64 (found ${config.os}/${config.architecture})`)

if (problems.length) {
  console.error("image configuration problems:\n  " + problems.join("\n  "))
  process.exit(1)
}
const mib = n => (n / 1048576).toFixed(1) + " MiB"
const layers = manifest.layers ?? []
console.log(`image ${inspect.Name}@${inspect.Digest}`)
console.log(`  ${config.os}/${config.architecture}, user ${c.User}, workdir ${c.WorkingDir}, ports ${Object.keys(c.ExposedPorts).join(" ")}`)
console.log(`  env PORT=${env.PORT} DATA_DIR=${env.DATA_DIR} MANAGEMENT_PORT=${env.MANAGEMENT_PORT} JAVA_TOOL_OPTIONS=${env.JAVA_TOOL_OPTIONS}`)
console.log(`  entry point: ${entry.join(" ")}`)
console.log(`  labels: ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(", ")}`)
console.log(`  ${layers.length} layers (compressed): base ${mib(layers[0]?.size ?? 0)}, application `
  + layers.slice(1).map(l => mib(l.size)).join(" + "))
