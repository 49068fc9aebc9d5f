// Validates Kubernetes manifests of the Prometheus Operator's kinds against
// the schemas published in npm's @kubernetes-models/prometheus-operator:
// PrometheusRule, ServiceMonitor, PodMonitor, Probe (monitoring.coreos.com/v1),
// ScrapeConfig and AlertmanagerConfig (v1alpha1; AlertmanagerConfig also
// v1beta1).
//
//   node tests/k8s/validate.mjs FILE...
//
// Every YAML document of every FILE is checked; documents of other API groups
// are listed as skipped (core kinds are kubernetes-validate's job). Exits 1
// when a document does not parse, is an unknown monitoring.coreos.com kind, or
// does not validate, with one message per such document; 2 on bad usage.
//
// Limit of these schemas: they check types, required fields, enums and
// patterns, but not unknown fields (a misspelled optional field passes), and
// the top level is the only place checked for those here.
//
// The packages come from tests/k8s/package.json, installed by
// tests/k8s/install.sh into target/test-env/npm (OBSCTL_TEST_NPM_DIR overrides).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const npmDir = process.env.OBSCTL_TEST_NPM_DIR ?? path.join(here, "../../target/test-env/npm");
const load = (file) => import(pathToFileURL(path.join(npmDir, "node_modules", file)).href);

const GROUP = "monitoring.coreos.com";
const KINDS = {
  "v1": ["PrometheusRule", "ServiceMonitor", "PodMonitor", "Probe"],
  "v1alpha1": ["ScrapeConfig", "AlertmanagerConfig"],
  "v1beta1": ["AlertmanagerConfig"],
};
const TOP_LEVEL = new Set(["apiVersion", "kind", "metadata", "spec"]);

const files = process.argv.slice(2);
if (files.length === 0 || files.some((f) => f.startsWith("-"))) {
  console.error("usage: validate.mjs FILE...");
  process.exit(2);
}

let YAML;
try {
  YAML = await load("yaml/dist/index.js");
} catch (err) {
  console.error(`validate.mjs: the npm packages are missing from ${npmDir} (run tests/k8s/install.sh): ${err.message}`);
  process.exit(2);
}

// The model class of apiVersion/kind, or an error message.
async function model(apiVersion, kind) {
  const [group, version] = String(apiVersion).split("/");
  if (group !== GROUP) return null;
  if (!(KINDS[version] ?? []).includes(kind)) {
    return `${apiVersion} ${kind} is not one of the Prometheus Operator kinds checked here (${Object.entries(KINDS).map(([v, ks]) => ks.map((k) => `${v}/${k}`).join(", ")).join(", ")})`;
  }
  const mod = await load(`@kubernetes-models/prometheus-operator/${GROUP}/${version}/${kind}.js`);
  return mod[kind];
}

let failures = 0;
let checked = 0;
let skipped = 0;
for (const file of files) {
  let docs;
  try {
    docs = YAML.parseAllDocuments(readFileSync(file, "utf8"));
  } catch (err) {
    console.error(`${file}: ${err.message}`);
    failures++;
    continue;
  }
  for (const [i, doc] of docs.entries()) {
    const where = `${file}: document ${i + 1}`;
    if (doc.errors.length > 0) {
      console.error(`${where}: not valid YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      failures++;
      continue;
    }
    const data = doc.toJS();
    if (data === null || data === undefined) continue;
    if (typeof data !== "object" || Array.isArray(data)) {
      console.error(`${where}: not a Kubernetes object (a YAML mapping with apiVersion and kind)`);
      failures++;
      continue;
    }
    const name = `${data.kind ?? "?"}/${data.metadata?.name ?? "?"}`;
    const Model = await model(data.apiVersion, data.kind);
    if (Model === null) {
      console.error(`${where} (${name}): skipped, ${data.apiVersion} is not ${GROUP}`);
      skipped++;
      continue;
    }
    if (typeof Model === "string") {
      console.error(`${where} (${name}): ${Model}`);
      failures++;
      continue;
    }
    const errors = Object.keys(data)
      .filter((key) => !TOP_LEVEL.has(key))
      .map((key) => `unknown top-level field "${key}" (expected ${[...TOP_LEVEL].join(", ")})`);
    try {
      new Model(data).validate();
    } catch (err) {
      errors.push(err.message.trim());
    }
    checked++;
    if (errors.length > 0) {
      console.error(`${where} (${name}) is invalid:\n  ${errors.join("\n  ")}`);
      failures++;
    } else {
      console.log(`${where} (${name}): valid`);
    }
  }
}
if (failures > 0) {
  console.error(`${failures} invalid document(s)`);
  process.exit(1);
}
console.log(`${checked} document(s) valid, ${skipped} skipped`);
