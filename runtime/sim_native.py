"""The fast simulator's inner loop in C: `_fast`'s work with less decoding per packet.

`sim_fast` interprets the encoded program in numba; its `_fast` loop runs the *simple*
packets (not staged; no halt, DMA or dmawait; every memory access in VTCM and aligned).
Interpreting costs ~30 ns a packet on ResNet-50, most of it decoding: one dispatch per
instruction on its opcode (an if-chain in numba), a loop over its operands, the source list
of the scoreboard. This module is a C version of that loop, compiled by the host's C
compiler and called from `sim_fast._run` in place of `_fast` (through an address, so
`_run`'s cached machine code stays valid):

- A *generic body* runs any simple packet: the same checks, a `switch` per instruction
  (a jump table), vector instructions as 8-lane vector operations.
- A *shape handler* runs the packets of one shape (the mnemonics of a packet in execution
  order, e.g. `vfma.f32 ; vfma.f32 ; vldbc`): the instruction count, the memory checks,
  the number of scoreboard reads and the code of each instruction are fixed, so there is
  one indirect jump per packet and no per-instruction dispatch. A program of
  AUTO_MIN_PACKETS packets or more gets handlers for its MAX_SHAPES most frequent shapes
  (ResNet-50: ~200 shapes in all, the top 50 run 99.5% of its packets); smaller programs
  run the generic body only, so they need no compile of their own.

The contract is `_fast`'s, bit for bit (tests/test_sim_native.py runs the same random
programs through numba alone, the generic body and the handlers, and compares registers,
memories, traps, cycles and every statistic):

- It runs consecutive packets from `st[S_PC]` whose `nat` entry is non-zero and returns
  the number run; the loop state goes in and out through `st` and the scratch rows, as
  for `_fast`. `nat` (from `plan`) is 0 for the packets left to numba (not simple), 1 for
  the generic body, 2 + k for shape k.
- Before a packet runs, the checks of `_fast` refuse it (control back to `_run`, which
  runs it or traps): the instruction budget, a loop instruction with a full loop stack, a
  memory address outside VTCM or misaligned.
- Timing is `_fast`'s: issue at the latest ready cycle of the packet's sources (the
  scoreboard), results ready `latency` later, a taken branch adds its penalty.
- f32 arithmetic is compiled with `-ffp-contract=off` (fma is multiply then add, two
  roundings) and no fast-math; NaN results are canonicalised as `_fast` does.

MEMO, the steady-state fast-forward: ResNet-50 runs 97% of its packets in the straight-line
bodies of innermost hardware loops, most of them hundreds of iterations long, and the
timing model (the scoreboard reads and writes, the cycle and stall counters) was ~20% of
the loop's time. An iteration's timing is a function of its entry state
S = max(ready[r] - now, 0) over the entries r the body reads (an entry at or below `now`
delays nothing, whatever its value). At each back edge of an eligible body (`loops`: all
packets run here, no branch or loop instruction) the loop compares S with the one at the
previous back edge; when they are equal, every later iteration repeats the one just run,
cycle for cycle. The rest of the loop then runs its data only, in a second set of shape
handlers (F{k}: memory checks and data; each dispatches the next packet of the body
itself). The instruction budget is checked for a whole iteration at its back edge (the
last iteration it does not cover runs normally), and the instruction, packet and VTCM
byte counts grow per iteration. When the loop ends, or a packet inside it is refused,
the timing of the k iterations run is added at once: `now`
and the dependency stalls grow by k times the iteration's, each packet's count and stall
cycles by k times its own, and each entry the body writes is its value at the fast-forward's
start plus k iterations' cycles (it is written at the same point of every iteration); the
packets already run of an unfinished iteration then get their timing and counts replayed.
A body whose S does not settle within MEMO_TRIES back edges is run normally.
tests/test_sim_memo.py checks it on random programs with long loops against numba.

The library is cached on disk under the hash of its source, flags and compiler
(`$VEXA_NATIVE_CACHE`, default `~/.cache/vexa/native`): the generic one compiles once per
machine (~1 s), a large program's handlers once per set of shapes (~9 s for ResNet-50's 96
shapes, two handlers each).
`VEXA_SIM_NATIVE=0` turns the C loop off; without a C compiler (`$CC`, else `cc`/`gcc`)
it is off and numba runs every packet, as before.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from vexa.runtime.isa import BY_OPCODE, MEM_STORE, OPC, Program
from vexa.runtime.target import Target

# the instructions the C loop runs (all but those that make a packet not simple)
NATIVE_OPS = frozenset(OPC) - {"halt", "dma", "dmacfg", "dma2", "dmawait"}
AUTO_MIN_PACKETS = 2000  # smaller programs run the generic loop only (no compile per program)
MAX_SHAPES = 96  # packet shapes with a handler of their own
SHAPES: tuple[tuple[str, ...], ...] | None = None  # a fixed shape set instead (tests)
VERSION = 6  # part of the cache key: bump when the C changes meaning
MEMO = True  # fast-forward the timing of innermost loops in a steady state (see above)
MEMO_MAXB, MEMO_MAXR, MEMO_TRIES = 1024, 512, 32  # body packets, scoreboard entries, tries
# diagnostics (tests; not exact across threads): fast-forwards begun, iterations
# fast-forwarded, stops inside one (a refused packet), packets of the whole iterations
MEMO_STATS = np.zeros(4, dtype=np.int64)

# C of each instruction: `I` its decoded row, A/B/C register fields, `imm`; ends in break
# (one entry per group of mnemonics sharing the code). Used by the generic loop's switch
# and by the packet-shape handlers (`shape_source`).
_OPS: list[tuple[tuple[str, ...], str]] = [
    (('vfma.f32',), r"""
{
float *d = VF + c->al; const float *a = VF + c->bl, *b = VF + c->cl;
if (L == 32) {
  st8(d, canon8(ld8(d) + ld8(a) * ld8(b)));
  st8(d + 8, canon8(ld8(d + 8) + ld8(a + 8) * ld8(b + 8)));
  st8(d + 16, canon8(ld8(d + 16) + ld8(a + 16) * ld8(b + 16)));
  st8(d + 24, canon8(ld8(d + 24) + ld8(a + 24) * ld8(b + 24)));
} else { VLOOP(canon8(z + x * y), canon(z + x * y)) }
break; }
"""),
    (('vadd.f32',), r"""
{ float *d = VF + c->al; const float *a = VF + c->bl, *b = VF + c->cl;
VLOOP(canon8(x + y), canon(x + y)) break; }
"""),
    (('vsub.f32',), r"""
{ float *d = VF + c->al; const float *a = VF + c->bl, *b = VF + c->cl;
VLOOP(canon8(x - y), canon(x - y)) break; }
"""),
    (('vmul.f32',), r"""
{ float *d = VF + c->al; const float *a = VF + c->bl, *b = VF + c->cl;
VLOOP(canon8(x * y), canon(x * y)) break; }
"""),
    (('vmax.f32',), r"""
{ float *d = VF + c->al; const float *a = VF + c->bl, *b = VF + c->cl;
VLOOP(vmax8(x, y), vmax1(x, y)) break; }
"""),
    (('vmin.f32',), r"""
{ float *d = VF + c->al; const float *a = VF + c->bl, *b = VF + c->cl;
VLOOP(vmin8(x, y), vmin1(x, y)) break; }
"""),
    (('vld', 'vldu'), r"""
{
const u8 *m = M + (((((i64)R[B]) + imm) & 0xFFFFFFFFLL) - vtbase);
if (vlen == 128) memcpy(V + 4 * c->al, m, 128); else memcpy(V + 4 * c->al, m, vlen);
break; }
"""),
    (('vst', 'vstu'), r"""
{
u8 *m = M + (((((i64)R[B]) + imm) & 0xFFFFFFFFLL) - vtbase);
if (vlen == 128) memcpy(m, V + 4 * c->al, 128); else memcpy(m, V + 4 * c->al, vlen);
break; }
"""),
    (('vstq',), r"""
{
u8 *m = M + (((((i64)R[B]) + imm) & 0xFFFFFFFFLL) - vtbase);
const u8 *v = V + 4 * c->al, *q = Q + C * vlen;
for (i64 j = 0; j < vlen; j++) if (q[j]) m[j] = v[j];
break; }
"""),
    (('vldbc',), r"""
{
i32 w; memcpy(&w, M + (((((i64)R[B]) + imm) & 0xFFFFFFFFLL) - vtbase), 4);
splat(VI + c->al, w, L); break; }
"""),
    (('vsplat',), r"""
splat(VI + c->al, R[B], L); break;
"""),
    (('vsplati',), r"""
splat(VI + c->al, (i32)imm, L); break;
"""),
    (('vmov',), r"""
memmove(V + 4 * c->al, V + 4 * c->bl, vlen); break;
"""),
    (("ld", "ldf"), r"""
memcpy(&R[A], M + (((((i64)R[B]) + imm) & 0xFFFFFFFFLL) - vtbase), 4); break;
"""),
    (('st', 'stf'), r"""
memcpy(M + (((((i64)R[B]) + imm) & 0xFFFFFFFFLL) - vtbase), &R[A], 4); break;
"""),
    (('li',), r"""
R[A] = (i32)imm; break;
"""),
    (('mov',), r"""
R[A] = R[B]; break;
"""),
    (('add',), r"""
R[A] = wrap((i64)R[B] + R[C]); break;
"""),
    (('sub',), r"""
R[A] = wrap((i64)R[B] - R[C]); break;
"""),
    (('mul',), r"""
R[A] = wrap((i64)R[B] * R[C]); break;
"""),
    (('and',), r"""
R[A] = R[B] & R[C]; break;
"""),
    (('or',), r"""
R[A] = R[B] | R[C]; break;
"""),
    (('xor',), r"""
R[A] = R[B] ^ R[C]; break;
"""),
    (('shl',), r"""
R[A] = wrap((i64)((u64)(i64)R[B] << (R[C] & 31))); break;
"""),
    (('shr',), r"""
R[A] = wrap((i64)(((u64)(u32)R[B]) >> (R[C] & 31))); break;
"""),
    (('sra',), r"""
R[A] = wrap(((i64)R[B]) >> (R[C] & 31)); break;
"""),
    (('slt',), r"""
R[A] = R[B] < R[C]; break;
"""),
    (('sltu',), r"""
R[A] = (u32)R[B] < (u32)R[C]; break;
"""),
    (('min',), r"""
R[A] = R[B] < R[C] ? R[B] : R[C]; break;
"""),
    (('max',), r"""
R[A] = R[B] > R[C] ? R[B] : R[C]; break;
"""),
    (('addi',), r"""
R[A] = wrap((i64)R[B] + imm); break;
"""),
    (('muli',), r"""
R[A] = wrap((i64)R[B] * imm); break;
"""),
    (('andi',), r"""
R[A] = wrap((i64)R[B] & imm); break;
"""),
    (('ori',), r"""
R[A] = wrap((i64)R[B] | imm); break;
"""),
    (('xori',), r"""
R[A] = wrap((i64)R[B] ^ imm); break;
"""),
    (('shli',), r"""
R[A] = wrap((i64)((u64)(i64)R[B] << (imm & 63))); break;
"""),
    (('shri',), r"""
R[A] = wrap((i64)(((u64)(u32)R[B]) >> (imm & 63))); break;
"""),
    (('srai',), r"""
R[A] = wrap(((i64)R[B]) >> (imm & 63)); break;
"""),
    (('slti',), r"""
R[A] = (i64)R[B] < imm; break;
"""),
    (('j',), r"""
next_pc = I[K_D]; taken = 1; break;
"""),
    (('beq',), r"""
if (R[A] == R[B]) { next_pc = I[K_D]; taken = 1; } break;
"""),
    (('bne',), r"""
if (R[A] != R[B]) { next_pc = I[K_D]; taken = 1; } break;
"""),
    (('blt',), r"""
if (R[A] < R[B]) { next_pc = I[K_D]; taken = 1; } break;
"""),
    (('bge',), r"""
if (R[A] >= R[B]) { next_pc = I[K_D]; taken = 1; } break;
"""),
    (('loop', 'loopi'), r"""
{
i64 count = I[K_OP] == O_LOOPI ? imm : (i64)R[A];
if (count <= 0) next_pc = I[K_D];
else {  /* the stack has room: checked before the packet */
  if (nloops > 0) { ls[nloops - 1] = tops; le[nloops - 1] = tope; lr[nloops - 1] = topr; }
  tops = pc + 1; tope = I[K_D]; topr = count; nloops += 1;
}
break; }
"""),
    (('vadd.i32',), r"""
{ i32 *d = VI + c->al; const i32 *a = VI + c->bl, *b = VI + c->cl;
for (i64 q = 0; q < L; q++) d[q] = (i32)((u32)a[q] + (u32)b[q]); break; }
"""),
    (('vsub.i32',), r"""
{ i32 *d = VI + c->al; const i32 *a = VI + c->bl, *b = VI + c->cl;
for (i64 q = 0; q < L; q++) d[q] = (i32)((u32)a[q] - (u32)b[q]); break; }
"""),
    (('vmax.i32',), r"""
{ i32 *d = VI + c->al; const i32 *a = VI + c->bl, *b = VI + c->cl;
for (i64 q = 0; q < L; q++) d[q] = a[q] > b[q] ? a[q] : b[q]; break; }
"""),
    (('vmin.i32',), r"""
{ i32 *d = VI + c->al; const i32 *a = VI + c->bl, *b = VI + c->cl;
for (i64 q = 0; q < L; q++) d[q] = a[q] < b[q] ? a[q] : b[q]; break; }
"""),
    (('vand',), r"""
{ i32 *d = VI + c->al; const i32 *a = VI + c->bl, *b = VI + c->cl;
for (i64 q = 0; q < L; q++) d[q] = a[q] & b[q]; break; }
"""),
    (('vor',), r"""
{ i32 *d = VI + c->al; const i32 *a = VI + c->bl, *b = VI + c->cl;
for (i64 q = 0; q < L; q++) d[q] = a[q] | b[q]; break; }
"""),
    (('vxor',), r"""
{ i32 *d = VI + c->al; const i32 *a = VI + c->bl, *b = VI + c->cl;
for (i64 q = 0; q < L; q++) d[q] = a[q] ^ b[q]; break; }
"""),
    (('vshli.i32',), r"""
{ i32 *d = VI + c->al; const i32 *a = VI + c->bl;
for (i64 q = 0; q < L; q++) d[q] = wrap((i64)((u64)(i64)a[q] << (imm & 63))); break; }
"""),
    (('vshri.i32',), r"""
{ i32 *d = VI + c->al; const i32 *a = VI + c->bl;
for (i64 q = 0; q < L; q++) d[q] = wrap((i64)(((u64)(u32)a[q]) >> (imm & 63))); break; }
"""),
    (('vsrai.i32',), r"""
{ i32 *d = VI + c->al; const i32 *a = VI + c->bl;
for (i64 q = 0; q < L; q++) d[q] = wrap(((i64)a[q]) >> (imm & 63)); break; }
"""),
    (('vcvt.f32.i32',), r"""
{ float *d = VF + c->al; const i32 *a = VI + c->bl;
for (i64 q = 0; q < L; q++) d[q] = (float)a[q]; break; }
"""),
    (('vcvt.i32.f32',), r"""
{ i32 *d = VI + c->al; const float *a = VF + c->bl;
for (i64 q = 0; q < L; q++) { double x = a[q];
  d[q] = x != x ? 0 : x >= 2147483647.0 ? 2147483647
       : x <= -2147483648.0 ? (i32)(-2147483647 - 1) : (i32)(i64)x; }
break; }
"""),
    (('vabs.f32',), r"""
{ i32 *d = VI + c->al; const i32 *a = VI + c->bl;
for (i64 q = 0; q < L; q++) d[q] = a[q] & 0x7FFFFFFF; break; }
"""),
    (('vneg.f32',), r"""
{ i32 *d = VI + c->al; const i32 *a = VI + c->bl;
for (i64 q = 0; q < L; q++) d[q] = (i32)((u32)a[q] ^ 0x80000000u); break; }
"""),
    (('vsel',), r"""
{ u8 *d = V + 4 * c->al; const u8 *q8 = Q + B * vlen;
const u8 *x = V + C * vlen, *y = V + c->d * vlen; u8 tmp[4096];
if ((vlen & 31) == 0) for (i64 j = 0; j < vlen; j += 32) {  /* predicate bytes are 0 or 1 */
  v32u q, a, b; memcpy(&q, q8 + j, 32); memcpy(&a, x + j, 32); memcpy(&b, y + j, 32);
  v32u m = (v32u)(q != 0); v32u r = (a & m) | (b & ~m); memcpy(tmp + j, &r, 32); }
else for (i64 j = 0; j < vlen; j++) tmp[j] = q8[j] ? x[j] : y[j];
memcpy(d, tmp, vlen); break; }
"""),
    (('vror',), r"""
{ u8 *d = V + 4 * c->al; const u8 *x = V + B * vlen; u8 tmp[4096];
i64 k = ((i64)(u32)R[C]) % vlen;  /* tmp[j] = x[(j + k) % vlen], without a division */
for (i64 j = 0; j < vlen - k; j++) tmp[j] = x[j + k];
for (i64 j = vlen - k; j < vlen; j++) tmp[j] = x[j + k - vlen];
memcpy(d, tmp, vlen); break; }
"""),
    (('vextr',), r"""
R[A] = VI[B * L + imm]; break;
"""),
    (('vmul.i32',), r"""
{ i32 *d = VI + c->al; const i32 *a = VI + c->bl, *b = VI + c->cl;
for (i64 q = 0; q < L; q++) d[q] = wrap((i64)a[q] * (i64)b[q]); break; }
"""),
    (('vdmpy.i8',), r"""
{ i32 *d = VI + c->al; const i8 *a = (const i8 *)(V + B * vlen);
const i8 *b = (const i8 *)(V + C * vlen);
for (i64 q = 0; q < L; q++) { i64 sum = d[q];
  for (int j = 0; j < 4; j++) sum += (i64)a[4 * q + j] * (i64)b[4 * q + j];
  d[q] = wrap(sum); }
break; }
"""),
    (('vrecip.f32', 'vrsqrt.f32'), r"""
{ i32 *d = VI + c->al; const float *a = VF + c->bl;
const int rs = I[K_OP] == O_VRSQRT_F32;
for (i64 q = 0; q < L; q++) { double x = a[q]; float r;
  if (rs) r = x < 0.0 ? __builtin_nanf("") : x == 0.0 ? (float)(1.0 / x)
                                          : (float)(1.0 / __builtin_sqrt(x));
  else r = (float)(1.0 / x);
  i32 bits; memcpy(&bits, &r, 4);
  d[q] = r != r ? 0x7FC00000 : (i32)((u32)bits & 0xFFFFF000u); }
break; }
"""),
    (('vpack.i32.i8',), r"""
{ u8 *d = V + 4 * c->al; const i32 *a = VI + c->bl, *b = VI + c->cl;
u8 tmp[4096]; memset(tmp, 0, vlen);
for (i64 q = 0; q < L; q++) {
  i32 x = a[q] > 127 ? 127 : a[q] < -128 ? -128 : a[q];
  i32 y = b[q] > 127 ? 127 : b[q] < -128 ? -128 : b[q];
  tmp[q] = (u8)(x & 0xFF); tmp[L + q] = (u8)(y & 0xFF); }
memcpy(d, tmp, vlen); break; }
"""),
    (('vcmpgt.f32', 'vcmpge.f32', 'vcmpeq.f32', 'vcmpgt.i32', 'vcmpeq.i32'), r"""
{ u8 *d = Q + A * vlen; const i64 op = I[K_OP];
const float *fa = VF + B * L, *fb = VF + C * L; const i32 *ia = VI + B * L, *ib = VI + C * L;
for (i64 q = 0; q < L; q++) {
  int c = op == O_VCMPGT_F32 ? fa[q] > fb[q] : op == O_VCMPGE_F32 ? fa[q] >= fb[q]
        : op == O_VCMPEQ_F32 ? fa[q] == fb[q] : op == O_VCMPGT_I32 ? ia[q] > ib[q]
        : ia[q] == ib[q];
  d[4 * q] = d[4 * q + 1] = d[4 * q + 2] = d[4 * q + 3] = (u8)c; }
break; }
"""),
    (('vsetq',), r"""
{ u8 *d = Q + A * vlen; const i64 nb = R[B];
for (i64 j = 0; j < vlen; j++) d[j] = j < nb; break; }
"""),
    (('qand',), r"""
{ u8 *d = Q + A * vlen; const u8 *x = Q + B * vlen, *y = Q + C * vlen;
for (i64 j = 0; j < vlen; j++) d[j] = x[j] & y[j]; break; }
"""),
    (('qor',), r"""
{ u8 *d = Q + A * vlen; const u8 *x = Q + B * vlen, *y = Q + C * vlen;
for (i64 j = 0; j < vlen; j++) d[j] = x[j] | y[j]; break; }
"""),
    (('qnot',), r"""
{ u8 *d = Q + A * vlen; const u8 *x = Q + B * vlen;
for (i64 j = 0; j < vlen; j++) d[j] = 1 - x[j]; break; }
"""),
]

_C = r"""
#include <stdint.h>
#include <string.h>
typedef int64_t i64; typedef uint64_t u64; typedef int32_t i32; typedef uint32_t u32;
typedef uint8_t u8; typedef int8_t i8;
/* vector registers are 32-byte aligned (the wrapper allocates them so; vlen is a power of
   two >= 16): 8-lane operations on whole registers use aligned vector types */
typedef float v8f __attribute__((vector_size(32)));
typedef i32 v8i __attribute__((vector_size(32)));
typedef u8 v32u __attribute__((vector_size(32)));
/* an instruction's operands for the data path (sim_native.compact): a fifth of a decoded
   row, so a loop body's operands stay in the L1 cache */
typedef struct { i32 imm; uint16_t al, bl, cl, d, a, b, c; } crow;
#define INL static inline __attribute__((always_inline))
%(defines)s
INL float canon(float x) { union { u32 u; float f; } c = { 0x7FC00000u }; return x == x ? x : c.f; }
INL v8f canon8(v8f x) {
  v8i m = (x == x); v8i nan = { 0x7FC00000, 0x7FC00000, 0x7FC00000, 0x7FC00000,
                                0x7FC00000, 0x7FC00000, 0x7FC00000, 0x7FC00000 };
  return (v8f)(((v8i)x & m) | (nan & ~m)); }
INL v8f ld8(const float *p) { return *(const v8f *)__builtin_assume_aligned(p, 32); }
INL void st8(float *p, v8f v) { *(v8f *)__builtin_assume_aligned(p, 32) = v; }
INL void splat(i32 *d, i32 w, i64 L) {
  if ((L & 7) == 0) { v8i v = { w, w, w, w, w, w, w, w };
    for (i64 q = 0; q < L; q += 8) *(v8i *)__builtin_assume_aligned(d + q, 32) = v; }
  else for (i64 q = 0; q < L; q++) d[q] = w; }
INL i32 wrap(i64 v) { return (i32)(u32)(u64)v; }
/* the state after ffm more iterations of the fast-forwarded body `inf` (tops .. tope) */
#define FF_MATERIALIZE { \
  const i64 nr_ = inf[1], nw_ = inf[2 + nr_], nb_ = tope - tops; const i32 *ww_ = inf + 3 + nr_; \
  now = now_b + ffm * delta; sdep = sdep_b + ffm * dsdep; \
  for (i64 j = 0; j < nw_; j++) ready[ww_[j]] = rb[j] + ffm * delta; \
  for (i64 k = 0; k < nb_; k++) { pkcount[tops + k] += ffm; pkcyc[tops + k] += ffm * stl[k]; } \
  mst[1] += ffm; mst[3] += ffm * nb_; ff = 0; timing = 1; trk = -1; }

/* d = op(a, b) lane by lane over L f32 lanes; 8 at a time when L is a multiple of 8 */
#define VLOOP(EXPR8, EXPR1) \
  if ((L & 7) == 0) { for (i64 q = 0; q < L; q += 8) { \
      v8f x = ld8(a + q), y = ld8(b + q), z = ld8(d + q); (void)x; (void)y; (void)z; \
      st8(d + q, EXPR8); } } \
  else { for (i64 q = 0; q < L; q++) { \
      float x = a[q], y = b[q], z = d[q]; (void)x; (void)y; (void)z; d[q] = EXPR1; } }

INL v8f vmax8(v8f x, v8f y) {
  v8i n = (x != x) | (y != y); v8f r = (v8f)(((v8i)x & (x > y)) | ((v8i)y & ~(x > y)));
  return canon8((v8f)(((v8i)r & ~n) | ((v8i)(x + y) & n))); }
INL v8f vmin8(v8f x, v8f y) {
  v8i n = (x != x) | (y != y); v8f r = (v8f)(((v8i)x & (x < y)) | ((v8i)y & ~(x < y)));
  return canon8((v8f)(((v8i)r & ~n) | ((v8i)(x + y) & n))); }
INL float vmax1(float x, float y) { return (x != x || y != y) ? canon(x + y) : (x > y ? x : y); }
INL float vmin1(float x, float y) { return (x != x || y != y) ? canon(x + y) : (x < y ? x : y); }

/* `_fast`'s loop over the packets with nat[pc] != 0: see sim_native's docstring */
int64_t vexa_fast(const i64 *arg) {
  const i32 *ins = (const i32 *)arg[0], *pk = (const i32 *)arg[1], *srcs = (const i32 *)arg[2];
  const i8 *nat = (const i8 *)arg[3];  /* per packet: see H below */
  i32 *R = (i32 *)arg[4]; u8 *V = (u8 *)arg[5]; u8 *Q = (u8 *)arg[6]; u8 *M = (u8 *)arg[7];
  i64 *ready = (i64 *)arg[8], *pkcount = (i64 *)arg[9], *pkcyc = (i64 *)arg[10];
  i64 *scratch = (i64 *)arg[11], *st = (i64 *)arg[12];
  const i64 L = arg[13], width = arg[14], npk = arg[15];
  const i64 vlen = 4 * L;
  float *VF = (float *)V; i32 *VI = (i32 *)V;
  i64 *ls = scratch, *le = scratch + width, *lr = scratch + 2 * width;
  i64 pc = st[S_PC], now = st[S_NOW], icount = st[S_ICOUNT], sdep = st[S_SDEP];
  i64 sbr = st[S_SBR], c_vr = st[S_VR], c_vw = st[S_VW], hwm = st[S_HWM];
  i64 tops = st[S_TOPS], tope = st[S_TOPE], topr = st[S_TOPR], nloops = st[S_NLOOPS];
  int timing = st[S_TIMING] != 0;  /* 0 while fast-forwarding (below) */
  const i64 maxi = st[S_MAXI], vtbase = st[S_VTBASE], vtend = st[S_VTEND];
  const i64 ldepth = st[S_LDEPTH], brt = st[S_BRT];
  i64 run = 0, t1 = 0, n = 0, next_pc = 0;
  int taken = 0;
  /* steady-state fast-forward of innermost loops (see MEMO in sim_native's docstring):
     lpi[s] >= 0 for the first packet of an eligible body, lpl + lpi[s] is its
     { end, nr, reads[nr], nw, writes[nw] } */
  const i32 *lpi = (const i32 *)arg[16], *lpl = (const i32 *)arg[17];
  i64 *mst = (i64 *)arg[18];  /* MEMO_STATS */
  const crow *cr = (const crow *)arg[19];  /* the operand rows (`compact`) */
  const int memo = timing && lpi != 0;
  int ff = 0;
  i64 trk = -1, tries = 0, ffm = 0, now_p = 0, sdep_p = 0, delta = 0, dsdep = 0;
  i64 now_b = 0, sdep_b = 0, ib_n = 0, ib_vr = 0, ib_vw = 0;
  const i32 *inf = 0;
  i64 Sp[MEMO_MAXR], rb[MEMO_MAXR], pkp[MEMO_MAXB], stl[MEMO_MAXB];
  /* nat[pc]: 0 not here (back to `_run`), 1 the generic loop body, 2 + k shape handler k */
  static void *const H[] = { &&stop, &&generic%(labels)s };
  /* while fast-forwarding: the data-only handlers (the generic body checks `ff`) */
  static void *const FH[] = { &&stop, &&generic%(flabels)s };
  for (;;) {
    if (pc < 0 || pc >= npk) break;
    goto *(ff ? FH : H)[nat[pc]];
  generic: {
    const i32 *P = pk + pc * PKW;
    const i64 a0 = P[0], b0 = P[1];
    n = b0 - a0;
    if (icount + n > maxi) goto stop;
    if (P[PK_FAST] == 2 && nloops >= ldepth) goto stop;
    /* every address in VTCM and aligned, or back to `_run` (reads see the packet's start) */
    i64 top = hwm;
    for (int m = 0; m < (P[PK_NMEM] & 7); m++) {
      const i32 *e = P + PK_MEM + 4 * m;
      i64 end = ((((i64)R[e[0] & 0xFFFF]) + e[1]) & 0xFFFFFFFFLL) - vtbase + e[2];
      if ((end & e[3]) != 0 || end < e[2] || end > vtend) goto stop;
      if (end > top) top = end;
    }
    hwm = top;
    if (!ff) { c_vr += P[PK_VR]; c_vw += P[PK_VW]; }  /* (per iteration when ff) */
    t1 = now;
    if (timing) {
      const i64 s0 = P[4], s1 = P[5];
      for (i64 s = s0; s < s1; s++) if (ready[srcs[s]] > t1) t1 = ready[srcs[s]];
    }
    next_pc = pc + 1;
    taken = 0;
    for (i64 i = a0; i < b0; i++) {
      const i32 *I = ins + i * KW; const crow *c = cr + i;
      const i64 A = c->a, B = c->b, C = c->c, imm = c->imm;
      (void)A; (void)B; (void)C; (void)imm; (void)c;
      switch (I[K_OP]) {
%(cases)s      default: __builtin_trap();  /* never: nat[] excludes other packets */
      }
      if (timing) ready[I[K_RDY] & 0xFFFF] = t1 + I[K_LAT];
    }
    goto tail; }
%(handlers)s
  tail:
    if (!ff) {
      icount += n;
      run += 1;
      pkcount[pc] += 1;
      i64 nxt = now + 1;
      if (timing) {
        sdep += t1 - now; nxt = t1 + 1;
        if (taken) { nxt += brt; sbr += brt; }
      }
      if (nxt - now != 1) pkcyc[pc] += nxt - now - 1;
      now = nxt;
    }
    while (next_pc == tope) {
      /* an iteration of a fast-forwarded body: its instructions, packets, VTCM bytes */
      if (ff) { ffm += 1; icount += ib_n; run += tope - tops; c_vr += ib_vr; c_vw += ib_vw; }
      topr -= 1;
      if (topr > 0) {
        next_pc = tops;
        if (ff) {
          /* the budget for a whole iteration, or on without the fast-forward */
          if (icount + ib_n > maxi) FF_MATERIALIZE
        }
        else if (memo && lpi[tops] >= 0 && lpl[lpi[tops]] == tope
                 && (trk != tops || tries <= MEMO_TRIES)) {
          /* a back edge of an eligible body: the next iteration starts at `now`; its
             timing is a function of S = max(ready[r] - now, 0) over the body's reads r */
          const i32 *li = lpl + lpi[tops]; const i64 nr = li[1], nb = tope - tops;
          int same = trk == tops;
          for (i64 j = 0; same && j < nr; j++) {
            i64 r = ready[li[2 + j]] - now; if (r < 0) r = 0;
            same = r == Sp[j];
          }
          if (same) {
            /* S repeats: the iteration just run repeats to the loop's end; run the data
               only and add its timing per iteration when the loop ends (or stops) */
            const i64 nw = li[2 + nr]; const i32 *ww = li + 3 + nr;
            delta = now - now_p; dsdep = sdep - sdep_p;
            for (i64 k = 0; k < nb; k++) stl[k] = pkcyc[tops + k] - pkp[k];
            for (i64 j = 0; j < nw; j++) rb[j] = ready[ww[j]];
            ib_n = ib_vr = ib_vw = 0;
            for (i64 k = 0; k < nb; k++) {
              const i32 *P = pk + (tops + k) * PKW;
              ib_n += P[1] - P[0]; ib_vr += P[PK_VR]; ib_vw += P[PK_VW]; }
            if (icount + ib_n <= maxi) {  /* (else the budget ends in the next iteration) */
              now_b = now; sdep_b = sdep; ffm = 0; ff = 1; timing = 0; inf = li; mst[0] += 1; }
          } else {  /* (after MEMO_TRIES + 1 snapshots, not this activation) */
            if (trk != tops) tries = 0;
            trk = tops; tries += 1; now_p = now; sdep_p = sdep;
            for (i64 j = 0; j < nr; j++) { i64 r = ready[li[2 + j]] - now; Sp[j] = r < 0 ? 0 : r; }
            for (i64 k = 0; k < nb; k++) pkp[k] = pkcyc[tops + k];
          }
        }
        break;
      }
      if (ff) FF_MATERIALIZE
      trk = -1;
      nloops -= 1;
      if (nloops > 0) { tops = ls[nloops - 1]; tope = le[nloops - 1]; topr = lr[nloops - 1]; }
      else tope = -1;
    }
    pc = next_pc;
  }
stop:
  if (ff) {
    /* stopped inside a fast-forwarded body: the timing of the whole iterations run, then
       of the packets run of this one (tops .. pc - 1) */
    FF_MATERIALIZE
    mst[2] += 1;
    for (i64 p = tops; p < pc; p++) {
      const i32 *P = pk + p * PKW; i64 t = now;
      for (i64 s = P[4]; s < P[5]; s++) if (ready[srcs[s]] > t) t = ready[srcs[s]];
      for (i64 i = P[0]; i < P[1]; i++) {
        const i32 *I = ins + i * KW; ready[I[K_RDY] & 0xFFFF] = t + I[K_LAT]; }
      sdep += t - now;
      if (t != now) pkcyc[p] += t - now;
      now = t + 1; pkcount[p] += 1;
      icount += P[1] - P[0]; run += 1; c_vr += P[PK_VR]; c_vw += P[PK_VW];
    }
  }
  st[S_PC] = pc; st[S_NOW] = now; st[S_ICOUNT] = icount; st[S_SDEP] = sdep; st[S_SBR] = sbr;
  st[S_VR] = c_vr; st[S_VW] = c_vw; st[S_HWM] = hwm; st[S_TOPS] = tops; st[S_TOPE] = tope;
  st[S_TOPR] = topr; st[S_NLOOPS] = nloops;
  return run;
}
"""


def _handler(k: int, shape: tuple[str, ...], target: Target) -> str:
    """The C of one packet shape (its mnemonics in execution order): `generic`'s work with
    the instruction count, the checks, the scoreboard reads and the code of each
    instruction fixed; the operands still come from the program's rows (`compact`), the
    scoreboard entries and latencies from the decoded ones."""
    from vexa.runtime import sim_fast as sf

    defs = {d.mnemonic: d for d in BY_OPCODE}
    access = sf.mem_access(target)
    n = len(shape)
    out = [f"  H{k}: {{  /* {' ; '.join(shape)} */",
           "    const i32 *P = pk + pc * PKW; const i32 *I0 = ins + (i64)P[0] * KW;",
           "    const crow *c0 = cr + P[0];",
           f"    n = {n};",
           f"    if (icount + {n} > maxi) goto stop;"]
    if any(m in ("loop", "loopi") for m in shape):
        out.append("    if (nloops >= ldepth) goto stop;")
    out.extend(_checks(shape, access))
    vr = sum(access[m][0] for m in shape if m in access and defs[m].mem != MEM_STORE)
    vw = sum(access[m][0] for m in shape if m in access and defs[m].mem == MEM_STORE)
    if vr:
        out.append(f"    c_vr += {vr};")
    if vw:
        out.append(f"    c_vw += {vw};")
    ns = sum(k in sf.READ_KINDS for m in shape for k in defs[m].operands)
    out.append("    t1 = now;")
    if ns:
        out.append("    if (timing) { const i32 *s = srcs + P[4];")
        out.extend(f"      if (ready[s[{j}]] > t1) t1 = ready[s[{j}]];" for j in range(ns))
        out.append("    }")
    out.append("    next_pc = pc + 1; taken = 0;")
    out.extend(_code(shape))
    w = [j for j, m in enumerate(shape) if any(k in sf.WRITE_KINDS for k in defs[m].operands)]
    if w:
        out.append("    if (timing) {")
        out.extend(f"      ready[I0[{j} * KW + K_RDY] & 0xFFFF] = t1 + I0[{j} * KW + K_LAT];"
                   for j in w)
        out.append("    }")
    out.append("    goto tail; }")
    return "\n".join(out)


def _ff_handler(k: int, shape: tuple[str, ...], target: Target) -> str | None:
    """The fast-forward variant of shape k's handler (label F{k}): the memory checks and
    the data only (the timing and the counters go per iteration, see MEMO); the next
    packet of the body is dispatched from here, an indirect jump per handler that predicts
    far better than the shared one. None for a shape with a branch or loop instruction
    (never in a fast-forwarded body)."""
    from vexa.runtime import sim_fast as sf

    defs = {d.mnemonic: d for d in BY_OPCODE}
    if any(defs[m].klass in ("branch", "loop") for m in shape):
        return None
    return "\n".join([
        f"  F{k}: {{  /* {' ; '.join(shape)} */",
        "    const i64 i0 = pk[pc * PKW]; const i32 *I0 = ins + i0 * KW; const crow *c0 = cr + i0;",
        *_checks(shape, sf.mem_access(target)),
        *_code(shape),
        "    if (pc + 1 != tope) { pc += 1; goto *FH[nat[pc]]; }",
        "    next_pc = pc + 1; goto tail; }"])


def _checks(shape: tuple[str, ...], access: dict[str, tuple[int, int]]) -> list[str]:
    """A handler's memory checks (in VTCM, aligned, or `goto stop`) and high-water mark."""
    out, ends = [], []
    for j, m in enumerate(shape):
        if m not in access:
            continue
        nb, am = access[m][0], access[m][1] - 1
        e = f"e{j}"
        out.append(f"    const i64 {e} = ((((i64)R[c0[{j}].b]) + c0[{j}].imm) & 0xFFFFFFFFLL)"
                   f" - vtbase + {nb};")
        cond = f"({e} < {nb}) | ({e} > vtend)"
        if am:
            cond = f"(({e} & {am}) != 0) | " + cond
        out.append(f"    if ({cond}) goto stop;")
        ends.append(e)
    out.extend(f"    if ({e} > hwm) hwm = {e};" for e in ends)
    return out


def _code(shape: tuple[str, ...]) -> list[str]:
    """The code of a handler's instructions, in order (from `_OPS`)."""
    code = {m: c for ms, c in _OPS for m in ms}
    out = []
    for j, m in enumerate(shape):
        out.append(f"    {{ const i32 *I = I0 + {j} * KW; const crow *c = c0 + {j};")
        out.append("      const i64 A = c->a, B = c->b, C = c->c, imm = c->imm;")
        out.append("      (void)I; (void)A; (void)B; (void)C; (void)imm;")
        out.append("      do { " + code[m].replace("\n", "\n      ") + " } while (0); }")
    return out


def source(shapes: tuple[tuple[str, ...], ...], target: Target) -> str:
    """The C source: the generic loop plus a handler per packet shape in `shapes` (their
    mnemonics in execution order), with the ISA's opcodes and sim_fast's table layouts as
    constants."""
    from vexa.runtime import sim_fast as sf

    names = {"O_" + m.replace(".", "_").upper(): v for m, v in OPC.items()}
    for k in ("S_PC", "S_NOW", "S_ICOUNT", "S_SDEP", "S_SBR", "S_VR", "S_VW", "S_HWM", "S_TOPS",
              "S_TOPE", "S_TOPR", "S_NLOOPS", "S_TIMING", "S_MAXI", "S_VTBASE", "S_VTEND",
              "S_LDEPTH", "S_BRT", "PKW", "PK_FAST", "PK_VR", "PK_VW", "PK_NMEM", "PK_MEM",
              "KW", "K_OP", "K_A", "K_B", "K_C", "K_D", "K_IMM", "K_LAT", "K_RDY", "K_AL",
              "K_BL", "K_CL"):
        names[k] = getattr(sf, k)
    names.update(MEMO_MAXB=MEMO_MAXB, MEMO_MAXR=MEMO_MAXR, MEMO_TRIES=MEMO_TRIES)
    defines = "\n".join(f"#define {k} {v}" for k, v in names.items())
    cases = "".join(
        "".join(f"      case O_{m.replace('.', '_').upper()}:" for m in ms) + "\n        "
        + c.replace("\n", "\n        ") + "\n" for ms, c in _OPS)
    ff = [_ff_handler(k, sh, target) for k, sh in enumerate(shapes)]
    return (_C.replace("%(defines)s", defines).replace("%(cases)s", cases)
            .replace("%(labels)s", "".join(f", &&H{k}" for k in range(len(shapes))))
            .replace("%(flabels)s", "".join(f", &&F{k}" if f else ", &&stop"
                                            for k, f in enumerate(ff)))
            .replace("%(handlers)s", "\n".join(
                [_handler(k, sh, target) for k, sh in enumerate(shapes)]
                + [f for f in ff if f])))


def plan(prog: Program, target: Target, shapes: tuple[tuple[str, ...], ...] | None = None,
         ) -> tuple[tuple[tuple[str, ...], ...], np.ndarray]:
    """The packet shapes that get a handler and the per-packet `nat` table: 0 for packets
    the C loop does not run (not simple, or an instruction outside NATIVE_OPS), 1 for the
    generic body, 2 + k for shape k. Unless `shapes` are given, they are chosen for
    programs of AUTO_MIN_PACKETS packets or more: the MAX_SHAPES most frequent in the
    program text."""
    from vexa.runtime import sim_fast as sf

    ins, pk, _, _ = sf.decode(prog, target)
    npk = len(pk)
    nat = np.zeros(max(npk, 1), dtype=np.int8)
    if npk == 0 or len(ins) == 0:
        return (), nat
    ok_op = np.zeros(max(OPC.values()) + 1, dtype=np.int64)
    for m in NATIVE_OPS:
        ok_op[OPC[m]] = 1
    nbad = np.add.reduceat(1 - ok_op[ins[:, sf.K_OP]], pk[:, 0].astype(np.int64))
    ok = (pk[:, sf.PK_FAST] != 0) & (nbad == 0) & (pk[:, 1] > pk[:, 0])
    nat[:npk] = ok
    if shapes is None and npk < AUTO_MIN_PACKETS:
        return (), nat
    names = [m for m, _ in sorted(OPC.items(), key=lambda kv: kv[1])]
    ops = ins[:, sf.K_OP]
    key = [tuple(names[o] for o in ops[pk[p, 0]:pk[p, 1]]) if ok[p] else None
           for p in range(npk)]
    if shapes is None:
        count = Counter(k for k in key if k is not None)
        shapes = tuple(sh for sh, _ in count.most_common(MAX_SHAPES))
    index = {sh: 2 + k for k, sh in enumerate(shapes)}
    for p in range(npk):
        if key[p] in index:
            nat[p] = index[key[p]]
    return shapes, nat


def loops(prog: Program, target: Target, nat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The innermost hardware-loop bodies the C loop may fast-forward (MEMO): `lpi`, per
    packet, -1 or the offset in `lpl` of the body starting there, as
    [end packet, nr, nr scoreboard entries read, nw, nw entries written]. A body is eligible
    when the C loop runs all its packets (nat != 0), none has a branch or loop instruction
    (so it is straight-line and always writes the same entries), and it fits the C loop's
    buffers."""
    from vexa.runtime import sim_fast as sf

    ins, pk, srcs, _ = sf.decode(prog, target)
    npk = len(pk)
    lpi = np.full(max(npk, 1), -1, dtype=np.int32)
    lpl: list[int] = []
    ctl = np.zeros(max(OPC.values()) + 1, dtype=bool)
    for d in BY_OPCODE:
        ctl[OPC[d.mnemonic]] = d.klass in ("branch", "loop")
    loop_ops = [OPC[m] for m in ("loop", "loopi")]
    dummy = target.gprs + target.vregs + target.qregs  # read padding: never written
    if npk == 0 or len(ins) == 0:
        return lpi, np.zeros(1, dtype=np.int32)
    pctl = np.add.reduceat(ctl[ins[:, sf.K_OP]].astype(np.int64), pk[:, 0].astype(np.int64))
    pctl[pk[:, 1] <= pk[:, 0]] = 0
    for i in np.flatnonzero(np.isin(ins[:, sf.K_OP], loop_ops)):
        p = int(np.searchsorted(pk[:, 0], i, side="right")) - 1
        s, e = p + 1, int(ins[i, sf.K_D])
        if not (s < e <= npk and e - s <= MEMO_MAXB) or lpi[s] >= 0:
            continue
        if (nat[s:e] == 0).any() or pctl[s:e].any():
            continue
        reads = sorted({int(srcs[j]) for q in range(s, e) for j in range(pk[q, 4], pk[q, 5])}
                       - {dummy})
        writes = sorted({int(ins[j, sf.K_RDY]) & 0xFFFF
                         for j in range(pk[s, 0], pk[e - 1, 1])})
        if len(reads) > MEMO_MAXR or len(writes) > MEMO_MAXR:
            continue
        lpi[s] = len(lpl)
        lpl.extend([e, len(reads), *reads, len(writes), *writes])
    return lpi, np.array(lpl or [0], dtype=np.int32)


def compact(prog: Program, target: Target) -> np.ndarray | None:
    """The C loop's operand rows (`crow`: imm, the lane offsets of fields A, B, C, field D,
    the register numbers A, B, C; 20 bytes against a decoded row's 96), or None when an
    offset does not fit 16 bits (a machine with more than 65,535 f32 lanes of vector
    registers) or the host is big-endian (the struct's layout): then numba runs it."""
    from vexa.runtime import sim_fast as sf

    ins = sf.decode(prog, target)[0]
    cols = [ins[:, sf.K_AL] & 0xFFFFFF, ins[:, sf.K_BL] & 0xFFFFFF, ins[:, sf.K_CL] & 0xFFFFFF,
            ins[:, sf.K_D] & 0xFFFF, ins[:, sf.K_A] & 0xFFFF, ins[:, sf.K_B] & 0xFFFF,
            ins[:, sf.K_C] & 0xFFFF]
    if sys.byteorder != "little" or (len(ins) and max(int(c.max()) for c in cols) > 0xFFFF):
        return None
    rows = np.zeros((max(len(ins), 1), 5), dtype=np.int32)
    rows[:len(ins), 0] = ins[:, sf.K_IMM]
    half = rows.view(np.uint16)  # the struct's layout (two bytes of padding at its end)
    for k, c in enumerate(cols):
        half[:len(ins), 2 + k] = c
    return rows


# ------------------------------------------------------------------------- build and load


def compiler() -> str | None:
    """The C compiler: $CC, else cc or gcc on PATH (None: no native loop)."""
    cc = os.environ.get("CC")
    if cc:
        return shutil.which(cc) or (cc if os.path.isfile(cc) else None)
    return shutil.which("cc") or shutil.which("gcc")


def _cache_dir() -> Path:
    d = os.environ.get("VEXA_NATIVE_CACHE")
    if d:
        return Path(d)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "vexa" / "native"


CFLAGS = ["-O2", "-fPIC", "-ffp-contract=off", "-fno-strict-aliasing", "-fno-math-errno",
          "-march=native", "-w"]


class NativeError(RuntimeError):
    """The C compiler failed on the source (a bug in this module: report it)."""


def build(src: str) -> Path:
    """The shared library of `src` (compiled once per source, flags and compiler; cached on
    disk under the hash of the three)."""
    cc = compiler()
    if cc is None:
        raise NativeError("no C compiler found (set CC)")
    ver = _cc_version(cc)
    key = hashlib.sha256("\0".join([src, " ".join(CFLAGS), cc, ver]).encode()).hexdigest()[:24]
    cache = _cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    lib = cache / f"vexa_sim_{key}.so"
    if lib.exists():
        return lib
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        c, out = Path(tmp) / "sim.c", Path(tmp) / "sim.so"
        c.write_text(src)
        r = subprocess.run([cc, *CFLAGS, "-shared", str(c), "-o", str(out)], capture_output=True,
                           text=True)
        if r.returncode:
            raise NativeError(f"C compiler failed: {r.stderr.strip()[:2000]}")
        os.replace(out, lib)  # atomic: concurrent builders agree
    return lib


_VERSIONS: dict[str, str] = {}
_LIBS: dict[str, tuple[Any, int]] = {}  # source hash -> (library, address of vexa_fast)


def _cc_version(cc: str) -> str:
    if cc not in _VERSIONS:
        _VERSIONS[cc] = subprocess.run([cc, "--version"], capture_output=True,
                                       text=True).stdout
    return _VERSIONS[cc]


def address(src: str) -> int:
    """The address of `vexa_fast` in the library of `src` (built and loaded once)."""
    key = hashlib.sha256(src.encode()).hexdigest()
    if key not in _LIBS:
        lib = ctypes.CDLL(str(build(src)))
        _LIBS[key] = (lib, ctypes.cast(lib.vexa_fast, ctypes.c_void_p).value or 0)
    return _LIBS[key][1]


def wanted(prog: Program) -> bool:
    """Whether `simulate` uses the C loop by default (see the module docstring)."""
    return os.environ.get("VEXA_SIM_NATIVE", "1") != "0" and compiler() is not None


def load(prog: Program, target: Target,
         ) -> tuple[int, np.ndarray, tuple[np.ndarray, np.ndarray], np.ndarray]:
    """(address of the C loop for `prog`, its `nat` table, its `loops` tables, its operand
    rows); address 0 when the C loop cannot run it. Cached on the program object like
    `sim_fast.decode`."""
    key = ("sim_native", VERSION, target.name, target.gprs, target.vregs, target.qregs,
           target.vlen_bytes, target.latency)
    cache = prog.__dict__.setdefault("_native", {})
    if key not in cache:
        shapes, nat = plan(prog, target, SHAPES)
        rows = compact(prog, target)
        addr = 0 if rows is None else address(source(shapes, target))
        cache[key] = (addr, nat, loops(prog, target, nat),
                      np.zeros((1, 5), np.int32) if rows is None else rows)
    return cache[key]
