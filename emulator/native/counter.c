/*
 * mcucount: native instruction counting for mcunet-bench's Unicorn runner.
 *
 * Built by emulator/native/build.ts with the host cc against libunicorn 2:
 *   cc -O2 -fPIC -shared -DMCUCOUNT_SOURCE_HASH="<sha256 of this file>" \
 *      -o libmcucount.so counter.c -lunicorn
 *
 * One `mcu_counter` attaches three hooks to a Unicorn engine:
 *   - UC_HOOK_BLOCK: adds the block's Thumb-2 instruction count (decoded once per
 *     translated block, cached by address + size + marker segment), counts block hits and
 *     fall-through edges for the profile and the cycle model (emulator/cycles/), and stops
 *     the emulation once the instruction budget is exceeded;
 *   - probe writes (UC_HOOK_MEM_WRITE bounded to the probe page, or an MMIO page):
 *     records (code, instructions counted so far; see record_marker);
 *   - UC_HOOK_MEM_INVALID: records the faulting address and access type.
 *
 * Every exported function has a fixed arity so that Deno's FFI can call it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#define MCU_COUNTER_ABI 2

/*
 * One (translated block, segment) pair. A segment is the stretch between two probe markers
 * (segment k = blocks entered after k markers), so that a timing model can price each layer's
 * blocks separately. `fallthrough` counts the times the very next block entered started right
 * after this one (addr + size): for a block that ends in a conditional branch, that is the
 * not-taken count, and hits - fallthrough the taken count.
 */
typedef struct {
  uint64_t addr; /* 0 with size 0 marks an empty slot */
  uint32_t size;
  uint32_t icount;
  uint64_t hits;
  uint64_t fallthrough;
  uint32_t segment;
} block_entry;

typedef struct {
  uint32_t code;
  uint64_t icount;
} marker;

typedef struct mcu_counter {
  uint64_t icount;    /* instructions of all blocks entered so far */
  uint64_t budget;    /* 0 = unlimited */
  int budget_exceeded;

  block_entry *table; /* open addressing, power-of-two capacity */
  uint32_t cap;
  uint32_t used;
  block_entry *last; /* one-entry cache in front of the table */
  block_entry *prev; /* the block entered before the current one (for fall-through counts) */

  marker *markers;
  uint32_t n_markers;
  uint32_t cap_markers;
  int marker_overflow; /* allocation failure while recording a marker */

  int has_fault;
  uint64_t fault_addr;
  int32_t fault_type;
  uint64_t fault_pc;

  uc_hook h_block;
  uc_hook h_probe;
  uc_hook h_invalid;
  int hooked_block, hooked_probe, hooked_invalid;
  uc_engine *uc;
} mcu_counter;

/* ---- Thumb-2 length decode ------------------------------------------------ */

static int is_wide(uint16_t hw) {
  uint16_t top5 = hw >> 11;
  return top5 == 0x1d || top5 == 0x1e || top5 == 0x1f;
}

/* Instructions in [addr, addr + size); reads the code through Unicorn. */
static uint32_t decode_count(uc_engine *uc, uint64_t addr, uint32_t size) {
  uint8_t stack_buf[512];
  uint8_t *buf = size <= sizeof stack_buf ? stack_buf : malloc(size);
  uint32_t n = 0;
  if (buf == NULL || uc_mem_read(uc, addr, buf, size) != UC_ERR_OK) {
    /* Unreadable code cannot execute; count halfwords conservatively. */
    if (buf != stack_buf) free(buf);
    return size / 2 > 0 ? size / 2 : 1;
  }
  uint32_t off = 0;
  while (off + 2 <= size) {
    uint16_t hw = (uint16_t)(buf[off] | (buf[off + 1] << 8));
    off += is_wide(hw) ? 4 : 2;
    n++;
  }
  if (buf != stack_buf) free(buf);
  return n;
}

/* ---- block table ------------------------------------------------------------ */

static uint32_t hash_block(uint64_t addr, uint32_t size, uint32_t segment) {
  uint64_t h = (addr >> 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t)size * 0xC2B2AE3D27D4EB4Full ^
               (uint64_t)segment * 0x165667B19E3779F9ull;
  return (uint32_t)(h >> 32);
}

static int table_grow(mcu_counter *c) {
  uint32_t ncap = c->cap ? c->cap * 2 : 4096;
  block_entry *nt = calloc(ncap, sizeof *nt);
  if (nt == NULL) return 0;
  for (uint32_t i = 0; i < c->cap; i++) {
    block_entry *e = &c->table[i];
    if (e->size == 0) continue;
    uint32_t j = hash_block(e->addr, e->size, e->segment) & (ncap - 1);
    while (nt[j].size != 0) j = (j + 1) & (ncap - 1);
    nt[j] = *e;
    if (e == c->prev) c->prev = &nt[j]; /* keep the pending fall-through edge */
  }
  free(c->table);
  c->table = nt;
  c->cap = ncap;
  c->last = NULL;
  return 1;
}

static block_entry *lookup(mcu_counter *c, uc_engine *uc, uint64_t addr, uint32_t size,
                           uint32_t segment) {
  uint32_t mask = c->cap - 1;
  uint32_t j = hash_block(addr, size, segment) & mask;
  for (;;) {
    block_entry *e = &c->table[j];
    if (e->size == 0) break;
    if (e->addr == addr && e->size == size && e->segment == segment) return e;
    j = (j + 1) & mask;
  }
  if ((c->used + 1) * 4 > c->cap * 3) {
    if (!table_grow(c)) return NULL;
    return lookup(c, uc, addr, size, segment);
  }
  block_entry *e = &c->table[j];
  e->addr = addr;
  e->size = size;
  e->segment = segment;
  e->icount = decode_count(uc, addr, size);
  e->hits = 0;
  e->fallthrough = 0;
  c->used++;
  return e;
}

/* ---- hooks ---------------------------------------------------------------- */

static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user_data) {
  mcu_counter *c = (mcu_counter *)user_data;
  block_entry *p = c->prev;
  if (p != NULL && p->addr + p->size == address) p->fallthrough++;
  block_entry *e = c->last;
  if (e == NULL || e->addr != address || e->size != size || e->segment != c->n_markers) {
    e = lookup(c, uc, address, size, c->n_markers);
    if (e == NULL) { /* out of memory: count by decoding, never lose instructions */
      c->icount += decode_count(uc, address, size);
      c->prev = NULL;
      return;
    }
    c->last = e;
  }
  c->prev = e;
  c->icount += e->icount;
  e->hits++;
  if (c->budget != 0 && c->icount > c->budget && !c->budget_exceeded) {
    c->budget_exceeded = 1;
    uc_emu_stop(uc);
  }
}

/*
 * Unicorn 2.0.1 does not keep the PC exact inside a block during memory hooks, so a marker is
 * stamped with the count of whole blocks entered so far. MCU_PROBE (probe.h) ends the block with
 * a branch right after the store, which makes this exactly "instructions up to and including
 * the store and that branch".
 */
static void record_marker(mcu_counter *c, uint32_t code) {
  if (c->n_markers == c->cap_markers) {
    uint32_t ncap = c->cap_markers ? c->cap_markers * 2 : 256;
    marker *nm = realloc(c->markers, ncap * sizeof *nm);
    if (nm == NULL) {
      c->marker_overflow = 1;
      return;
    }
    c->markers = nm;
    c->cap_markers = ncap;
  }
  c->markers[c->n_markers].code = code;
  c->markers[c->n_markers].icount = c->icount;
  c->n_markers++;
}

static void on_probe_write(uc_engine *uc, uc_mem_type type, uint64_t address, int size,
                           int64_t value, void *user_data) {
  (void)uc;
  (void)type;
  (void)address;
  (void)size;
  record_marker((mcu_counter *)user_data, (uint32_t)value);
}

static void on_probe_mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value,
                                void *user_data) {
  (void)uc;
  (void)offset;
  (void)size;
  record_marker((mcu_counter *)user_data, (uint32_t)value);
}

static uint64_t on_probe_mmio_read(uc_engine *uc, uint64_t offset, unsigned size,
                                   void *user_data) {
  (void)uc;
  (void)offset;
  (void)size;
  (void)user_data;
  return 0;
}

static bool on_invalid(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
                       void *user_data) {
  (void)size;
  (void)value;
  mcu_counter *c = (mcu_counter *)user_data;
  if (!c->has_fault) {
    uint64_t pc = 0;
    uc_reg_read(uc, UC_ARM_REG_PC, &pc);
    c->has_fault = 1;
    c->fault_addr = address;
    c->fault_type = (int32_t)type;
    c->fault_pc = pc;
  }
  return false;
}

/* ---- exported API ------------------------------------------------------------ */

/** ABI version of this helper; the TypeScript side refuses a mismatch. */
int32_t mcu_counter_abi(void) { return MCU_COUNTER_ABI; }

mcu_counter *mcu_counter_new(void) {
  mcu_counter *c = calloc(1, sizeof *c);
  if (c == NULL) return NULL;
  if (!table_grow(c)) {
    free(c);
    return NULL;
  }
  return c;
}

/** Frees the counter. Call it only after uc_close() or mcu_counter_detach(). */
void mcu_counter_free(mcu_counter *c) {
  if (c == NULL) return;
  free(c->table);
  free(c->markers);
  free(c);
}

/**
 * Attaches the hooks. `flags`: bit 0 block counting, bit 1 probe write hook,
 * bit 2 map the probe page as MMIO instead of a write hook (the page must not be mapped yet),
 * bit 3 invalid-memory hook. Returns a uc_err code.
 */
int32_t mcu_counter_attach(mcu_counter *c, uc_engine *uc, uint64_t probe_addr, uint64_t probe_size,
                           uint32_t flags) {
  uc_err err;
  c->uc = uc;
  if (flags & 1u) {
    err = uc_hook_add(uc, &c->h_block, UC_HOOK_BLOCK, (void *)on_block, c, (uint64_t)1,
                      (uint64_t)0);
    if (err != UC_ERR_OK) return (int32_t)err;
    c->hooked_block = 1;
  }
  if (flags & 4u) {
    err = uc_mmio_map(uc, probe_addr, (size_t)probe_size, on_probe_mmio_read, c,
                      on_probe_mmio_write, c);
    if (err != UC_ERR_OK) return (int32_t)err;
  } else if (flags & 2u) {
    err = uc_hook_add(uc, &c->h_probe, UC_HOOK_MEM_WRITE, (void *)on_probe_write, c, probe_addr,
                      probe_addr + probe_size - 1);
    if (err != UC_ERR_OK) return (int32_t)err;
    c->hooked_probe = 1;
  }
  if (flags & 8u) {
    err = uc_hook_add(uc, &c->h_invalid, UC_HOOK_MEM_INVALID, (void *)on_invalid, c, (uint64_t)1,
                      (uint64_t)0);
    if (err != UC_ERR_OK) return (int32_t)err;
    c->hooked_invalid = 1;
  }
  return UC_ERR_OK;
}

/** Deletes the hooks this counter added. Returns a uc_err code. */
int32_t mcu_counter_detach(mcu_counter *c) {
  uc_err first = UC_ERR_OK, err;
  if (c->uc == NULL) return UC_ERR_OK;
  if (c->hooked_block) {
    err = uc_hook_del(c->uc, c->h_block);
    if (first == UC_ERR_OK) first = err;
    c->hooked_block = 0;
  }
  if (c->hooked_probe) {
    err = uc_hook_del(c->uc, c->h_probe);
    if (first == UC_ERR_OK) first = err;
    c->hooked_probe = 0;
  }
  if (c->hooked_invalid) {
    err = uc_hook_del(c->uc, c->h_invalid);
    if (first == UC_ERR_OK) first = err;
    c->hooked_invalid = 0;
  }
  c->uc = NULL;
  return (int32_t)first;
}

/** Sets the instruction budget (0 = unlimited). */
void mcu_counter_set_budget(mcu_counter *c, uint64_t budget) { c->budget = budget; }

uint64_t mcu_counter_instructions(const mcu_counter *c) { return c->icount; }

int32_t mcu_counter_budget_exceeded(const mcu_counter *c) { return c->budget_exceeded; }

uint32_t mcu_counter_marker_count(const mcu_counter *c) { return c->n_markers; }

int32_t mcu_counter_marker_overflow(const mcu_counter *c) { return c->marker_overflow; }

/** Copies up to `max` markers; returns how many were copied. */
uint32_t mcu_counter_markers(const mcu_counter *c, uint32_t *codes, uint64_t *counts,
                             uint32_t max) {
  uint32_t n = c->n_markers < max ? c->n_markers : max;
  for (uint32_t i = 0; i < n; i++) {
    codes[i] = c->markers[i].code;
    counts[i] = c->markers[i].icount;
  }
  return n;
}

uint32_t mcu_counter_block_count(const mcu_counter *c) { return c->used; }

/**
 * Copies, in the same order as mcu_counter_blocks, each entry's segment (markers seen before it
 * was entered) and fall-through count; returns the count.
 */
uint32_t mcu_counter_block_edges(const mcu_counter *c, uint32_t *segments, uint64_t *fallthroughs,
                                 uint32_t max) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < c->cap && n < max; i++) {
    const block_entry *e = &c->table[i];
    if (e->size == 0) continue;
    segments[n] = e->segment;
    fallthroughs[n] = e->fallthrough;
    n++;
  }
  return n;
}

/** Copies up to `max` cached blocks (address, size, instructions, hits); returns the count. */
uint32_t mcu_counter_blocks(const mcu_counter *c, uint64_t *addrs, uint32_t *sizes,
                            uint32_t *icounts, uint64_t *hits, uint32_t max) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < c->cap && n < max; i++) {
    const block_entry *e = &c->table[i];
    if (e->size == 0) continue;
    addrs[n] = e->addr;
    sizes[n] = e->size;
    icounts[n] = e->icount;
    hits[n] = e->hits;
    n++;
  }
  return n;
}

/**
 * Copies the first invalid memory access: out[0] = address, out[1] = PC, out[2] = uc_mem_type.
 * Returns 1 if there was one, else 0.
 */
int32_t mcu_counter_fault(const mcu_counter *c, uint64_t *out) {
  if (!c->has_fault) return 0;
  out[0] = c->fault_addr;
  out[1] = c->fault_pc;
  out[2] = (uint64_t)(int64_t)c->fault_type;
  return 1;
}

#ifdef MCUCOUNT_SOURCE_HASH
/* Lets build.ts tell whether the library was built from the current source. */
__attribute__((used)) const char mcu_counter_source_hash[] =
    "MCUCOUNT_SOURCE_SHA256=" MCUCOUNT_SOURCE_HASH;
#endif
