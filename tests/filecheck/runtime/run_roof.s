# The report's roof lines: achieved vector multiplies (as f32 MACs) and DRAM/VTCM bytes
# per cycle against the target's roofs (runtime/target.py).
# RUN: vexa-run %s | filecheck %s
# RUN: vexa-run %s --engine reference | filecheck %s
# RUN: vexa-run %s --report json | filecheck %s --check-prefix=JSON
# RUN: vexa-run %s --no-timing | filecheck %s --check-prefix=NOTIME

# 200 packets of 2 vfma.f32 on 4 accumulators (vmpy latency 2: one packet per cycle), then
# one more vfma and 2 vector stores to DRAM: 207 packets, 2 dependency stalls (v4 then v6)
# and 2 on the DRAM port (128 bytes at 32 B/cycle): 211 cycles. 401 vmpy / 211 = 1.90 of 2
# per cycle (95.0%), x 32 lanes = 60.8 of 64 MAC/cycle; 256 DRAM bytes / 211 = 1.21 of 32.
# CHECK: cycles        211
# CHECK: roof          compute 95.0% (vmpy 1.90 of 2 per cycle; as vfma.f32 60.8 of 64 MAC/cycle)
# CHECK-NEXT:          DRAM 3.8% (1.21 of 32 B/cycle), VTCM 0.0% (0.00 of 256 B/cycle)

# JSON: "roofline": {
# JSON-NEXT: "vmpy_per_cycle": {
# JSON-NEXT: "achieved": 1.90047
# JSON-NEXT: "roof": 2,
# JSON-NEXT: "percent": 95.0236

# NOTIME: (timing off)
# NOTIME-NOT: roof

.target vx128
.output C f32 64
.data
C:  .zero 256
.text
    { li r2, C ; vsplati v1, 0x3f800000 ; vsplati v2, 0x40000000 }
    { vsplati v0, 0 ; vsplati v3, 0 }
    { vsplati v4, 0 ; vsplati v5, 0 }
    loopi 100, e
    { vfma.f32 v0, v1, v2 ; vfma.f32 v3, v1, v2 }
    { vfma.f32 v4, v1, v2 ; vfma.f32 v5, v1, v2 }
e:
    { vst v0, r2, 0 ; vfma.f32 v6, v3, v4 }
    { vst v6, r2, 128 }
    halt
