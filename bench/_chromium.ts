/**
 * Headless Chromium for the bench's page tests, driven over the DevTools protocol on a localhost
 * port: open a page, collect every console error, exception, log error and network request,
 * evaluate expressions and take screenshots. Debian's `chromium` is installed with apt-get when it
 * is missing and the process runs as root (otherwise the error names the command).
 *
 * @module
 */

/** Flags that work for headless Chromium on these machines (no sandbox as root, no network). */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  "--remote-debugging-port=0",
];

const INSTALL = "apt-get install -y --no-install-recommends chromium";

function hasChromium(): boolean {
  try {
    return new Deno.Command("chromium", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Run apt-get; returns undefined on success, else the end of its error output. */
function apt(args: string[]): string | undefined {
  const out = new Deno.Command("apt-get", {
    args,
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "null",
    stderr: "piped",
  }).outputSync();
  return out.success ? undefined : new TextDecoder().decode(out.stderr).trim().slice(-400);
}

/**
 * Make sure Debian's `chromium` is installed: as root, `apt-get install` it (after `apt-get update`
 * when the first try fails); otherwise throw naming the command to run.
 */
export function ensureChromium(): void {
  if (hasChromium()) return;
  if (Deno.uid() !== 0) {
    throw new Error(
      `Cannot test the page in a browser: chromium is missing; run as root: ${INSTALL}`,
    );
  }
  const args = INSTALL.split(" ").slice(1);
  // The package lists may be missing on a fresh machine: update once and try again.
  const failed = apt(args) !== undefined ? (apt(["update"]) ?? apt(args)) : undefined;
  if (failed !== undefined) {
    throw new Error(`Cannot install chromium with '${INSTALL}': ${failed}`);
  }
  if (!hasChromium()) throw new Error(`Cannot run chromium after '${INSTALL}'`);
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** What a page did while it was open. */
export interface PageLog {
  /** Console errors and warnings, uncaught exceptions, log entries of level error, failed loads. */
  readonly errors: string[];
  /** Every URL the page requested. */
  readonly requests: string[];
}

/** One headless Chromium with one page, over the DevTools protocol. Dispose it to close it. */
export class ChromiumPage implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #ws: WebSocket;
  readonly #profile: string;
  readonly #drained: Promise<void>;
  readonly #pending = new Map<number, (m: CdpMessage) => void>();
  readonly #waiters: { method: string; resolve: () => void }[] = [];
  #sessionId = "";
  #nextId = 1;
  /** What the page did so far. */
  readonly log: PageLog = { errors: [], requests: [] };

  private constructor(
    child: Deno.ChildProcess,
    ws: WebSocket,
    profile: string,
    drained: Promise<void>,
  ) {
    this.#child = child;
    this.#drained = drained;
    this.#ws = ws;
    this.#profile = profile;
    ws.onmessage = (e) => this.#receive(JSON.parse(String(e.data)) as CdpMessage);
  }

  /**
   * Start Chromium with a fresh profile and attach to a blank page.
   *
   * @example
   * ```ts ignore
   * await using page = await ChromiumPage.launch({ width: 1400, height: 1000 });
   * await page.open("file:///tmp/index.html");
   * ```
   */
  static async launch(
    options: { readonly width?: number; readonly height?: number; readonly timeoutMs?: number } =
      {},
  ): Promise<ChromiumPage> {
    ensureChromium();
    const timeoutMs = options.timeoutMs ?? 30_000;
    const profile = Deno.makeTempDirSync({ prefix: "mcu_chromium_" });
    const child = new Deno.Command("chromium", {
      args: [
        ...FLAGS,
        `--user-data-dir=${profile}`,
        `--window-size=${options.width ?? 1400},${options.height ?? 1000}`,
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      const { url, drained } = await withTimeout(
        devtoolsUrl(child.stderr),
        timeoutMs,
        "chromium start-up",
      );
      const ws = new WebSocket(url);
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          ws.onopen = () => resolve();
          ws.onerror = () => reject(new Error(`Cannot connect to chromium at ${url}`));
        }),
        timeoutMs,
        "DevTools connection",
      );
      const page = new ChromiumPage(child, ws, profile, drained);
      await page.#attach(timeoutMs);
      return page;
    } catch (e) {
      child.kill("SIGKILL");
      await child.status;
      Deno.removeSync(profile, { recursive: true });
      throw e;
    }
  }

  async #attach(timeoutMs: number): Promise<void> {
    const { targetId } = await this.#send("Target.createTarget", { url: "about:blank" }, "");
    const attached = await this.#send(
      "Target.attachToTarget",
      { targetId, flatten: true },
      "",
    );
    this.#sessionId = String(attached.sessionId);
    for (const domain of ["Runtime", "Log", "Network", "Page"]) {
      await withTimeout(this.#send(`${domain}.enable`), timeoutMs, `${domain}.enable`);
    }
  }

  #receive(m: CdpMessage): void {
    if (m.id !== undefined) {
      this.#pending.get(m.id)?.(m);
      this.#pending.delete(m.id);
      return;
    }
    const p = m.params ?? {};
    switch (m.method) {
      case "Runtime.consoleAPICalled": {
        const type = String(p.type);
        if (["error", "warning", "assert"].includes(type)) {
          const args = (p.args as { value?: unknown; description?: string }[] | undefined) ?? [];
          this.log.errors.push(
            `console.${type}: ${args.map((a) => a.description ?? String(a.value)).join(" ")}`,
          );
        }
        break;
      }
      case "Runtime.exceptionThrown": {
        const d = p.exceptionDetails as { text?: string; exception?: { description?: string } };
        this.log.errors.push(`exception: ${d.exception?.description ?? d.text ?? "?"}`);
        break;
      }
      case "Log.entryAdded": {
        const entry = p.entry as { level: string; text: string; url?: string };
        if (entry.level === "error" || entry.level === "warning") {
          this.log.errors.push(`log ${entry.level}: ${entry.text} ${entry.url ?? ""}`.trim());
        }
        break;
      }
      case "Network.requestWillBeSent":
        this.log.requests.push(String((p.request as { url: string }).url));
        break;
      case "Network.loadingFailed":
        this.log.errors.push(`load failed: ${String(p.errorText)}`);
        break;
    }
    for (const w of this.#waiters.filter((x) => x.method === m.method)) w.resolve();
  }

  #send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId: string = this.#sessionId,
  ): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (m) => {
        if (m.error) reject(new Error(`DevTools ${method} failed: ${m.error.message}`));
        else resolve(m.result ?? {});
      });
      this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  #event(method: string): Promise<void> {
    return new Promise((resolve) => {
      const w = {
        method,
        resolve: () => {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          resolve();
        },
      };
      this.#waiters.push(w);
    });
  }

  /** Open a URL and wait for its load event. */
  async open(url: string, timeoutMs = 30_000): Promise<void> {
    const loaded = this.#event("Page.loadEventFired");
    const nav = await this.#send("Page.navigate", { url });
    if (nav.errorText) throw new Error(`Cannot open ${url}: ${String(nav.errorText)}`);
    await withTimeout(loaded, timeoutMs, `loading ${url}`);
  }

  /** Turn the page's JavaScript off or on (applies to the next load). */
  async setJavaScript(enabled: boolean): Promise<void> {
    await this.#send("Emulation.setScriptExecutionDisabled", { value: !enabled });
  }

  /** Evaluate an expression in the page and return its JSON value. */
  async evaluate<T>(expression: string, timeoutMs = 30_000): Promise<T> {
    const r = await withTimeout(
      this.#send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true }),
      timeoutMs,
      "evaluate",
    );
    const ex = r.exceptionDetails as { text?: string; exception?: { description?: string } };
    if (ex) throw new Error(`Page expression failed: ${ex.exception?.description ?? ex.text}`);
    return (r.result as { value: T }).value;
  }

  /** A PNG of a region of the page (CSS pixels from the top left of the document). */
  async screenshot(
    clip: {
      readonly x: number;
      readonly y: number;
      readonly width: number;
      readonly height: number;
    },
  ): Promise<Uint8Array> {
    const r = await withTimeout(
      this.#send("Page.captureScreenshot", {
        format: "png",
        captureBeyondViewport: true,
        clip: { ...clip, scale: 1 },
      }),
      60_000,
      "screenshot",
    );
    return Uint8Array.from(atob(String(r.data)), (c) => c.charCodeAt(0));
  }

  /** Close the browser, end its process and remove its profile. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await withTimeout(this.#send("Browser.close", {}, ""), 5_000, "Browser.close");
    } catch {
      // The process is killed below either way.
    }
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.close();
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already ended.
    }
    await this.#child.status;
    await this.#drained;
    Deno.removeSync(this.#profile, { recursive: true });
  }
}

/** Read Chromium's stderr until it prints its DevTools address; keep draining it afterwards. */
async function devtoolsUrl(
  stderr: ReadableStream<Uint8Array>,
): Promise<{ url: string; drained: Promise<void> }> {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`Chromium ended before it listened: ${text.slice(-800)}`);
    text += value;
    const m = text.match(/DevTools listening on (ws:\/\/\S+)/);
    if (m) {
      // Drain the rest so that the browser never blocks on a full pipe.
      const drained = (async () => {
        while (!(await reader.read()).done) { /* discard */ }
      })().catch(() => {});
      return { url: m[1]!, drained };
    }
  }
}
