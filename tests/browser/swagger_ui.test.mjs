// Drives the Swagger UI in Chromium (playwright-core, the system's /usr/bin/chromium).
//
//   node swagger_ui.test.mjs list --protogate BIN --descriptor-set FILE
//       serves `protogate openapi` and the embedded UI files from a static server and
//       checks that the page loads offline and lists every operation of the document;
//   node swagger_ui.test.mjs try --url http://127.0.0.1:PORT
//   node swagger_ui.test.mjs try --protogate BIN --descriptor-set FILE --examples DIR --db FILE
//       against a running gateway, or one started here in front of the C example backends
//       (DIR/greeter_server, DIR/route_guide_server --db FILE): also calls Greeter.SayHello,
//       RouteGuide.GetFeature (path parameters), RouteGuide.ListFeatures (query parameters)
//       and the Greeter.SayHelloStreamReply stream through "Try it out" and reads the answers;
//       the gateway started here also allows CORS from a page on another port that calls it.
//
// Screenshots go to artifacts/ at the top of the repository. Any request that would
// leave 127.0.0.1 is aborted and fails the test.
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.resolve(here, "../../artifacts");
const flags = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

function option(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function fail(msg) {
  throw new Error(msg);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => { s.end(); resolve(true); });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  fail(`nothing listens on 127.0.0.1:${port}`);
}

// A folder laid out as the gateway serves it, behind python3's http.server.
async function staticServer(protogate, descriptorSet, dir) {
  const doc = execFileSync(protogate, ["openapi", "--descriptor-set", descriptorSet]);
  writeFileSync(path.join(dir, "openapi.json"), doc);
  mkdirSync(path.join(dir, "swagger-ui"));
  execFileSync(protogate, ["openapi", "--descriptor-set", descriptorSet,
    "--swagger-ui-dir", path.join(dir, "swagger-ui")], { stdio: ["ignore", "ignore", "inherit"] });
  const port = await freePort();
  const proc = spawn("/usr/bin/python3", ["-m", "http.server", "--bind", "127.0.0.1", String(port)],
    { cwd: dir, stdio: "ignore" });
  await waitForPort(port);
  return { url: `http://127.0.0.1:${port}`, stop: () => proc.kill() };
}

// Runs |argv| until it prints "listening on ...:PORT" (or "(port PORT)"); returns the port.
async function startProcess(procs, argv) {
  const proc = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  procs.push(proc);
  return new Promise((resolve, reject) => {
    let seen = "";
    const look = (chunk) => {
      seen += chunk;
      const m = seen.match(/listening on (\S*?):(\d+)(?: \(port (\d+)\))?\n/);
      if (m) resolve(Number(m[3] ?? m[2]));
    };
    proc.stdout.on("data", look);
    proc.stderr.on("data", look);
    proc.on("exit", (code) => reject(new Error(`${argv[0]} exited (${code}): ${seen}`)));
  });
}

// The gateway in front of the C example backends, every process on a port the OS picks.
async function exampleGateway(procs, dir) {
  const protogate = option("--protogate") ?? fail("--protogate or --url needed");
  const pb = option("--descriptor-set") ?? fail("--descriptor-set needed");
  const bin = option("--examples") ?? fail("--examples needed");
  const db = option("--db") ?? fail("--db needed");
  const any = "127.0.0.1:0";
  const greeter = await startProcess(procs, [`${bin}/greeter_server`, "--listen", any]);
  const guide = await startProcess(procs,
    [`${bin}/route_guide_server`, "--listen", any, "--db", db]);
  // A page on another port: the origin the gateway allows CORS requests from.
  const site = path.join(dir, "origin");
  mkdirSync(site);
  writeFileSync(path.join(site, "index.html"), "<!doctype html><title>other origin</title>");
  const originPort = await freePort();
  procs.push(spawn("/usr/bin/python3", ["-m", "http.server", "--bind", "127.0.0.1",
    String(originPort)], { cwd: site, stdio: "ignore" }));
  await waitForPort(originPort);
  const origin = `http://127.0.0.1:${originPort}`;
  const config = path.join(dir, "gateway.json");
  writeFileSync(config, JSON.stringify({ services: {
    "helloworld.Greeter": { backend: `127.0.0.1:${greeter}` },
    "routeguide.RouteGuide": { backend: `127.0.0.1:${guide}` },
  } }));
  const port = await startProcess(procs, [protogate, "--descriptor-set", pb, "--config", config,
    "--backend", `127.0.0.1:${greeter}`, "--listen", any, "--cors-origin", origin]);
  return { base: `http://127.0.0.1:${port}`, origin };
}

// From a page of |origin|, a fetch with a Grpc-Metadata header (so the browser sends a
// preflight first) reaches the gateway and reads the reply.
async function crossOriginFetch(page, base, origin) {
  await page.goto(`${origin}/`);
  const got = await page.evaluate(async (url) => {
    const r = await fetch(`${url}/v1/hello`, {
      method: "POST", body: '{"name":"cors"}',
      headers: { "Content-Type": "application/json", "Grpc-Metadata-Tenant": "t1" },
    });
    return r.text();
  }, base);
  if (!got.includes("Hello, cors!")) fail(`the cross-origin fetch read ${got}`);
  console.log(`a page of ${origin} calls Greeter.SayHello through CORS: Hello, cors!`);
}

async function listsEveryOperation(page, base) {
  const doc = await (await fetch(`${base}/openapi.json`)).json();
  await page.goto(`${base}/swagger-ui/`);
  await page.waitForSelector(".opblock", { timeout: 30000 });
  let count = 0;
  for (const [route, item] of Object.entries(doc.paths)) {
    for (const [verb, op] of Object.entries(item)) {
      const id = `operations-${op.tags[0]}-${op.operationId}`;
      const block = page.locator(`[id="${id}"]`);
      if ((await block.count()) !== 1) fail(`${verb.toUpperCase()} ${route}: no ${id} on the page`);
      const shown = (await block.locator(".opblock-summary-path").first().innerText()).trim();
      if (shown.replace(/\u200b/g, "") !== route) fail(`${id}: shows ${shown}, expected ${route}`);
      count++;
    }
  }
  for (const tag of doc.tags) {
    if ((await page.locator(`[id="operations-tag-${tag.name}"]`).count()) !== 1)
      fail(`no section for ${tag.name}`);
  }
  console.log(`the page lists all ${count} operations of ${doc.tags.length} services`);
  return doc;
}

// Opens an operation, enters try-it-out mode, lets |fill| set the inputs, executes,
// saves a screenshot of the operation to artifacts/<id>.png and returns the response
// body text shown on the page.
async function tryIt(page, id, fill) {
  const block = page.locator(`[id="${id}"]`);
  await block.locator(".opblock-summary").first().click();
  const tryButton = block.locator("button.try-out__btn");
  if ((await tryButton.count()) > 0 && (await tryButton.innerText()).includes("Try it out"))
    await tryButton.click();
  await fill(block);
  await block.locator("button.execute").click();
  const body = block.locator(".live-responses-table .response-col_description pre").first();
  await body.waitFor({ timeout: 30000 });
  mkdirSync(artifacts, { recursive: true });
  await block.screenshot({ path: path.join(artifacts, `${id}.png`) });
  return body.innerText();
}

async function tryOperations(page) {
  const hello = await tryIt(page, "operations-Greeter-Greeter_SayHello", async (block) => {
    await block.locator("textarea.body-param__text").fill('{"name":"world"}');
  });
  if (!hello.includes("Hello, world!")) fail(`SayHello answered ${hello}`);
  console.log("Greeter.SayHello through Try it out: Hello, world!");
  const feature = await tryIt(page, "operations-RouteGuide-RouteGuide_GetFeature", async (block) => {
    await block.locator('input[placeholder="latitude"]').fill("409146138");
    await block.locator('input[placeholder="longitude"]').fill("-746188906");
  });
  if (!feature.includes("409146138")) fail(`GetFeature answered ${feature}`);
  console.log("RouteGuide.GetFeature with path parameters through Try it out: answered");
  const list = await tryIt(page, "operations-RouteGuide-RouteGuide_ListFeatures", async (block) => {
    const set = async (name, value) => block.locator(`input[placeholder="${name}"]`).fill(value);
    await set("lo.latitude", "400000000");
    await set("lo.longitude", "-750000000");
    await set("hi.latitude", "420000000");
    await set("hi.longitude", "-730000000");
  });
  if (!list.includes("Patriots Path, Mendham"))
    fail(`ListFeatures answered ${list}`);
  console.log("RouteGuide.ListFeatures with query parameters through Try it out: answered");
  const stream = await tryIt(page, "operations-Greeter-Greeter_SayHelloStreamReply", async (block) => {
    await block.locator('input[placeholder="name"]').fill("world");
  });
  if (!stream.includes("Hola, world!")) fail(`SayHelloStreamReply answered ${stream}`);
  console.log("Greeter.SayHelloStreamReply (server stream) through Try it out: Hola, world!");
}

async function main() {
  const mode = process.argv[2];
  if (mode !== "list" && mode !== "try") fail("usage: swagger_ui.test.mjs list|try [options]");
  const work = mkdtempSync(path.join(tmpdir(), "protogate-ui-"));
  let server;
  let context;
  const procs = [];
  try {
    let base = option("--url");
    let origin;
    if (!base && mode === "try") {
      ({ base, origin } = await exampleGateway(procs, work));
    } else if (!base) {
      const protogate = option("--protogate") ?? fail("--protogate or --url needed");
      const pb = option("--descriptor-set") ?? fail("--descriptor-set needed");
      mkdirSync(path.join(work, "site"));
      server = await staticServer(protogate, pb, path.join(work, "site"));
      base = server.url;
    }
    context = await chromium.launchPersistentContext(path.join(work, "profile"), {
      executablePath: "/usr/bin/chromium", headless: true, args: flags,
      viewport: { width: 1280, height: 1600 },
    });
    const outside = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1" || url.protocol === "data:") return route.continue();
      outside.push(url.href);
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await listsEveryOperation(page, base);
    if (mode === "try") await tryOperations(page);
    mkdirSync(artifacts, { recursive: true });
    const shot = path.join(artifacts, `swagger_ui_${mode}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
    if (origin) await crossOriginFetch(page, base, origin);
    if (outside.length) fail(`requests to elsewhere: ${outside.join(", ")}`);
    if (errors.length) fail(`errors on the page: ${errors.join("; ")}`);
  } finally {
    if (context) await context.close();
    if (server) server.stop();
    for (const p of procs.reverse()) p.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
