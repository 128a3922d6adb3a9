# Bad machine descriptions name the file and the key.
# RUN: printf 'name = "m"\nvector = { vregs = 8, qregs = 2 }\n' > %t.toml
# RUN: not vexa-run %s --target %t.toml 2>&1 | filecheck %s
# RUN: not vexa-run %s --target vx999 2>&1 | filecheck %s --check-prefix=NAME
# RUN: sed 's/vregs = 32/vregs = 32, lanes = 8/' %S/../../../runtime/targets/vx128.toml > %t2.toml
# RUN: not vexa-run %s --target %t2.toml 2>&1 | filecheck %s --check-prefix=UNKNOWN
# CHECK: vexa-run: error: {{.*}}.toml: missing key 'vector.vlen_bytes'
# NAME: vexa-run: error: unknown target 'vx999' (built-in: vx128, vx64; or pass a .toml path)
# UNKNOWN: vexa-run: error: {{.*}}.toml: unknown key 'vector.lanes'
.text
main:
    halt
