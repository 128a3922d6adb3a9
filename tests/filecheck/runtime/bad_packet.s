# RUN: not vexa-run %s 2>&1 | filecheck %s
# CHECK: vexa-run: error: {{.*}}bad_packet.s:6:7: packet: expected at most 2 'mpy' resources on vx128, got 3 (vfma.f32, vfma.f32, vmul.f32)
.text
main:
    li r1, 0
    { vfma.f32 v1, v2, v3 ; vfma.f32 v4, v5, v6 ; vmul.f32 v7, v8, v9 }
    halt
