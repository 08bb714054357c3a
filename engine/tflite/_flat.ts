/**
 * Bounds-checked flatbuffer access over `npm:flatbuffers`' ByteBuffer.
 *
 * Every offset, vtable, vector length and string length is checked against the byte length
 * before it is read, so a truncated or corrupted file gives a {@link ModelFormatError} that says
 * where it went wrong, never a RangeError, a silent zero or a huge allocation. A work budget
 * (elements and bytes read, proportional to the file size) bounds the total time of a read even
 * when many fields point at the same large vector.
 *
 * @module
 */

import { ByteBuffer } from "flatbuffers";
import { ModelFormatError } from "../ir/mod.ts";

/** A vector's first element position and element count. */
export interface VectorRef {
  readonly start: number;
  readonly length: number;
}

const UTF8 = new TextDecoder("utf-8");

/** Reads one flatbuffer file; owns the byte buffer and the work budget. */
export class FlatReader {
  readonly #bb: ByteBuffer;
  readonly #bytes: Uint8Array;
  readonly size: number;
  #budget: number;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#bb = new ByteBuffer(bytes);
    this.size = bytes.byteLength;
    this.#budget = 16 * this.size + 65536;
  }

  /** Throw a ModelFormatError for `where` (e.g. "tensor 3 of subgraph 0"). */
  fail(where: string, what: string): never {
    throw new ModelFormatError(`Cannot read ${where}: ${what}`);
  }

  /** Check that `count` bytes at `offset` lie inside the file. */
  need(offset: number, count: number, where: string, what: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + count > this.size) {
      this.fail(
        where,
        `${what} at byte ${offset} (${count} bytes) lies outside the file (${this.size} bytes)`,
      );
    }
  }

  /** Spend `units` of the work budget (elements or bytes about to be read). */
  charge(units: number, where: string): void {
    this.#budget -= units;
    if (this.#budget < 0) {
      this.fail(
        where,
        `the model refers to more data than a ${this.size}-byte file can hold (repeated or overlapping vectors)`,
      );
    }
  }

  u8(offset: number, where: string, what: string): number {
    this.need(offset, 1, where, what);
    return this.#bb.readUint8(offset);
  }
  i8(offset: number, where: string, what: string): number {
    this.need(offset, 1, where, what);
    return this.#bb.readInt8(offset);
  }
  u16(offset: number, where: string, what: string): number {
    this.need(offset, 2, where, what);
    return this.#bb.readUint16(offset);
  }
  i32(offset: number, where: string, what: string): number {
    this.need(offset, 4, where, what);
    return this.#bb.readInt32(offset);
  }
  u32(offset: number, where: string, what: string): number {
    this.need(offset, 4, where, what);
    return this.#bb.readUint32(offset);
  }
  f32(offset: number, where: string, what: string): number {
    this.need(offset, 4, where, what);
    return this.#bb.readFloat32(offset);
  }
  /** A 64-bit integer as a number; fails when it is not exactly representable. */
  i64(offset: number, where: string, what: string, unsigned = false): number {
    this.need(offset, 8, where, what);
    const v = unsigned ? this.#bb.readUint64(offset) : this.#bb.readInt64(offset);
    const n = Number(v);
    if (!Number.isSafeInteger(n)) this.fail(where, `${what} ${v} is too large`);
    return n;
  }

  /** A copy of `length` bytes at `offset`. */
  copy(offset: number, length: number, where: string, what: string): Uint8Array {
    this.need(offset, length, where, what);
    this.charge(length, where);
    return this.#bytes.slice(offset, offset + length);
  }

  /** The root table (the uoffset at byte 0). */
  root(where: string): Table {
    const pos = this.u32(0, where, "root table offset");
    return this.table(pos, where);
  }

  /** Validate the table at `pos` (its vtable and inline size) and return an accessor. */
  table(pos: number, where: string): Table {
    this.need(pos, 4, where, "table");
    this.charge(4, where);
    const vt = pos - this.#bb.readInt32(pos);
    this.need(vt, 4, where, "vtable");
    const vtSize = this.#bb.readUint16(vt);
    const objSize = this.#bb.readUint16(vt + 2);
    if (vtSize < 4 || vtSize % 2 !== 0) this.fail(where, `vtable at byte ${vt} has size ${vtSize}`);
    this.need(vt, vtSize, where, "vtable");
    if (objSize < 4) this.fail(where, `table at byte ${pos} has inline size ${objSize}`);
    this.need(pos, objSize, where, "table");
    return new Table(this, pos, vt, vtSize, objSize, where);
  }
}

/** Field accessors of one validated table. */
export class Table {
  readonly #r: FlatReader;
  readonly #pos: number;
  readonly #vt: number;
  readonly #vtSize: number;
  readonly #objSize: number;
  readonly where: string;

  constructor(
    reader: FlatReader,
    pos: number,
    vt: number,
    vtSize: number,
    objSize: number,
    where: string,
  ) {
    this.#r = reader;
    this.#pos = pos;
    this.#vt = vt;
    this.#vtSize = vtSize;
    this.#objSize = objSize;
    this.where = where;
  }

  /** Absolute position of field `slot` (`width` bytes), or -1 when the field is absent. */
  #field(slot: number, width: number, name: string): number {
    const vo = 4 + 2 * slot;
    if (vo + 2 > this.#vtSize) return -1;
    const off = this.#r.u16(this.#vt + vo, this.where, `vtable entry of '${name}'`);
    if (off === 0) return -1;
    if (off + width > this.#objSize) {
      this.#r.fail(
        this.where,
        `field '${name}' at offset ${off} lies outside its table (${this.#objSize} bytes)`,
      );
    }
    return this.#pos + off;
  }

  has(slot: number): boolean {
    return this.#field(slot, 0, `#${slot}`) >= 0;
  }
  u8(slot: number, name: string, dflt = 0): number {
    const p = this.#field(slot, 1, name);
    return p < 0 ? dflt : this.#r.u8(p, this.where, `field '${name}'`);
  }
  i8(slot: number, name: string, dflt = 0): number {
    const p = this.#field(slot, 1, name);
    return p < 0 ? dflt : this.#r.i8(p, this.where, `field '${name}'`);
  }
  bool(slot: number, name: string, dflt = false): boolean {
    const p = this.#field(slot, 1, name);
    return p < 0 ? dflt : this.#r.u8(p, this.where, `field '${name}'`) !== 0;
  }
  i32(slot: number, name: string, dflt = 0): number {
    const p = this.#field(slot, 4, name);
    return p < 0 ? dflt : this.#r.i32(p, this.where, `field '${name}'`);
  }
  u32(slot: number, name: string, dflt = 0): number {
    const p = this.#field(slot, 4, name);
    return p < 0 ? dflt : this.#r.u32(p, this.where, `field '${name}'`);
  }
  f32(slot: number, name: string, dflt = 0): number {
    const p = this.#field(slot, 4, name);
    return p < 0 ? dflt : this.#r.f32(p, this.where, `field '${name}'`);
  }
  u64(slot: number, name: string, dflt = 0): number {
    const p = this.#field(slot, 8, name);
    return p < 0 ? dflt : this.#r.i64(p, this.where, `field '${name}'`, true);
  }

  /** Position the offset field `slot` points to, or -1 when absent. */
  #target(slot: number, name: string): number {
    const p = this.#field(slot, 4, name);
    if (p < 0) return -1;
    const rel = this.#r.u32(p, this.where, `offset of '${name}'`);
    const target = p + rel;
    this.#r.need(target, 4, this.where, `'${name}' (offset ${rel} from byte ${p})`);
    return target;
  }

  /** The sub-table at `slot`, described as `where`, or undefined when absent. */
  table(slot: number, name: string, where = this.where): Table | undefined {
    const t = this.#target(slot, name);
    return t < 0 ? undefined : this.#r.table(t, where);
  }

  /** The vector at `slot` whose elements are `elemSize` bytes, or undefined when absent. */
  vector(slot: number, name: string, elemSize: number): VectorRef | undefined {
    const t = this.#target(slot, name);
    if (t < 0) return undefined;
    const length = this.#r.u32(t, this.where, `length of '${name}'`);
    const start = t + 4;
    if (length > (this.#r.size - start) / elemSize) {
      this.#r.fail(
        this.where,
        `vector '${name}' at byte ${t} claims ${length} elements of ${elemSize} bytes, more than the file holds`,
      );
    }
    this.#r.charge(length, this.where);
    return { start, length };
  }

  int32s(slot: number, name: string): number[] | undefined {
    const v = this.vector(slot, name, 4);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.#r.i32(v.start + 4 * i, this.where, name);
    return out;
  }
  float32s(slot: number, name: string): number[] | undefined {
    const v = this.vector(slot, name, 4);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.#r.f32(v.start + 4 * i, this.where, name);
    return out;
  }
  int64s(slot: number, name: string): number[] | undefined {
    const v = this.vector(slot, name, 8);
    if (!v) return undefined;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.#r.i64(v.start + 8 * i, this.where, name);
    return out;
  }
  bytes(slot: number, name: string): Uint8Array | undefined {
    const v = this.vector(slot, name, 1);
    return v ? this.#r.copy(v.start, v.length, this.where, `vector '${name}'`) : undefined;
  }
  string(slot: number, name: string): string | undefined {
    const v = this.vector(slot, name, 1);
    if (!v) return undefined;
    return UTF8.decode(this.#r.copy(v.start, v.length, this.where, `string '${name}'`));
  }

  /** Element `i` of a vector of tables, described as `where`. */
  tableAt(v: VectorRef, i: number, where: string): Table {
    const p = v.start + 4 * i;
    const rel = this.#r.u32(p, where, "table offset");
    return this.#r.table(p + rel, where);
  }
}
