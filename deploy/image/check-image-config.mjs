#!/usr/bin/env node
// Checks a built rott-sync image for each platform, from what build-and-run.sh saved in WORK_DIR:
// image-index.json (the pushed index), config-ARCH.json (skopeo inspect --config) and
// manifest-ARCH.json (skopeo inspect --raw of that platform's manifest).
//   node check-image-config.mjs WORK_DIR ARCH...
// Prints what it checked; exits 1 with the list of problems otherwise.
import { readFileSync } from "node:fs"
import { join } from "node:path"

const [work, ...arches] = process.argv.slice(2)
const read = name => JSON.parse(readFileSync(join(work, name), "utf8"))
const problems = []
const expect = (ok, what) => { if (!ok) problems.push(what) }
const mib = n => (n / 1048576).toFixed(1) + " MiB"

const index = read("image-index.json")
const platforms = (index.manifests ?? []).map(m => `${m.platform?.os}/${m.platform?.architecture}`)
expect(/manifest\.list|image\.index/.test(index.mediaType ?? ""), `a multi-platform index (found ${index.mediaType})`)
for (const arch of arches) expect(platforms.includes(`linux/${arch}`), `platform linux/${arch} in the index`)
console.log(`index ${index.mediaType}: ${platforms.join(", ")}`)

let first
for (const arch of arches) {
  const config = read(`config-${arch}.json`)
  const manifest = read(`manifest-${arch}.json`)
  const c = config.config ?? {}
  const env = Object.fromEntries((c.Env ?? []).map(e => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]))
  const labels = c.Labels ?? {}
  const entry = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])]
  const at = `linux/${arch}:`

  expect(config.os === "linux" && config.architecture === arch, `${at} config for linux/${arch} (found ${config.os}/${config.architecture})`)
  expect(c.User === "185:0", `${at} user 185:0 (found ${c.User})`)
  expect(env.PORT === "3030", `${at} PORT=3030 (found ${env.PORT})`)
  expect(env.DATA_DIR === "/data", `${at} DATA_DIR=/data (found ${env.DATA_DIR})`)
  expect(env.MANAGEMENT_PORT === "9000", `${at} MANAGEMENT_PORT=9000 (found ${env.MANAGEMENT_PORT})`)
  expect(env.HOST === "0.0.0.0", `${at} HOST=0.0.0.0 (found ${env.HOST})`)
  expect(/-XX:MaxRAMPercentage=\d+/.test(env.JAVA_TOOL_OPTIONS ?? ""), `${at} JAVA_TOOL_OPTIONS sizes the heap as a percentage`)
  expect((env.PATH ?? "").includes(`java-17-openjdk-${arch}/bin`), `${at} the base's java for ${arch} on PATH`)
  expect("3030/tcp" in (c.ExposedPorts ?? {}) && "9000/tcp" in (c.ExposedPorts ?? {}), `${at} ports 3030 and 9000 exposed`)
  expect(entry[0] === "java" && entry.at(-2) === "-jar" && entry.at(-1) === "quarkus-run.jar",
    `${at} entry point java … -jar quarkus-run.jar (found ${entry.join(" ")})`)
  expect(c.WorkingDir === "/home/jboss", `${at} working directory /home/jboss (found ${c.WorkingDir})`)
  for (const label of ["title", "description", "version", "base.name"]) {
    expect(labels[`org.opencontainers.image.${label}`], `${at} OCI label org.opencontainers.image.${label}`)
  }
  const layers = manifest.layers ?? []
  if (first) {
    // The application layers are the same files for every platform.
    expect(JSON.stringify(layers.slice(1).map(l => l.digest)) === JSON.stringify(first.slice(1).map(l => l.digest)),
      `${at} the same application layers as linux/${arches[0]}`)
  } else {
    first = layers
  }
  console.log(`linux/${arch}: user ${c.User}, workdir ${c.WorkingDir}, ports ${Object.keys(c.ExposedPorts ?? {}).join(" ")}`)
  console.log(`  env PORT=${env.PORT} DATA_DIR=${env.DATA_DIR} MANAGEMENT_PORT=${env.MANAGEMENT_PORT} JAVA_TOOL_OPTIONS=${env.JAVA_TOOL_OPTIONS}`)
  console.log(`  entry point: ${entry.join(" ")}`)
  console.log(`  labels: ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(", ")}`)
  console.log(`  ${layers.length} layers (compressed): base ${mib(layers[0]?.size ?? 0)}, application `
    + layers.slice(1).map(l => mib(l.size)).join(" + "))
}

if (problems.length) {
  console.error("image configuration problems:\n  " + problems.join("\n  "))
  process.exit(1)
}
