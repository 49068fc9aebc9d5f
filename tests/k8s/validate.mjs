// Validates Kubernetes manifests of the Prometheus Operator's kinds against
// the schemas published in npm's @kubernetes-models/prometheus-operator:
// PrometheusRule, ServiceMonitor, PodMonitor, Probe, Prometheus
// (monitoring.coreos.com/v1), ScrapeConfig, AlertmanagerConfig and
// PrometheusAgent (v1alpha1; AlertmanagerConfig also v1beta1). Prometheus
// and PrometheusAgent are what kube-prometheus-stack makes of the
// `prometheusSpec` of its values.
//
//   node tests/k8s/validate.mjs FILE...
//
// Every YAML document of every FILE is checked; documents of other API groups
// are listed as skipped (core kinds are kubernetes-validate's job). Exits 1
// when a document does not parse, is an unknown monitoring.coreos.com kind, or
// does not validate, with one message per such document; 2 on bad usage.
//
// Limit of these schemas: they check types, required fields, enums and
// patterns, but not unknown fields (a misspelled optional field passes). So
// field names are checked here too, at every level, against the packages'
// TypeScript declarations (the .d.ts beside each model list every field of
// its type): an unknown field is reported with its path
// (`unknown field "spec.endpoints[0].prot"`). Free-form maps (labels,
// annotations, params) and fields typed as arbitrary JSON are not looked
// into, except an AlertmanagerConfig route's child routes, which the
// Operator reads as routes.
//
// The packages come from tests/k8s/package.json, installed by
// tests/k8s/install.sh into target/test-env/npm (OBSCTL_TEST_NPM_DIR overrides).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const npmDir = process.env.OBSCTL_TEST_NPM_DIR ?? path.join(here, "../../target/test-env/npm");
const load = (file) => import(pathToFileURL(path.join(npmDir, "node_modules", file)).href);

const GROUP = "monitoring.coreos.com";
const KINDS = {
  "v1": ["PrometheusRule", "ServiceMonitor", "PodMonitor", "Probe", "Prometheus"],
  "v1alpha1": ["ScrapeConfig", "AlertmanagerConfig", "PrometheusAgent"],
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

// --- Field names, from the TypeScript declarations --------------------------

const modules = path.join(npmDir, "node_modules");
const declarations = new Map();

// The .d.ts file an import specifier names, from the file importing it.
function declarationFile(specifier, from) {
  const base = specifier.startsWith(".")
    ? path.join(path.dirname(from), specifier)
    : path.join(modules, specifier);
  const stem = base.replace(/\.js$/, "");
  return [`${stem}.d.ts`, path.join(stem, "index.d.ts")].find((f) => existsSync(f)) ?? null;
}

// The interface a .d.ts declares: its fields (name -> type text), the
// interfaces it extends, and where each imported type is declared; or null
// when the file declares no interface (a primitive or a union).
function declaration(file) {
  if (file === null) return null;
  if (declarations.has(file)) return declarations.get(file);
  const text = readFileSync(file, "utf8");
  const imports = new Map();
  for (const [, names, specifier] of text.matchAll(/^import \{([^}]*)\} from "([^"]+)";/gm)) {
    for (const name of names.split(",").map((n) => n.trim()).filter(Boolean)) {
      imports.set(name, declarationFile(specifier, file));
    }
  }
  const found = text.match(/^export interface \w+(?: extends ([^{]+))? \{\n([\s\S]*?)^\}/m);
  let result = null;
  if (found) {
    const fields = new Map();
    const lines = found[2].split("\n");
    for (let i = 0; i < lines.length; i++) {
      const member = lines[i].match(/^ {4}"([^"]+)"\??: (.*?);?$/);
      if (!member) continue;
      let type = member[2];
      if (type === "{") {
        // A map type: `{ [key: string]: T; }` over several lines.
        const inner = [];
        while (i + 1 < lines.length && !lines[++i].startsWith("    }")) inner.push(lines[i].trim());
        const value = inner.join(" ").match(/\[key: string\]: (.*?);/);
        type = value ? `Map<${value[1]}>` : "unknown";
      }
      fields.set(member[1], type);
    }
    const parents = (found[1] ?? "").split(",").map((p) => p.trim()).filter(Boolean);
    result = { fields, parents, imports };
  }
  declarations.set(file, result);
  return result;
}

// Every field of the interface in `file`, its own and inherited: name ->
// {type, file}; `complete` is false when a parent interface could not be
// read (then a field not listed may still be one).
function fieldsOf(file) {
  const decl = declaration(file);
  const all = new Map();
  if (!decl) return { fields: all, complete: false };
  let complete = true;
  for (const parent of decl.parents) {
    const inherited = fieldsOf(decl.imports.get(parent) ?? null);
    complete &&= inherited.complete;
    for (const [k, v] of inherited.fields) all.set(k, v);
  }
  for (const [name, type] of decl.fields) all.set(name, { type, file });
  return { fields: all, complete };
}

// Reports the unknown fields of `value`, of type `type` (text as written in
// `file`), found at `where`.
function checkType(value, type, file, where, errors) {
  const list = type.match(/^Array<(.*)>$/);
  if (list) {
    if (Array.isArray(value)) value.forEach((v, i) => checkType(v, list[1], file, `${where}[${i}]`, errors));
    return;
  }
  const map = type.match(/^Map<(.*)>$/);
  if (map) {
    if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) checkType(v, map[1], file, `${where}.${k}`, errors);
    }
    return;
  }
  // A Route's child routes are typed as arbitrary JSON; the Operator reads routes.
  if (/ApiextensionsV1JSON$/.test(type) && path.basename(file) === "Route.d.ts") {
    checkObject(value, file, where, errors);
    return;
  }
  const typeFile = declaration(file)?.imports.get(type);
  if (typeFile) checkObject(value, typeFile, where, errors);
}

function checkObject(value, file, where, errors) {
  if (!value || typeof value !== "object" || Array.isArray(value) || !declaration(file)) return;
  const { fields, complete } = fieldsOf(file);
  for (const [key, v] of Object.entries(value)) {
    const path = where ? `${where}.${key}` : key;
    const field = fields.get(key);
    if (!field) {
      if (complete) errors.push(`unknown field "${path}" (expected one of: ${[...fields.keys()].join(", ")})`);
      continue;
    }
    checkType(v, field.type, field.file, path, errors);
  }
}

// The unknown fields of a document of `version`/`kind`, below its top level.
function unknownFields(data, version, kind) {
  const errors = [];
  const file = path.join(modules, `@kubernetes-models/prometheus-operator/${GROUP}/${version}/${kind}.d.ts`);
  const { fields } = fieldsOf(file);
  for (const key of ["metadata", "spec"]) {
    const field = fields.get(key);
    if (field && key in data) checkType(data[key], field.type, field.file, key, errors);
  }
  return errors;
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
    errors.push(...unknownFields(data, String(data.apiVersion).split("/")[1], data.kind));
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
