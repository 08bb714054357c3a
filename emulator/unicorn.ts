/**
 * A safe wrapper over one Unicorn engine (ARM Thumb, Cortex-M4 or M7): every call is checked,
 * the instance owns its hooks and native counters, and `[Symbol.dispose]` closes it.
 *
 * @module
 */
import type { Core } from "../engine/target/mod.ts";
import type { CountedBlock } from "./cycles/mod.ts";
import { UnicornError } from "./errors.ts";
import { helper, HELPER_ABI, strerror, UC, unicorn } from "./ffi.ts";

/** The Unicorn CPU model id for each supported core. */
export const CPU_MODELS: Readonly<Record<Core, number>> = {
  "cortex-m4": UC.CPU_CORTEX_M4,
  "cortex-m7": UC.CPU_CORTEX_M7,
};

/** How the native counter observes probe writes. */
export type ProbeMode = "hook" | "mmio" | "none";

/** Options for {@link Unicorn.attachCounter}. */
export interface CounterOptions {
  /** Count instructions per block (default true). */
  readonly count?: boolean;
  /** Base address of the probe page (required unless `probe` is `"none"`). */
  readonly probeAddress?: number;
  /** Size of the probe page (default 4096). */
  readonly probeSize?: number;
  /**
   * `"hook"`: a UC_HOOK_MEM_WRITE bounded to the probe page, which must be mapped;
   * `"mmio"`: the counter maps the probe page itself as MMIO; `"none"`: no probe (default hook).
   */
  readonly probe?: ProbeMode;
  /** Record the first invalid memory access (default true). */
  readonly faults?: boolean;
  /** Instruction budget; the emulation stops once it is exceeded (default: none). */
  readonly budget?: number;
}

/** One probe write: the code and the instructions executed up to and including the store. */
export interface Marker {
  /** The 32-bit code written to the probe. */
  readonly code: number;
  /** Instructions executed when it was written (see `probe.h`). */
  readonly instructions: number;
}

/** One translated block the counter saw (the cycle model's record of it). */
export type BlockStat = CountedBlock;

/** The first invalid memory access during a run. */
export interface MemoryFault {
  /** The address accessed. */
  readonly address: number;
  /** PC as Unicorn reported it (the block start in 2.0.1). */
  readonly pc: number;
  /** `uc_mem_type` value. */
  readonly type: number;
}

/** The native counting helper attached to one engine; owned and freed by {@link Unicorn}. */
export class NativeCounter {
  #ptr: Deno.PointerObject | null;

  /** @internal Use {@link Unicorn.attachCounter}. */
  constructor(ptr: Deno.PointerObject) {
    this.#ptr = ptr;
  }

  #p(): Deno.PointerObject {
    if (this.#ptr === null) throw new TypeError("Cannot use the native counter: it was freed");
    return this.#ptr;
  }

  /** Instructions counted so far (whole blocks as they are entered). */
  get instructions(): number {
    return Number(helper().mcu_counter_instructions(this.#p()));
  }

  /** Whether the budget stopped the emulation. */
  get budgetExceeded(): boolean {
    return helper().mcu_counter_budget_exceeded(this.#p()) !== 0;
  }

  /** Set the instruction budget (0 = none). */
  setBudget(budget: number): void {
    if (!Number.isSafeInteger(budget) || budget < 0) {
      throw new RangeError(`Cannot set the instruction budget to ${budget}: not a count`);
    }
    helper().mcu_counter_set_budget(this.#p(), BigInt(budget));
  }

  /** The probe writes so far, in order. */
  markers(): Marker[] {
    const h = helper();
    if (h.mcu_counter_marker_overflow(this.#p()) !== 0) {
      throw new RangeError("Cannot read the probe markers: the native helper ran out of memory");
    }
    const n = h.mcu_counter_marker_count(this.#p());
    const codes = new Uint32Array(Math.max(n, 1));
    const counts = new BigUint64Array(Math.max(n, 1));
    const got = h.mcu_counter_markers(this.#p(), codes, counts, n);
    return Array.from(
      { length: got },
      (_, i) => ({ code: codes[i] ?? 0, instructions: Number(counts[i] ?? 0n) }),
    );
  }

  /** Every (translated block, marker segment) pair seen, with hit and fall-through counts. */
  blocks(): BlockStat[] {
    const h = helper();
    const n = h.mcu_counter_block_count(this.#p());
    const len = Math.max(n, 1);
    const addrs = new BigUint64Array(len);
    const sizes = new Uint32Array(len);
    const icounts = new Uint32Array(len);
    const hits = new BigUint64Array(len);
    const segments = new Uint32Array(len);
    const fallthroughs = new BigUint64Array(len);
    const got = h.mcu_counter_blocks(this.#p(), addrs, sizes, icounts, hits, n);
    h.mcu_counter_block_edges(this.#p(), segments, fallthroughs, got);
    return Array.from({ length: got }, (_, i) => ({
      address: Number(addrs[i] ?? 0n),
      size: sizes[i] ?? 0,
      instructions: icounts[i] ?? 0,
      hits: Number(hits[i] ?? 0n),
      segment: segments[i] ?? 0,
      fallthrough: Number(fallthroughs[i] ?? 0n),
    }));
  }

  /** The first invalid memory access, if any. */
  fault(): MemoryFault | undefined {
    const out = new BigUint64Array(3);
    if (helper().mcu_counter_fault(this.#p(), out) === 0) return undefined;
    return {
      address: Number(out[0] ?? 0n),
      pc: Number(out[1] ?? 0n),
      type: Number(BigInt.asIntN(32, out[2] ?? 0n)),
    };
  }

  /** @internal Frees the native state; called by {@link Unicorn} after `uc_close`. */
  free(): void {
    if (this.#ptr !== null) helper().mcu_counter_free(this.#ptr);
    this.#ptr = null;
  }
}

type BlockCallback = Deno.UnsafeCallback<{
  readonly parameters: readonly ["pointer", "u64", "u32", "pointer"];
  readonly result: "void";
}>;

/**
 * One Unicorn engine running ARM Thumb code as a Cortex-M4 or M7.
 *
 * @example
 * ```ts
 * using uc = Unicorn.open("cortex-m7");
 * uc.memMap(0x08000000, 0x10000, 5);
 * uc.memWrite(0x08000000, new Uint8Array([0x00, 0xbf])); // nop
 * ```
 */
export class Unicorn implements Disposable {
  #uc: Deno.PointerObject | null;
  readonly #callbacks = new Map<bigint, BlockCallback>();
  readonly #counters: NativeCounter[] = [];
  #hookError: { error: unknown } | undefined;

  private constructor(uc: Deno.PointerObject) {
    this.#uc = uc;
  }

  /**
   * Open an engine in Thumb mode and select the CPU model (verified by reading it back).
   * UC_MODE_MCLASS is not used: in Unicorn 2.0.1 it forces a Cortex-M33.
   */
  static open(core: Core): Unicorn {
    const lib = unicorn();
    const out = new BigUint64Array(1);
    check("open a Unicorn engine", lib.uc_open(UC.ARCH_ARM, UC.MODE_THUMB, out));
    const ptr = Deno.UnsafePointer.create(out[0] ?? 0n);
    if (ptr === null) throw new UnicornError("open a Unicorn engine", 1, "null engine");
    const uc = new Unicorn(ptr);
    try {
      const model = CPU_MODELS[core];
      check(
        `select CPU model ${core}`,
        lib.uc_ctl_write_int(ptr, UC.CTL_CPU_MODEL_WRITE, model),
      );
      const got = uc.cpuModel();
      if (got !== model) {
        throw new UnicornError(`select CPU model ${core}`, 15, `engine reports model ${got}`);
      }
    } catch (e) {
      uc.close();
      throw e;
    }
    return uc;
  }

  /** The raw `uc_engine *`. */
  get pointer(): Deno.PointerObject {
    if (this.#uc === null) throw new TypeError("Cannot use the Unicorn engine: it is closed");
    return this.#uc;
  }

  /** The CPU model id the engine reports (`UC_CPU_ARM_*`). */
  cpuModel(): number {
    const buf = new Int32Array(1);
    check(
      "read the CPU model",
      unicorn().uc_ctl_read_int(this.pointer, UC.CTL_CPU_MODEL_READ, buf),
    );
    return buf[0] ?? -1;
  }

  /** Map `size` bytes at `address` (both 4 KiB aligned) with `perms` (UC_PROT_* bits). */
  memMap(address: number, size: number, perms: number): void {
    check(
      `map 0x${address.toString(16)}+0x${size.toString(16)}`,
      unicorn().uc_mem_map(this.pointer, BigInt(address), BigInt(size), perms),
    );
  }

  /** Write `bytes` at `address`. */
  memWrite(address: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    check(
      `write ${bytes.length} bytes at 0x${address.toString(16)}`,
      unicorn().uc_mem_write(
        this.pointer,
        BigInt(address),
        bytes as Uint8Array<ArrayBuffer>,
        BigInt(bytes.length),
      ),
    );
  }

  /** Read `length` bytes at `address`. */
  memRead(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    if (length === 0) return out;
    check(
      `read ${length} bytes at 0x${address.toString(16)}`,
      unicorn().uc_mem_read(this.pointer, BigInt(address), out, BigInt(length)),
    );
    return out;
  }

  /** Read a 32-bit register (`ARM_REG.*`). */
  regRead(reg: number): number {
    const buf = new Uint32Array(2);
    check(`read register ${reg}`, unicorn().uc_reg_read(this.pointer, reg, buf));
    return buf[0] ?? 0;
  }

  /** Write a 32-bit register (`ARM_REG.*`). */
  regWrite(reg: number, value: number): void {
    const buf = new Uint32Array([value >>> 0, 0]);
    check(`write register ${reg}`, unicorn().uc_reg_write(this.pointer, reg, buf));
  }

  /**
   * Run from `begin` (set the Thumb bit) until the PC equals `until` (Thumb bit clear), a hook
   * stops it, or `count` instructions ran (0 = no limit; Unicorn's own counter is slow).
   * An exception thrown by a JavaScript hook stops the run and is rethrown here.
   */
  emuStart(begin: number, until: number, count = 0): void {
    this.#hookError = undefined;
    const err = unicorn().uc_emu_start(
      this.pointer,
      BigInt(begin),
      BigInt(until),
      0n,
      BigInt(count),
    );
    const hookError = this.#hookError as { error: unknown } | undefined;
    this.#hookError = undefined;
    if (hookError) throw hookError.error;
    check("run the emulation", err);
  }

  /** Stop a running emulation (from a hook). */
  emuStop(): void {
    check("stop the emulation", unicorn().uc_emu_stop(this.pointer));
  }

  /**
   * Add a JavaScript block hook for blocks within [begin, end] (begin > end: everywhere).
   * Much slower than the native counter; for diagnostics and comparisons. Returns the hook id.
   */
  hookBlock(fn: (address: number, size: number) => void, begin = 1, end = 0): bigint {
    const cb: BlockCallback = new Deno.UnsafeCallback(
      { parameters: ["pointer", "u64", "u32", "pointer"], result: "void" } as const,
      (_uc, address, size) => {
        if (this.#hookError) return;
        try {
          fn(Number(address), size);
        } catch (error) {
          this.#hookError = { error };
          unicorn().uc_emu_stop(this.pointer);
        }
      },
    );
    const hh = new BigUint64Array(1);
    const err = unicorn().uc_hook_add_range(
      this.pointer,
      hh,
      UC.HOOK_BLOCK,
      cb.pointer,
      null,
      BigInt(begin),
      BigInt(end),
    );
    if (err !== UC.ERR_OK) {
      cb.close();
      check("add a block hook", err);
    }
    const id = hh[0] ?? 0n;
    this.#callbacks.set(id, cb);
    return id;
  }

  /** Remove a hook added by {@link hookBlock}. */
  hookDel(id: bigint): void {
    check("delete a hook", unicorn().uc_hook_del(this.pointer, id));
    this.#callbacks.get(id)?.close();
    this.#callbacks.delete(id);
  }

  /** Attach the native counting helper; the engine owns it and frees it on close. */
  attachCounter(options: CounterOptions = {}): NativeCounter {
    const h = helper();
    const ptr = h.mcu_counter_new();
    if (ptr === null) throw new UnicornError("create the native counter", 1, "out of memory");
    const counter = new NativeCounter(ptr);
    this.#counters.push(counter);
    const probe = options.probe ?? "hook";
    const flags = (options.count === false ? 0 : 1) |
      (probe === "hook" ? 2 : 0) |
      (probe === "mmio" ? 4 : 0) |
      (options.faults === false ? 0 : 8);
    if (probe !== "none" && options.probeAddress === undefined) {
      throw new TypeError("Cannot attach the native counter: probeAddress is required");
    }
    check(
      `attach the native counter (helper ABI ${HELPER_ABI})`,
      h.mcu_counter_attach(
        ptr,
        this.pointer,
        BigInt(options.probeAddress ?? 0),
        BigInt(options.probeSize ?? 4096),
        flags,
      ),
    );
    if (options.budget !== undefined) counter.setBudget(options.budget);
    return counter;
  }

  /** Close the engine, then release callbacks and counters. Safe to call twice. */
  close(): void {
    if (this.#uc === null) return;
    const err = unicorn().uc_close(this.#uc);
    this.#uc = null;
    for (const cb of this.#callbacks.values()) cb.close();
    this.#callbacks.clear();
    for (const c of this.#counters) c.free();
    this.#counters.length = 0;
    check("close the Unicorn engine", err);
  }

  /** Same as {@link close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function check(what: string, err: number): void {
  if (err !== UC.ERR_OK) throw new UnicornError(what, err, strerror(err));
}
