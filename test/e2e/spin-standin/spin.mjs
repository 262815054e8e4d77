#!/usr/bin/env node
// TEST STAND-IN FOR THE SPIN CLI. This is not Spin: the Spin CLI (a Rust binary from GitHub
// releases) cannot be installed on this machine, so hephy-builder's spin e2e test puts this
// program on PATH as `spin`. It implements exactly the two commands the spin backend runs
// (src/tools/spin.ts) the way Spin v3.4.0 does them, and refuses everything else:
//
//   spin --version
//   spin build --from MANIFEST
//   spin registry push --from MANIFEST [--insecure] [--annotation KEY=VALUE]... REFERENCE
//
// Each step cites the Spin v3.4.0 source it follows (spinframework/spin at tag v3.4.0, and the
// fermyon/oci-distribution fork it pins, rev 7b291a39f74d1a3c9499d934a56cae6580fc8e37).
// What differs from real Spin (docs/dev/spin.md): blobs go up in one monolithic upload instead of
// oci-distribution's chunked one; auth is basic or a bearer token from a basic-auth token
// endpoint (no credential helpers); core wasm modules are refused instead of componentized with
// spin-componentize; only the manifest features the backend's tests use are implemented (v2
// manifests, local component sources, `files` as directory/file placements or plain paths), and
// anything else fails with "not implemented by the stand-in".
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, opendirSync, readFileSync, rmSync, statSync, copyFileSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';

export const STAND_IN_VERSION = 'spin 3.4.0-hephy-test-stand-in (test stand-in for the Spin CLI, not Spin)';

// crates/oci/src/client.rs:31-37 (media types), :54 (inline limit)
const SPIN_APPLICATION_MEDIA_TYPE = 'application/vnd.fermyon.spin.application.v1+config';
const DATA_MEDIATYPE = 'application/vnd.wasm.content.layer.v1+data';
const WASM_LAYER_MEDIA_TYPE = 'application/vnd.wasm.content.layer.v1+wasm';
const CONTENT_REF_INLINE_MAX_SIZE = 128;
// oci-distribution src/manifest.rs:21-23
const OCI_IMAGE_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const IMAGE_CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';

class UsageError extends Error {}

function notImplemented(what) {
  return new Error(`${what}: not implemented by the stand-in (hephy-builder's test stand-in for the Spin CLI)`);
}

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Sorted-key JSON value, as serde_json's default Map (a BTreeMap: Spin's Cargo.lock gives serde_json no preserve_order). */
function sortedObject(entries) {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** TOML value -> the serde_json::Value Spin gets from it (tables become sorted maps). */
function tomlToJsonValue(value) {
  if (Array.isArray(value)) return value.map(tomlToJsonValue);
  if (value instanceof Date) throw notImplemented('TOML date-time values in spin.toml');
  if (value && typeof value === 'object') return sortedObject(Object.entries(value).map(([k, v]) => [k, tomlToJsonValue(v)]));
  return value;
}

/**
 * OLPC canonical JSON (the olpc-cjson crate oci-distribution serializes manifests with,
 * src/client.rs:1252-1255): keys sorted, no whitespace, only `"` and `\` escaped in strings.
 */
export function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${canonicalString(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  if (typeof value === 'string') return canonicalString(value);
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'boolean' || value === null) return String(value);
  throw new Error(`canonical JSON cannot hold ${typeof value}`);
}

function canonicalString(s) {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

// ---------------------------------------------------------------------------------------------
// Arguments (src/commands/build.rs:16-48, src/commands/registry.rs:31-78)

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V') return { command: 'version' };
  if (command === 'build') return { command: 'build', ...parseOptions(rest, { flags: [], multi: [], positional: 0 }) };
  if (command === 'registry' && rest[0] === 'push') {
    const o = parseOptions(rest.slice(1), { flags: ['--insecure', '-k'], multi: ['--annotation'], positional: 1 });
    return { command: 'push', ...o };
  }
  throw notImplemented(`spin ${argv.join(' ')}`);
}

function parseOptions(args, spec) {
  const out = { from: undefined, insecure: false, annotations: [], positional: [] };
  for (let i = 0; i < args.length; i++) {
    // clap takes `--name value` and `--name=value` alike.
    const eq = args[i].startsWith('--') ? args[i].indexOf('=') : -1;
    const arg = eq < 0 ? args[i] : args[i].slice(0, eq);
    const value = () => (eq < 0 ? args[++i] : args[i].slice(eq + 1));
    if (['--from', '-f', '--file'].includes(arg)) out.from = value();
    else if (spec.flags.includes(arg)) out.insecure = true;
    else if (spec.multi.includes(arg)) {
      // spin_common::arg_parser::parse_kv (crates/common/src/arg_parser.rs): split at the first '='.
      const kv = value() ?? '';
      const at = kv.indexOf('=');
      if (at < 0)
        throw new UsageError(`Invalid value "${kv}" for '--annotation <ANNOTATIONS>': Key/Values must be of the form \`key=value\``);
      out.annotations.push([kv.slice(0, at), kv.slice(at + 1)]);
    } else if (arg.startsWith('-')) throw notImplemented(`option ${arg}`);
    else out.positional.push(arg);
  }
  if (out.from === undefined) throw notImplemented('finding spin.toml without --from (Spin searches parent directories)');
  if (out.positional.length !== spec.positional)
    throw new UsageError(`expected ${spec.positional} positional argument(s), got ${out.positional.length}`);
  return out;
}

/** spin_common::paths::find_manifest_file_path with an explicit path: a file, or a directory's spin.toml. */
function manifestFile(from) {
  const path = resolve(from);
  if (existsSync(path) && statSync(path).isDirectory()) return join(path, 'spin.toml');
  if (!existsSync(path)) throw new Error(`the file ${from} does not exist`);
  return path;
}

// ---------------------------------------------------------------------------------------------
// The manifest (crates/manifest/src/schema/v2.rs, normalize.rs)

function loadManifest(file) {
  const manifest = parseToml(readFileSync(file, 'utf8'));
  if (manifest.spin_manifest_version !== 2) throw notImplemented('spin_manifest_version other than 2');
  const app = manifest.application ?? {};
  if (typeof app.name !== 'string') throw new Error('Failed to read Spin app manifest: missing field `name`');
  if (app.targets?.length) throw notImplemented('application.targets (deployment target checks)');
  const components = Object.entries(manifest.component ?? {});
  const triggers = Object.entries(manifest.trigger ?? {});
  normalizeTriggerIds(triggers);
  return { app, variables: Object.entries(manifest.variables ?? {}), triggers, components };
}

/** normalize.rs:71-105: `{component}-{type}-trigger`, else `{type}-trigger{n}`. */
function normalizeTriggerIds(triggers) {
  const ids = new Set(triggers.flatMap(([, list]) => list.map((t) => t.id ?? '')));
  for (const [type, list] of triggers) {
    let counter = 1;
    for (const trigger of list) {
      if (trigger.id) continue;
      if (typeof trigger.component !== 'string') {
        if (trigger.component !== undefined) throw notImplemented('inline trigger components');
      } else if (!ids.has(`${trigger.component}-${type}-trigger`)) {
        trigger.id = `${trigger.component}-${type}-trigger`;
        ids.add(trigger.id);
        continue;
      }
      while (ids.has(`${type}-trigger${counter}`)) counter++;
      trigger.id = `${type}-trigger${counter}`;
      ids.add(trigger.id);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// spin build (crates/build/src/lib.rs:96-216)

function build(opts) {
  const file = manifestFile(opts.from);
  const appDir = dirname(file);
  const { components } = loadManifest(file);
  if (components.every(([, c]) => !c.build)) {
    console.log('None of the components have a build command.');
    return;
  }
  for (const [id, component] of components) {
    const b = component.build;
    if (!b) continue;
    const commands = Array.isArray(b.command) ? b.command : [b.command];
    // construct_workdir (lib.rs:202-216): relative to the manifest's directory.
    if (b.workdir !== undefined && isAbsolute(b.workdir))
      throw new Error('The workdir specified in the application file must be relative.');
    const cwd = b.workdir === undefined ? appDir : join(appDir, b.workdir);
    commands.forEach((command, index) => {
      console.log(
        commands.length > 1
          ? `Running build step ${index + 1}/${commands.length} for component ${id} with '${command}'`
          : `Building component ${id} with \`${command}\``,
      );
      // Exec::shell: `sh -c COMMAND`, stdio inherited, stop at the first failure (lib.rs:170-192).
      const result = spawnSync('sh', ['-c', command], { cwd, stdio: 'inherit' });
      if (result.status !== 0)
        throw new Error(`Build command for component ${id} failed with status Exited(${result.status ?? result.signal})`);
    });
  }
  console.log('Finished building all Spin components');
}

// ---------------------------------------------------------------------------------------------
// spin registry push: the locked app (crates/loader/src/local.rs) and its layers
// (crates/oci/src/client.rs:128-499)

function lockedMetadata(app, triggerTypes) {
  // local.rs:579-606 locked_metadata; ValuesMapBuilder::string/string_array skip empty values.
  const m = [];
  if (app.name) m.push(['name', app.name]);
  if (app.version) m.push(['version', app.version]);
  if (app.description) m.push(['description', app.description]);
  if (app.authors?.length) m.push(['authors', app.authors]);
  const globals = app.trigger ?? {};
  m.push(['triggers', tomlToJsonValue(globals)]);
  if (triggerTypes.length === 1) m.push(['trigger', tomlToJsonValue({ ...(globals[triggerTypes[0]] ?? {}), type: triggerTypes[0] })]);
  return sortedObject(m);
}

function lockedTrigger(type, trigger) {
  // local.rs:620-661: the trigger's own keys plus `component`.
  const { id, component, components, ...config } = trigger;
  if (components !== undefined) throw notImplemented('trigger `components`');
  if (component !== undefined) config.component = component;
  return { id, trigger_type: type, trigger_config: tomlToJsonValue(config) };
}

const SUPPORTED_COMPONENT_KEYS = new Set([
  'source',
  'description',
  'variables',
  'environment',
  'files',
  'allowed_outbound_hosts',
  'key_value_stores',
  'sqlite_databases',
  'ai_models',
  'build',
  'tool',
]);

function wasmKind(bytes) {
  // crates/oci/src/validate.rs:31-35 (wasmparser::Parser::is_component / is_core_wasm).
  if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0x0061736d) return 'none';
  const version = bytes.readUInt32LE(4);
  if (version === 0x0001000d) return 'component';
  if (version === 1) return 'core';
  return 'none';
}

/** Copies the component's `files` into mountRoot (local.rs:182-199 FilesMountStrategy::Copy). */
function copyFileMounts(appRoot, component, mountRoot) {
  if (component.exclude_files?.length) throw notImplemented('exclude_files');
  for (const mount of component.files) {
    if (typeof mount === 'string') {
      if (/[*?[\]{}]/.test(mount)) throw notImplemented(`glob file patterns ("${mount}")`);
      const src = join(appRoot, mount);
      if (!existsSync(src)) throw new Error(`"${mount}" does not exist and doesn't appear to be a glob pattern`);
      copyPath(appRoot, src, join(mountRoot, mount));
    } else {
      const src = join(appRoot, mount.source);
      if (!existsSync(src)) throw new Error(`File or directory "${mount.source}" does not exist`);
      copyPath(appRoot, src, join(mountRoot, mount.destination.replace(/^\/+/, '')));
    }
  }
}

function copyPath(appRoot, src, dest) {
  const rel = relative(appRoot, resolve(src));
  if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`${src} cannot be mapped because it is outside the application directory.`);
  if (statSync(src).isDirectory()) {
    for (const entry of readdirInOrder(src)) copyPath(appRoot, join(src, entry.name), join(dest, entry.name));
  } else {
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(src, dest);
  }
}

/** Directory entries in the order the OS returns them, as walkdir does (no sorting). */
function readdirInOrder(dir) {
  const handle = opendirSync(dir);
  const entries = [];
  for (let entry = handle.readSync(); entry; entry = handle.readSync()) entries.push(entry);
  handle.closeSync();
  return entries;
}

/** client.rs:654-663 content_ref_for_layer: inline (unpadded base64, crates/serde/src/base64.rs) when <= 128 bytes. */
function contentRef(data) {
  const ref = {};
  if (data.length <= CONTENT_REF_INLINE_MAX_SIZE) ref.inline = data.toString('base64').replace(/=+$/, '');
  ref.digest = sha256(data);
  return ref;
}

/** client.rs:461-499 push_file_layers: one data layer per file, walkdir order, inlined files not pushed. */
function fileLayers(mountRoot, layers) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirInOrder(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const data = readFileSync(path);
        const ref = contentRef(data);
        files.push({ ...ref, path: relative(mountRoot, path) });
        if (ref.inline === undefined) layers.push({ data, mediaType: DATA_MEDIATYPE });
      }
    }
  };
  walk(mountRoot);
  return files;
}

function lockedComponent(appRoot, id, c, layers, workDir) {
  for (const key of Object.keys(c)) if (!SUPPORTED_COMPONENT_KEYS.has(key)) throw notImplemented(`component.${id}.${key}`);
  if (typeof c.source !== 'string') throw notImplemented('component sources other than a local file');
  const hosts = c.allowed_outbound_hosts ?? [];
  if (hosts.some((h) => h.includes('.spin.internal'))) throw notImplemented('local service chaining (host_requirements)');

  // local.rs:158-165 component metadata (sorted: a serde_json Map).
  const metadata = [];
  if (c.description) metadata.push(['description', c.description]);
  if (hosts.length) metadata.push(['allowed_outbound_hosts', hosts]);
  if (c.key_value_stores?.length) metadata.push(['key_value_stores', c.key_value_stores]);
  if (c.sqlite_databases?.length) metadata.push(['databases', c.sqlite_databases]);
  if (c.ai_models?.length) metadata.push(['ai_models', c.ai_models]);
  if (c.build) metadata.push(['build', tomlToJsonValue(c.build)]);

  // validate.rs ensure_wasms, then assemble_layers_composed (client.rs:358-384): with no
  // dependencies spin_compose::compose returns the source as spin_componentize made it.
  const sourcePath = join(appRoot, c.source);
  if (!existsSync(sourcePath))
    throw new Error(`Failed to load component \`${id}\`: failed to read component source from disk at path "${sourcePath}"`);
  const wasm = readFileSync(sourcePath);
  const kind = wasmKind(wasm);
  if (kind === 'none') throw new Error(`Component ${id} source is not a valid .wasm file`);
  if (kind === 'core')
    throw notImplemented(`componentizing the core wasm module of component ${id} (real Spin runs spin-componentize here)`);
  layers.push({ data: wasm, mediaType: WASM_LAYER_MEDIA_TYPE });

  const locked = { id };
  if (metadata.length) locked.metadata = sortedObject(metadata);
  locked.source = { content_type: 'application/wasm', ...contentRef(wasm) };
  const env = Object.entries(c.environment ?? {});
  if (env.length) locked.env = sortedObject(env);
  if (c.files?.length) {
    const mountRoot = join(workDir, id);
    copyFileMounts(appRoot, c, mountRoot);
    const files = existsSync(mountRoot) ? fileLayers(mountRoot, layers) : [];
    if (files.length) locked.files = files;
  }
  const config = Object.entries(c.variables ?? {});
  if (config.length) locked.config = sortedObject(config);
  return locked;
}

function lockedApp(file, layers, workDir) {
  const { app, variables, triggers, components } = loadManifest(file);
  const appRoot = dirname(file);
  const locked = { spin_lock_version: 0 }; // locked.rs:119-150: 0 without host requirements
  locked.metadata = lockedMetadata(
    app,
    triggers.map(([type]) => type),
  );
  if (variables.length) {
    locked.variables = sortedObject(
      variables.map(([name, v]) => {
        // local.rs:608-618: required XOR default.
        if (!!v.required === (v.default !== undefined))
          throw new Error(`Invalid variable ${name}: must be \`required\` OR have a \`default\``);
        const out = {};
        if (v.description !== undefined) out.description = v.description;
        if (v.default !== undefined) out.default = v.default;
        if (v.secret) out.secret = true;
        return [name, out];
      }),
    );
  }
  locked.triggers = triggers.flatMap(([type, list]) => list.map((t) => lockedTrigger(type, t)));
  locked.components = components.map(([id, c]) => lockedComponent(appRoot, id, c, layers, workDir));
  return locked;
}

/** client.rs:833-893 all_annotations: explicit ones win; created = now unless given. */
function allAnnotations(metadata, explicit) {
  const annotations = new Map(explicit);
  const infer = (key, value) => {
    if (value !== undefined && !annotations.has(key)) annotations.set(key, value);
  };
  if (metadata.authors?.length) infer('org.opencontainers.image.authors', metadata.authors.join(', '));
  infer('org.opencontainers.image.title', metadata.name);
  infer('org.opencontainers.image.description', metadata.description);
  infer('org.opencontainers.image.version', metadata.version);
  infer('org.opencontainers.image.created', new Date().toISOString());
  return sortedObject(annotations);
}

/** Reference parsing of oci-distribution (src/reference.rs): REGISTRY/REPOSITORY[:TAG]. */
function parseReference(reference) {
  const m = /^([^/]+)\/([a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?$/.exec(reference);
  if (!m || !/[.:]|^localhost$/.test(m[1]))
    throw new Error(`cannot parse reference ${reference} (the stand-in needs REGISTRY/REPOSITORY[:TAG])`);
  return { registry: m[1], repository: m[2], tag: m[3] ?? 'latest' };
}

/** client.rs:724-749 auth: Spin's own login store, then the docker config; else anonymous. */
function credentials(server) {
  const configHome = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  const spinAuth = readJson(join(configHome, 'fermyon', 'registry-auth.json'));
  const stored = spinAuth?.auths?.[server];
  if (stored) return Buffer.from(stored, 'base64').toString('utf8');
  const docker = readJson(join(process.env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json'));
  if (docker?.credHelpers?.[server] || docker?.credsStore) throw notImplemented('docker credential helpers');
  const entry = docker?.auths?.[server] ?? docker?.auths?.[`https://${server}`] ?? docker?.auths?.[`http://${server}`];
  if (entry?.auth) return Buffer.from(entry.auth, 'base64').toString('utf8');
  return undefined;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

class Registry {
  constructor(ref, insecure) {
    this.ref = ref;
    // client.rs:751-764 build_config: --insecure is ClientProtocol::Http (plain http).
    this.base = `${insecure ? 'http' : 'https'}://${ref.registry}`;
    this.userPass = credentials(ref.registry);
    this.authorization = undefined;
  }

  async authenticate() {
    const probe = await fetch(`${this.base}/v2/`);
    if (probe.status !== 401) return;
    const challenge = probe.headers.get('www-authenticate') ?? '';
    const basic = this.userPass ? `Basic ${Buffer.from(this.userPass).toString('base64')}` : undefined;
    if (/^basic/i.test(challenge)) {
      this.authorization = basic;
      return;
    }
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!params.realm) throw new Error(`the registry asks for an authentication the stand-in does not know: ${challenge}`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', `repository:${this.ref.repository}:pull,push`);
    const response = await fetch(url, { headers: basic ? { authorization: basic } : {} });
    if (!response.ok) throw new Error(`cannot push Spin application: token request failed: HTTP ${response.status}`);
    const body = await response.json();
    this.authorization = `Bearer ${body.token ?? body.access_token}`;
  }

  async request(method, url, { body, headers = {}, expect }) {
    const full = url.startsWith('http') ? url : `${this.base}${url}`;
    const response = await fetch(full, {
      method,
      body,
      headers: { ...headers, ...(this.authorization ? { authorization: this.authorization } : {}) },
      redirect: 'manual',
    });
    if (response.status !== expect) {
      const text = await response.text().catch(() => '');
      throw new Error(`cannot push Spin application: Server error: url ${full}, code: ${response.status}, message: ${text.trim()}`);
    }
    return response;
  }

  /** A blob, in one POST + PUT (oci-distribution uploads in chunks; the bytes are the same). */
  async pushBlob(data, digest) {
    const repo = this.ref.repository;
    const started = await this.request('POST', `/v2/${repo}/blobs/uploads/`, { expect: 202 });
    const location = new URL(started.headers.get('location'), this.base);
    location.searchParams.set('digest', digest);
    await this.request('PUT', location.toString(), {
      body: data,
      headers: { 'content-type': 'application/octet-stream' },
      expect: 201,
    });
  }

  /** client.rs:1247-1340 push_manifest + push_manifest_raw; the URL of the pushed manifest. */
  async pushManifest(body) {
    const url = `/v2/${this.ref.repository}/manifests/${this.ref.tag}`;
    const response = await this.request('PUT', url, { body, headers: { 'content-type': OCI_IMAGE_MEDIA_TYPE }, expect: 201 });
    const location = response.headers.get('location');
    // No Location: the client uses the digest it computed (client.rs:1295-1313).
    if (!location) return `${this.base}/v2/${this.ref.repository}/manifests/${sha256(body)}`;
    return new URL(location, this.base).toString();
  }
}

/** client.rs:807-817 digest_from_url: the last path segment, when it holds a ':'. */
function digestFromUrl(url) {
  const last = new URL(url).pathname.split('/').pop() ?? '';
  return last.includes(':') ? decodeURIComponent(last) : undefined;
}

async function push(opts) {
  const file = manifestFile(opts.from);
  const ref = parseReference(opts.positional[0]);
  const workDir = mkdtempSync(join(tmpdir(), 'spin-standin-'));
  try {
    const layers = [];
    const locked = lockedApp(file, layers, workDir);
    // client.rs:300-301: duplicate layers (same bytes and media type) pushed once.
    const unique = layers.filter((l, i) => layers.findIndex((o) => o.mediaType === l.mediaType && o.data.equals(l.data)) === i);
    const annotations = allAnnotations(locked.metadata, opts.annotations);
    delete locked.metadata.origin; // client.rs:298 (never set here: the stand-in has no file URLs)

    // client.rs:228-263: the locked app as the last layer, its digest as the config label.
    const lockedBytes = Buffer.from(JSON.stringify(locked));
    unique.push({ data: lockedBytes, mediaType: SPIN_APPLICATION_MEDIA_TYPE });
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'wasm',
        os: 'wasip1',
        config: { Labels: { 'com.fermyon.spin.lockedAppDigest': sha256(lockedBytes) } },
        rootfs: { type: 'layers', diff_ids: [] },
      }),
    );
    // oci-distribution src/manifest.rs:137-165 OciImageManifest::build: no mediaType, no artifactType.
    const manifest = {
      schemaVersion: 2,
      config: { mediaType: IMAGE_CONFIG_MEDIA_TYPE, digest: sha256(config), size: config.length },
      layers: unique.map((l) => ({ mediaType: l.mediaType, digest: sha256(l.data), size: l.data.length })),
      annotations,
    };

    console.log('Pushing app to the Registry...');
    const registry = new Registry(ref, opts.insecure);
    await registry.authenticate();
    // oci-distribution src/client.rs:437-481 push: layers, then the config, then the manifest.
    for (const layer of unique) await registry.pushBlob(layer.data, sha256(layer.data));
    await registry.pushBlob(config, sha256(config));
    const url = await registry.pushManifest(Buffer.from(canonicalJson(manifest)));
    const digest = digestFromUrl(url);
    // src/commands/registry.rs:115-118
    console.log(digest ? `Pushed with digest ${digest}` : 'Pushed; the registry did not return the digest');
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function main() {
  try {
    const args = parseArgs(process.argv.slice(2));
    if (args.command === 'version') console.log(STAND_IN_VERSION);
    else if (args.command === 'build') build(args);
    else await push(args);
  } catch (error) {
    // Spin prints "Error: " and the error chain, and exits 1.
    console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) await main();
