/**
 * One block of memory for the arrays the histogram kernel touches (codes, row indices, packed
 * gradients, histograms). When WebAssembly is available it is a WebAssembly.Memory, so the
 * compiled kernel can address them directly; otherwise a plain ArrayBuffer, and the kernel runs
 * in JavaScript. Everything is sized once, up front: growing a WebAssembly memory would detach
 * every view on it.
 */

/** The slice of the WebAssembly JS API used here (the project's TypeScript lib has no DOM types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}

/** The global WebAssembly API, or null (e.g. `node --jitless`). */
export function wasmApi(): WasmApi | null {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly ?? null;
}

const PAGE = 65536;
/** Stay well inside what 32-bit WebAssembly memories allow everywhere. */
const MAX_WASM_BYTES = 2 ** 31;
const ALIGN = 64;

/** Bump allocator of typed-array views over one buffer. */
export class Arena {
  readonly buffer: ArrayBuffer;
  /** The WebAssembly memory behind `buffer`, or null when the arena is a plain ArrayBuffer. */
  readonly memory: WasmMemory | null;
  private top = 0;

  private constructor(buffer: ArrayBuffer, memory: WasmMemory | null) {
    this.buffer = buffer;
    this.memory = memory;
  }

  /** An arena for allocations totalling `bytes` (use {@link Arena.bytesFor} per allocation); WebAssembly-backed when possible and `preferWasm`. */
  static create(bytes: number, preferWasm = true): Arena {
    const api = wasmApi();
    if (preferWasm && api !== null && bytes <= MAX_WASM_BYTES) {
      try {
        const pages = Math.max(1, Math.ceil(bytes / PAGE));
        const memory = new api.Memory({ initial: pages, maximum: pages });
        return new Arena(memory.buffer, memory);
      } catch {
        // Out of address space for a WebAssembly memory: a plain buffer (and the JS kernel) works.
      }
    }
    return new Arena(new ArrayBuffer(bytes), null);
  }

  /** Bytes to reserve for an allocation of `bytes` (alignment padding included). */
  static bytesFor(bytes: number): number {
    return Math.ceil(bytes / ALIGN) * ALIGN + ALIGN;
  }

  private take(bytes: number): number {
    const offset = Math.ceil(this.top / ALIGN) * ALIGN;
    if (offset + bytes > this.buffer.byteLength) {
      throw new RangeError(`gbm arena: ${offset + bytes} bytes needed but ${this.buffer.byteLength} reserved`);
    }
    this.top = offset + bytes;
    return offset;
  }

  /** A zeroed Uint8Array of `length`. */
  u8(length: number): Uint8Array {
    return new Uint8Array(this.buffer, this.take(length), length);
  }

  /** A zeroed Uint32Array of `length`. */
  u32(length: number): Uint32Array {
    return new Uint32Array(this.buffer, this.take(4 * length), length);
  }

  /** A zeroed Float64Array of `length`. */
  f64(length: number): Float64Array {
    return new Float64Array(this.buffer, this.take(8 * length), length);
  }
}
