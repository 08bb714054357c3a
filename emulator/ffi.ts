/**
 * Raw FFI bindings: libunicorn 2 and the native counting helper (`libmcucount.so`).
 * Use the safe {@link "./unicorn.ts"} class instead of these symbols.
 *
 * Constants below were taken from the Unicorn 2.0.1 headers (`unicorn.h`, `arm.h`).
 *
 * @module
 */
import { ToolchainError } from "../engine/target/mod.ts";
import { NATIVE_HELPER_PATH } from "./native/build.ts";

/** Unicorn constants used by this project (values from the 2.0.1 headers). */
export const UC = {
  ARCH_ARM: 1,
  MODE_THUMB: 16,
  PROT_READ: 1,
  PROT_WRITE: 2,
  PROT_EXEC: 4,
  PROT_ALL: 7,
  HOOK_BLOCK: 1 << 3,
  HOOK_MEM_WRITE: 1 << 11,
  HOOK_MEM_INVALID: 1008,
  CTL_CPU_MODEL_WRITE: 0x44000007,
  CTL_CPU_MODEL_READ: 0x84000007,
  CPU_CORTEX_M4: 9,
  CPU_CORTEX_M7: 10,
  ERR_OK: 0,
  ERR_READ_UNMAPPED: 6,
  ERR_WRITE_UNMAPPED: 7,
  ERR_FETCH_UNMAPPED: 8,
  ERR_INSN_INVALID: 10,
  ERR_WRITE_PROT: 12,
  ERR_READ_PROT: 13,
  ERR_FETCH_PROT: 14,
  ERR_EXCEPTION: 21,
} as const;

/** ARM register ids (`uc_arm_reg`). */
export const ARM_REG = {
  CPSR: 3,
  LR: 10,
  PC: 11,
  SP: 12,
  R0: 66,
  MSP: 115,
  XPSR: 120,
} as const;

/** Memory access types (`uc_mem_type`). */
export const MEM_TYPE_NAMES: Readonly<Record<number, string>> = {
  16: "read",
  17: "write",
  18: "fetch",
  19: "read (unmapped)",
  20: "write (unmapped)",
  21: "fetch (unmapped)",
  22: "write (protected)",
  23: "read (protected)",
  24: "fetch (protected)",
};

const UNICORN_SYMBOLS = {
  uc_version: { parameters: ["buffer", "buffer"], result: "u32" },
  uc_open: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  uc_close: { parameters: ["pointer"], result: "i32" },
  uc_errno: { parameters: ["pointer"], result: "i32" },
  uc_strerror: { parameters: ["i32"], result: "pointer" },
  uc_reg_read: { parameters: ["pointer", "i32", "buffer"], result: "i32" },
  uc_reg_write: { parameters: ["pointer", "i32", "buffer"], result: "i32" },
  uc_mem_map: { parameters: ["pointer", "u64", "usize", "u32"], result: "i32" },
  uc_mem_read: { parameters: ["pointer", "u64", "buffer", "usize"], result: "i32" },
  uc_mem_write: { parameters: ["pointer", "u64", "buffer", "usize"], result: "i32" },
  uc_emu_start: { parameters: ["pointer", "u64", "u64", "u64", "usize"], result: "i32" },
  uc_emu_stop: { parameters: ["pointer"], result: "i32" },
  uc_hook_del: { parameters: ["pointer", "usize"], result: "i32" },
  /** `uc_ctl(uc, control, int)`: fixed-arity alias of the variadic `uc_ctl`. */
  uc_ctl_write_int: { name: "uc_ctl", parameters: ["pointer", "u32", "i32"], result: "i32" },
  /** `uc_ctl(uc, control, int *)`: fixed-arity alias of the variadic `uc_ctl`. */
  uc_ctl_read_int: { name: "uc_ctl", parameters: ["pointer", "u32", "buffer"], result: "i32" },
  /** `uc_hook_add(uc, &hh, type, cb, user, begin, end)`: fixed-arity alias. */
  uc_hook_add_range: {
    name: "uc_hook_add",
    parameters: ["pointer", "buffer", "i32", "function", "pointer", "u64", "u64"],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

const HELPER_SYMBOLS = {
  mcu_counter_abi: { parameters: [], result: "i32" },
  mcu_counter_new: { parameters: [], result: "pointer" },
  mcu_counter_free: { parameters: ["pointer"], result: "void" },
  mcu_counter_attach: {
    parameters: ["pointer", "pointer", "u64", "u64", "u32"],
    result: "i32",
  },
  mcu_counter_detach: { parameters: ["pointer"], result: "i32" },
  mcu_counter_set_budget: { parameters: ["pointer", "u64"], result: "void" },
  mcu_counter_instructions: { parameters: ["pointer"], result: "u64" },
  mcu_counter_budget_exceeded: { parameters: ["pointer"], result: "i32" },
  mcu_counter_marker_count: { parameters: ["pointer"], result: "u32" },
  mcu_counter_marker_overflow: { parameters: ["pointer"], result: "i32" },
  mcu_counter_markers: { parameters: ["pointer", "buffer", "buffer", "u32"], result: "u32" },
  mcu_counter_block_count: { parameters: ["pointer"], result: "u32" },
  mcu_counter_blocks: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "buffer", "u32"],
    result: "u32",
  },
  mcu_counter_block_edges: {
    parameters: ["pointer", "buffer", "buffer", "u32"],
    result: "u32",
  },
  mcu_counter_fault: { parameters: ["pointer", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The ABI version `counter.c` must report. */
export const HELPER_ABI = 2;

/** libunicorn's bound symbols. */
export type UnicornSymbols = Deno.DynamicLibrary<typeof UNICORN_SYMBOLS>["symbols"];
/** The native helper's bound symbols. */
export type HelperSymbols = Deno.DynamicLibrary<typeof HELPER_SYMBOLS>["symbols"];

const UNICORN_CANDIDATES = [
  "libunicorn.so.2",
  "/usr/lib/x86_64-linux-gnu/libunicorn.so.2",
  "/usr/lib/aarch64-linux-gnu/libunicorn.so.2",
  "/usr/local/lib/libunicorn.so.2",
  "libunicorn.so",
];

const SETUP_HINT = "run `deno task setup`";

// The only module-level mutable state: the lazily loaded library handles.
let unicornLib: Deno.DynamicLibrary<typeof UNICORN_SYMBOLS> | undefined;
let helperLib: Deno.DynamicLibrary<typeof HELPER_SYMBOLS> | undefined;

/**
 * libunicorn's symbols, loaded once. `LIBUNICORN_PATH` overrides the search.
 * Throws {@link ToolchainError} naming `deno task setup` when libunicorn 2 is missing.
 */
export function unicorn(): UnicornSymbols {
  if (unicornLib) return unicornLib.symbols;
  const override = Deno.env.get("LIBUNICORN_PATH");
  const candidates = override ? [override] : UNICORN_CANDIDATES;
  const errors: string[] = [];
  for (const path of candidates) {
    try {
      unicornLib = Deno.dlopen(path, UNICORN_SYMBOLS);
      return unicornLib.symbols;
    } catch (e) {
      errors.push(`${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new ToolchainError(
    `Cannot load libunicorn 2: not found (${errors.join("; ")}); ${SETUP_HINT} ` +
      "(it installs the Debian packages libunicorn2 libunicorn-dev)",
  );
}

/**
 * The native counting helper's symbols, loaded once (after libunicorn, which it links against).
 * `MCU_NATIVE_HELPER` overrides the path. Throws {@link ToolchainError} naming `deno task setup`
 * when the library has not been built or is out of date.
 */
export function helper(): HelperSymbols {
  if (helperLib) return helperLib.symbols;
  unicorn();
  const path = Deno.env.get("MCU_NATIVE_HELPER") ?? NATIVE_HELPER_PATH;
  let lib: Deno.DynamicLibrary<typeof HELPER_SYMBOLS>;
  try {
    lib = Deno.dlopen(path, HELPER_SYMBOLS);
  } catch (e) {
    throw new ToolchainError(
      `Cannot load the native emulator helper ${path}: ${
        e instanceof Error ? e.message : String(e)
      }; ${SETUP_HINT} (it builds emulator/native/libmcucount.so)`,
      { cause: e },
    );
  }
  const abi = lib.symbols.mcu_counter_abi();
  if (abi !== HELPER_ABI) {
    lib.close();
    throw new ToolchainError(
      `Cannot use the native emulator helper ${path}: ABI ${abi}, expected ${HELPER_ABI}; ` +
        `${SETUP_HINT} to rebuild it`,
    );
  }
  helperLib = lib;
  return lib.symbols;
}

/** `uc_strerror(code)` as a string. */
export function strerror(code: number): string {
  const p = unicorn().uc_strerror(code);
  return p === null ? `unknown error ${code}` : new Deno.UnsafePointerView(p).getCString();
}
