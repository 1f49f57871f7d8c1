#!/usr/bin/env node
// Adds an OCI image index to an OCI image layout, naming one image per architecture:
//   node oci-index.mjs LAYOUT_DIR INDEX_TAG ARCH_TAG...
// Each ARCH_TAG is a tag in the layout whose image is for linux/ARCH_TAG (umoci new + config
// --architecture). skopeo copy --all oci:LAYOUT_DIR:INDEX_TAG then pushes all of them under one tag.
import { createHash } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const [layout, indexTag, ...arches] = process.argv.slice(2)
const blob = digest => join(layout, "blobs", ...digest.split(":"))
const layoutIndex = JSON.parse(readFileSync(join(layout, "index.json"), "utf8"))
const refName = "org.opencontainers.image.ref.name"

const manifests = arches.map(arch => {
  const entry = layoutIndex.manifests.find(m => m.annotations?.[refName] === arch)
  if (!entry) throw new Error(`no image tagged ${arch} in ${layout}`)
  const manifest = JSON.parse(readFileSync(blob(entry.digest), "utf8"))
  const config = JSON.parse(readFileSync(blob(manifest.config.digest), "utf8"))
  if (config.architecture !== arch || config.os !== "linux") {
    throw new Error(`image ${arch} is for ${config.os}/${config.architecture}`)
  }
  const platform = { architecture: arch, os: "linux", ...(arch === "arm64" ? { variant: "v8" } : {}) }
  return { mediaType: entry.mediaType, digest: entry.digest, size: entry.size, platform }
})

const index = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests })
const digest = "sha256:" + createHash("sha256").update(index).digest("hex")
writeFileSync(blob(digest), index)
layoutIndex.manifests = layoutIndex.manifests.filter(m => m.annotations?.[refName] !== indexTag)
layoutIndex.manifests.push({
  mediaType: "application/vnd.oci.image.index.v1+json", digest, size: Buffer.byteLength(index),
  annotations: { [refName]: indexTag },
})
writeFileSync(join(layout, "index.json"), JSON.stringify(layoutIndex))
console.log(`${layout}:${indexTag} -> ${manifests.map(m => `linux/${m.platform.architecture}`).join(", ")} (${digest})`)
